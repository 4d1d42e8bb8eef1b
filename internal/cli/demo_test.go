package cli

import (
	"strings"
	"testing"
)

// TestDemoShowsTheAttack: the README's first command must show a detected
// attack, the admin path it left and a containment plan, with no network.
func TestDemoShowsTheAttack(t *testing.T) {
	r := runCLI(t, "demo", "--events", "8000")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	s := r.stdout
	for _, want := range []string{"CRITICAL", "idc.chain.backdoor-permission-set", "idc.session.fresh-assignment-used",
		"The story", "Admin paths into sensitive accounts", "Containment plan", "DeleteAccountAssignment",
		"the configuration plane", "idc.chain.golden-jwt", "this one is not among them"} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}
