package sigma

import (
	"testing"

	"github.com/portcullis-sec/portcullis/rules"
)

// FuzzParse: rule files are user input (--rules DIR). Parsing must never
// panic, and whatever parses is a tree the engine and the exporters can
// walk: one body, every condition name resolving to a selection.
func FuzzParse(f *testing.F) {
	entries, _ := rules.FS.ReadDir(".")
	for _, e := range entries {
		if b, err := rules.FS.ReadFile(e.Name()); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(baseRule + "  s: {a|contains|all: [x, y]}\n  condition: not (s or 1 of them)"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b, "fuzz.yml")
		if err != nil {
			return
		}
		bodies := 0
		if r.Detection != nil {
			bodies++
			checkNames(t, r.Detection.Condition, r.Detection)
		}
		if r.Correlation != nil {
			bodies++
			if r.Correlation.Timespan <= 0 || len(r.Correlation.GroupBy) == 0 {
				t.Fatalf("correlation without a window or group-by: %+v", r.Correlation)
			}
		}
		if want := map[Kind]int{KindDetection: 1, KindDrift: 0}[r.Portcullis.Kind]; bodies != want {
			t.Fatalf("kind %q with %d bodies", r.Portcullis.Kind, bodies)
		}
		r.FieldRefs()
	})
}

func checkNames(t *testing.T, x Expr, d *Detection) {
	switch e := x.(type) {
	case And:
		checkNames(t, e.Left, d)
		checkNames(t, e.Right, d)
	case Or:
		checkNames(t, e.Left, d)
		checkNames(t, e.Right, d)
	case Not:
		checkNames(t, e.X, d)
	case Ref:
		if d.Selection(e.Name) == nil {
			t.Fatalf("condition names unknown selection %q", e.Name)
		}
	case Of:
		if len(e.Names) == 0 {
			t.Fatalf("%q matched nothing", e.Pattern)
		}
		for _, n := range e.Names {
			if d.Selection(n) == nil {
				t.Fatalf("%q matched unknown selection %q", e.Pattern, n)
			}
		}
	default:
		t.Fatalf("unknown condition node %T", x)
	}
}
