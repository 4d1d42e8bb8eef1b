package detect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/enrich"
)

// TestMisspelledDerivedFieldFailsToLoad: a portcullis.* field enrichment
// never sets is a load error naming the file and the field, wherever the
// rule names it.
func TestMisspelledDerivedFieldFailsToLoad(t *testing.T) {
	const plain = "title: t\nname: sig-a\nlogsource: {product: aws, service: cloudtrail}\n"
	cases := []struct{ name, doc, where string }{
		{"selection", plain + "detection: {s: {eventSource: sso.amazonaws.com, portcullis.actor.nmae: x}, condition: s}\nportcullis: {id: idc.test.typo}\n", "detection.s"},
		{"escalation", plain + "detection: {s: {eventSource: sso.amazonaws.com}, condition: s}\nportcullis: {id: idc.test.typo, escalate: [{level: high, when: {portcullis.target.sensitiv: true}}]}\n", "portcullis.escalate[0].when"},
		{"summary", plain + "detection: {s: {eventSource: sso.amazonaws.com}, condition: s}\nportcullis: {id: idc.test.typo, summary: '{portcullis.actor.name|{portcullis.actor.nmae}} did it'}\n", "portcullis.summary"},
		{"group-by", "title: c\ncorrelation: {type: event_count, rules: [sig-a], group-by: [portcullis.actor.kee], timespan: 1h, condition: {gte: 2}}\nportcullis: {id: idc.test.typo}\n", "correlation.group-by"},
		{"alias", "title: c\ncorrelation: {type: temporal, rules: [sig-a, sig-a], group-by: [k], aliases: {k: {sig-a: portcullis.grant.kee}}, timespan: 1h}\nportcullis: {id: idc.test.typo}\n", "correlation.aliases.k.sig-a"},
		{"case does not hide it", plain + "detection: {s: {eventSource: sso.amazonaws.com, Portcullis.Actor.Name: x}, condition: s}\nportcullis: {id: idc.test.typo}\n", "detection.s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "typo.yml"), []byte(c.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			if err == nil {
				t.Fatal("rule with a misspelled derived field loaded")
			}
			for _, want := range []string{filepath.Join(dir, "typo.yml"), c.where, "unknown derived field"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// TestDerivedFieldTypes runs every rule test event through the engine and
// checks each derived field it carries against its documented type.
func TestDerivedFieldTypes(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := TestContext()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(rs, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, r := range rs.Rules {
		for _, tc := range r.Portcullis.Tests {
			for i, m := range append(tc.Before, tc.Event) {
				ev, err := toEvent(m, i)
				if err != nil {
					t.Fatal(err)
				}
				e.Process(ev)
				for name, v := range ev.Derived {
					f, ok := enrich.LookupField(name)
					if !ok {
						t.Errorf("%s: enrichment set %s, which is not in the list", r.Source, name)
						continue
					}
					seen++
					if got := typeOf(v); got != f.Type {
						t.Errorf("%s: %s is a %s (%T), documented as %s", r.Source, name, got, v, f.Type)
					}
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no derived fields seen")
	}
}

func typeOf(v any) enrich.FieldType {
	switch v.(type) {
	case string:
		return enrich.TypeString
	case bool:
		return enrich.TypeBool
	case int, int64, float64:
		return enrich.TypeNumber
	case []string:
		return enrich.TypeStringList
	}
	return "unknown"
}
