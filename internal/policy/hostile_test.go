package policy

import (
	"strings"
	"testing"
	"time"
)

// Documents near the size limit built to make wildcard reasoning slow must still be analysed
// quickly: Analyze sits on the event path of a detector.
func TestAnalyzeHostilePatterns(t *testing.T) {
	const n = MaxDocumentBytes/2 - 100
	one := func(action, resource string) string {
		return doc(`{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}`)
	}
	many := func(item string) string {
		k := (MaxDocumentBytes - 200) / (len(item) + 3)
		items := make([]string, k)
		for i := range items {
			items[i] = `"` + item + `"`
		}
		return doc(`{"Effect":"Allow","Action":[` + strings.Join(items[:k*2/3], ",") + `],"Resource":[` + strings.Join(items[:k/3-10], ",") + `]}`)
	}
	cases := map[string]string{
		"star run":                 one(strings.Repeat("*", n), strings.Repeat("*", n)),
		"star-literal alternation": one(strings.Repeat("*a", n/2), strings.Repeat("*a", n/2)),
		"literal run then star":    one(strings.Repeat("i", n)+"*", "arn:"+strings.Repeat("a", n-10)+"*"),
		"question marks":           one(strings.Repeat("?", n), strings.Repeat("?*", n/2)),
		"many short wildcards":     many("*a*"),
		"many stars":               many("*"),
		"many near-misses":         many("iam:Put*x"),
	}
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			a, err := Analyze([]byte(d))
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, a)
			if el := time.Since(start); el > 10*time.Second {
				t.Errorf("took %v", el)
			}
			t.Logf("%s: %s in %v", name, a.Level, time.Since(start))
		})
	}
}
