package detect

import (
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/rules"
)

// FuzzParseRule: rule files are user input (--rules DIR); parsing and
// evaluating whatever parses must never panic.
func FuzzParseRule(f *testing.F) {
	entries, _ := rules.FS.ReadDir(".")
	for _, e := range entries {
		if b, err := rules.FS.ReadFile(e.Name()); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(baseRule + "  s: {a|contains|all: [x, y]}\n  condition: not (s or 1 of them)"))
	ev, err := cloudtrail.Decode([]byte(`{"eventSource":"sso.amazonaws.com","eventName":"X","requestParameters":{"a":["x","y"],"n":1}}`), cloudtrail.Origin{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRule(b, "fuzz.yml")
		if err != nil || r.detection == nil {
			return
		}
		r.detection.eval(ev)
		r.interest()
	})
}
