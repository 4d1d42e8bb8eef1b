package respond

import (
	"slices"
	"testing"
	"time"
)

func TestRemoveStatements(t *testing.T) {
	tests := []struct {
		name, doc string
		sids      []string
		want      string
		removed   []string
	}{
		{"keeps the others byte for byte", `{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"Keep","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"PortcullisDenyIssuedBefore","Effect":"Deny","Action":"*","Resource":"*"}]}`,
			[]string{"PortcullisDenyIssuedBefore"}, `{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"Keep","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, []string{"PortcullisDenyIssuedBefore"}},
		{"only ours: nothing left", `{"Version":"2012-10-17","Statement":{"Sid":"PortcullisDenyUserabc","Effect":"Deny","Action":"*","Resource":"*"}}`,
			[]string{"PortcullisDenyUserabc"}, "", []string{"PortcullisDenyUserabc"}},
		{"a Sid not asked for stays", `{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyOther","Effect":"Deny","Action":"*","Resource":"*"}]}`,
			[]string{"PortcullisDenyIssuedBefore"}, `{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyOther","Effect":"Deny","Action":"*","Resource":"*"}]}`, nil},
		{"no policy", "", []string{"PortcullisDenyIssuedBefore"}, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, removed, err := RemoveStatements(tc.doc, tc.sids)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || !slices.Equal(removed, tc.removed) {
				t.Errorf("got %q removed %v, want %q %v", got, removed, tc.want, tc.removed)
			}
		})
	}
	if _, _, err := RemoveStatements(`{"Statement":`, []string{"x"}); err == nil {
		t.Error("a broken document was accepted")
	}
}

// TestLiftScope: a lift needs a scope, and finds only PortcullisDeny…
// statements; a set without any gets a note, not a step.
func TestLiftScope(t *testing.T) {
	m := loadModel(t)
	now := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
	if _, err := Lift(LiftInput{}, m, now); err == nil {
		t.Error("a lift without scope was accepted")
	}
	p, err := Lift(LiftInput{PermissionSet: psDev}, m, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 0 || len(p.Notes) == 0 || !p.Options.Lift {
		t.Errorf("steps %d notes %v lift %v, want no step and a note", len(p.Steps), p.Notes, p.Options.Lift)
	}
	m.PermissionSets[psDev].InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyIssuedBefore","Effect":"Deny","Action":"*","Resource":"*"}]}`
	p, err = Lift(LiftInput{PermissionSet: "DevAccess"}, m, now)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, s := range p.Steps {
		ops = append(ops, s.Call.Operation)
	}
	if !slices.Equal(ops, []string{"DeleteInlinePolicyFromPermissionSet", "ProvisionPermissionSet"}) {
		t.Errorf("ops %v", ops)
	}
	if err := p.VerifyHash(); err != nil || p.State == nil {
		t.Errorf("hash %v, state %v", err, p.State)
	}
}
