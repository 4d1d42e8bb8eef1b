package detect

import (
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/sigma"
	"github.com/portcullis-sec/portcullis/rules"
)

// FuzzCompileRule: whatever internal/sigma parses (its own FuzzParse
// covers the parser), the engine compiles and evaluates without a panic.
func FuzzCompileRule(f *testing.F) {
	entries, _ := rules.FS.ReadDir(".")
	for _, e := range entries {
		if b, err := rules.FS.ReadFile(e.Name()); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(baseRule + "  s: {a|contains|all: [x, y]}\n  condition: not (s or 1 of them)"))
	f.Add([]byte(baseRule + "  s: {a|expand|re: '%admins%'}\n  condition: s"))
	ev, err := cloudtrail.Decode([]byte(`{"eventSource":"sso.amazonaws.com","eventName":"X","requestParameters":{"a":["x","y"],"n":1}}`), cloudtrail.Origin{})
	if err != nil {
		f.Fatal(err)
	}
	cfg, err := config.Parse([]byte("admins: ['(', alice]\nsensitive_accounts: [\"222222222222\"]\n"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sr, err := sigma.Parse(b, "fuzz.yml")
		if err != nil {
			return
		}
		r := &Rule{Rule: sr}
		if err := newCompiler(cfg).rule(r); err != nil {
			return
		}
		if r.match != nil {
			r.match.eval(ev)
		}
		for _, esc := range r.escalate {
			esc.when.eval(ev)
		}
		r.interest()
		scopeOf(r)
	})
}
