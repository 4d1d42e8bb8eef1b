package respond

import (
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/golden"
)

const (
	readmePath       = "../../README.md"
	guardBeginMarker = "<!-- guards:begin (generated from the guard registry in internal/respond; go test ./internal/respond -run TestReadmeGuardTable -update) -->\n"
	guardEndMarker   = "<!-- guards:end -->"
)

// TestReadmeGuardTable keeps the README's guard table generated from the
// registry, so it cannot drift.
func TestReadmeGuardTable(t *testing.T) {
	golden.Section(t, readmePath, guardBeginMarker, guardEndMarker, GuardTable())
}

// Every guard is documented and runs: a registry entry without a check,
// a title, a why or an override note is a bug.
func TestGuardRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range Guards() {
		if g.ID == "" || g.Title == "" || g.Why == "" || g.Override == "" || g.check == nil {
			t.Errorf("guard %q is incomplete: %+v", g.ID, g)
		}
		if seen[g.ID] {
			t.Errorf("guard %q registered twice", g.ID)
		}
		seen[g.ID] = true
	}
	if err := CheckForce(GuardIDs()); err != nil {
		t.Errorf("CheckForce refuses the registry's own names: %v", err)
	}
	err := CheckForce([]string{GuardBreakGlass, "everything"})
	if err == nil || !strings.Contains(err.Error(), `"everything"`) {
		t.Fatalf("CheckForce(everything) = %v", err)
	}
	for _, id := range GuardIDs() {
		if !strings.Contains(err.Error(), id) {
			t.Errorf("the unknown-guard error does not list %s: %v", id, err)
		}
	}
}
