package respond

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
)

func TestGuardRails(t *testing.T) {
	m, cfg := loadModel(t), loadConfig(t)
	cases := []struct {
		name string
		in   Input
		want []string // guards that refuse, sorted
	}{
		{"last admin path of an admin matched by an ARN pattern", Input{Principal: "bob@example.com"}, []string{GuardLastAdminPath}},
		{"revoking every session of the admins' set touches the management account", Input{PermissionSet: "AdministratorAccess"}, []string{GuardManagementAccount}},
		{"break-glass permission set", Input{PermissionSet: "BreakGlass"}, []string{GuardBreakGlass, GuardManagementAccount}},
		{"containing an admin trips every guard", Input{Principal: "alice@example.com"}, []string{GuardBreakGlass, GuardLastAdminPath, GuardManagementAccount}},
		{"a user-keyed deny for someone else does not touch admins", Input{Principal: userTrent}, nil},
		{"an expired admins entry does not count", Input{Principal: "carol@example.com"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Plan(tc.in, m, cfg, planTime)
			var ge *GuardError
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Plan: %v", err)
				}
				if p.Blocked() {
					t.Fatalf("refusals: %+v", p.Refusals)
				}
				return
			}
			if !errors.As(err, &ge) {
				t.Fatalf("err = %v, want a *GuardError", err)
			}
			if p == nil || !p.Blocked() {
				t.Fatal("a refused plan must still be returned, marked blocked")
			}
			if got := refusedGuards(ge); !slices.Equal(got, tc.want) {
				t.Errorf("guards %q, want %q", got, tc.want)
			}
			for _, r := range ge.Refusals {
				if !strings.Contains(err.Error(), "--force "+r.Guard) || !strings.Contains(err.Error(), "step "+r.Step) {
					t.Errorf("error does not say how to override %s at %s: %v", r.Guard, r.Step, err)
				}
				st, ok := p.Step(r.Step)
				if !ok || !slices.Contains(st.BlockedBy, r.Guard) {
					t.Errorf("step %s not marked blocked by %s", r.Step, r.Guard)
				}
			}
			// Nothing refused renders as a script (nor runs: see package apply).
			if err := RenderShell(io.Discard, p); !errors.As(err, &ge) {
				t.Errorf("RenderShell on a refused plan: %v", err)
			}
			// Each guard is overridable by name, and only by its own name.
			for _, g := range tc.want {
				in := tc.in
				in.Force = []string{g}
				_, err := Plan(in, m, cfg, planTime)
				if len(tc.want) == 1 && err != nil {
					t.Errorf("--force %s: %v", g, err)
				}
				if len(tc.want) > 1 && (!errors.As(err, &ge) || slices.Contains(refusedGuards(ge), g)) {
					t.Errorf("--force %s alone: %v", g, err)
				}
			}
			in := tc.in
			in.Force = tc.want
			p, err = Plan(in, m, cfg, planTime)
			if err != nil {
				t.Fatalf("forcing every guard: %v", err)
			}
			var over []string
			for _, s := range p.Steps {
				over = append(over, s.Overridden...)
			}
			slices.Sort(over)
			if got := slices.Compact(over); !slices.Equal(got, tc.want) {
				t.Errorf("overridden %q, want %q", got, tc.want)
			}
		})
	}
}

func refusedGuards(ge *GuardError) []string {
	var out []string
	for _, r := range ge.Refusals {
		out = append(out, r.Guard)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestForceUnknownGuard(t *testing.T) {
	_, err := Plan(Input{Principal: userTrent, Force: []string{"everything"}}, loadModel(t), loadConfig(t), planTime)
	if err == nil || !strings.Contains(err.Error(), "unknown guard") {
		t.Errorf("err = %v", err)
	}
}

func TestLastAdminPathBlamesTheRightSteps(t *testing.T) {
	p, err := Plan(Input{Principal: "bob@example.com"}, loadModel(t), loadConfig(t), planTime)
	var ge *GuardError
	if !errors.As(err, &ge) {
		t.Fatalf("err = %v", err)
	}
	var blocked []string
	for _, s := range p.Steps {
		if len(s.BlockedBy) > 0 {
			blocked = append(blocked, s.Call.Operation)
		}
	}
	// The deny keyed on bob's id and the deletion of his assignment each
	// take his only admin path; the provisioning does not.
	want := []string{"PutInlinePolicyToPermissionSet", "DeleteAccountAssignment"}
	if !slices.Equal(blocked, want) {
		t.Errorf("blocked %q, want %q", blocked, want)
	}
}

// TestGuardsIdentifyAdminsLikeTheDetectors: the guards ask actor.Allowlist
// which users are admins, so a user-name entry counts only when it equals
// the user name as the directory stores it, exactly as in detection.
func TestGuardsIdentifyAdminsLikeTheDetectors(t *testing.T) {
	m := loadModel(t)
	cases := []struct {
		name, entry string
		admin       bool
	}{
		{"user name as stored", "alice@example.com", true},
		{"user name in another case", "Alice@Example.COM", false},
		{"a glob over user names", "alice@*", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &config.Config{Admins: []config.Admin{{Pattern: tc.entry}}}
			p, err := Plan(Input{Principal: "alice@example.com"}, m, cfg, planTime)
			var ge *GuardError
			blocked := errors.As(err, &ge) && slices.Contains(refusedGuards(ge), GuardLastAdminPath)
			if blocked != tc.admin {
				t.Errorf("last-admin-path guard refused = %v, want %v (err %v, plan %v)", blocked, tc.admin, err, p != nil)
			}
		})
	}
}
