package drift

import (
	"regexp"
	"strings"
	"testing"
)

func TestDiffPolicies(t *testing.T) {
	const s3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	cases := []struct {
		name                      string
		before, after             string
		added, removed, unchanged int
		wantErr                   bool
		addedHas                  string
	}{
		{name: "identical", before: s3, after: s3, unchanged: 1},
		{name: "key order, spacing, string-vs-list and action order do not count", before: s3,
			after: `{ "Statement" : { "Resource":["*"], "Action":["s3:ListBucket","s3:GetObject"], "Effect":"Allow" }, "Version":"2012-10-17" }`, unchanged: 1},
		{name: "statement added", before: s3, after: `{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"},{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`,
			added: 1, unchanged: 1, addedHas: `"iam:*"`},
		{name: "statement removed", before: `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
			after: `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, removed: 1, unchanged: 1},
		{name: "statement changed is one out, one in", before: s3, after: strings.Replace(s3, "s3:ListBucket", "s3:PutObject", 1), added: 1, removed: 1},
		{name: "duplicates are counted", before: `{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*"}]}`,
			after: `{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*"},{"Effect":"Allow","Action":"a:b","Resource":"*"}]}`, added: 1, unchanged: 1},
		{name: "policy put where there was none", before: "", after: s3, added: 1},
		{name: "policy deleted", before: s3, after: "  ", removed: 1},
		{name: "condition order does not count", before: `{"Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`,
			after: `{"Statement":[{"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:MultiFactorAuthPresent":"true"}},"Effect":"Allow","Action":"a:b","Resource":"*"}]}`, unchanged: 1},
		{name: "invalid new document falls back to text", before: s3, after: `{"Statement":[`, added: 1, removed: 1, wantErr: true},
		{name: "statement that is not an object", before: "", after: `{"Statement":["x"]}`, added: 1, wantErr: true},
		{name: "document that is a list", before: `[1]`, after: `[1]`, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := DiffPolicies(c.before, c.after)
			if len(d.Added) != c.added || len(d.Removed) != c.removed || d.Unchanged != c.unchanged || (d.Error != "") != c.wantErr {
				t.Fatalf("got +%d -%d =%d err %q", len(d.Added), len(d.Removed), d.Unchanged, d.Error)
			}
			if c.addedHas != "" && !strings.Contains(d.Added[0], c.addedHas) {
				t.Fatalf("added statement %q lacks %s", d.Added[0], c.addedHas)
			}
			if d.Empty() != (c.added == 0 && c.removed == 0) {
				t.Fatal("Empty disagrees with the lists")
			}
		})
	}
}

func TestPolicyDiffTextMarksEveryLine(t *testing.T) {
	d := DiffPolicies(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	txt := d.Text()
	line := regexp.MustCompile(`^[-+] `)
	for _, l := range strings.Split(strings.TrimSuffix(txt, "\n"), "\n") {
		if !line.MatchString(l) {
			t.Fatalf("line %q is not marked:\n%s", l, txt)
		}
	}
	if !strings.Contains(txt, "- ") || !strings.Contains(txt, `+     "*"`) {
		t.Fatalf("text:\n%s", txt)
	}
}

// FuzzDiffPolicies: any pair of documents gives a diff without panicking,
// and a document compared with itself is never a change.
func FuzzDiffPolicies(f *testing.F) {
	f.Add(`{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, `{"Statement":{"Effect":"Deny","NotAction":["iam:*"],"Resource":"*"}}`)
	f.Add("", `{"Version":"2012-10-17"}`)
	f.Fuzz(func(t *testing.T, a, b string) {
		d := DiffPolicies(a, b)
		_ = d.Text()
		if self := DiffPolicies(a, a); !self.Empty() && self.Error == "" {
			t.Fatalf("%q differs from itself: %+v", a, self)
		}
	})
}
