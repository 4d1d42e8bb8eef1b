package cli

import (
	"context"
	"strings"
	"testing"
)

// TestDemoShowsTheAttack: the README's first command must show a detected
// attack, the admin path it left and a containment plan, with no network.
func TestDemoShowsTheAttack(t *testing.T) {
	app, out, errb := testApp("")
	if code := app.Run(context.Background(), []string{"demo", "--events", "8000"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	s := out.String()
	for _, want := range []string{"CRITICAL", "idc.chain.backdoor-permission-set", "idc.session.fresh-assignment-used",
		"The story", "Admin paths into sensitive accounts", "Containment plan", "DeleteAccountAssignment",
		"the configuration plane", "idc.chain.golden-jwt", "this one is not among them"} {
		if !strings.Contains(s, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}
