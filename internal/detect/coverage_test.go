package detect

import (
	"slices"
	"strings"
	"testing"
)

func kindBits(t *testing.T, names ...string) uint64 {
	t.Helper()
	var out uint64
	for _, n := range names {
		k := kindIndex(n)
		if k < 0 {
			t.Fatalf("no event kind %q", n)
		}
		out |= 1 << k
	}
	return out
}

// TestCoverage: rules are reported as unable to work exactly when the
// kinds their scope reaches are absent; a correlation when one rule it
// joins cannot work.
func TestCoverage(t *testing.T) {
	e := engine(t)
	all := NewCensus().All()
	cases := []struct {
		name      string
		seen      uint64
		gaps      map[string][]string // kind -> rule ids that must be listed under it
		notListed []string            // rule ids that must not be listed at all
	}{
		{"everything present", all, nil, []string{"idc.signin.password-spray", "idc.assignment.created"}},
		{"a write-only trail of the home region", kindBits(t, "management", "signin", "token", "organizations", "iam"),
			map[string][]string{"role-use": {"idc.session.fresh-assignment-used", "idc.token.replay", "idc.chain.user-takeover", "idc.chain.device-code-credentials"}},
			[]string{"idc.assignment.created", "idc.signin.password-spray", "idc.token.device-code-unknown-network", "idc.chain.backdoor-user"}},
		{"a member account's trail", kindBits(t, "role-use", "iam"),
			map[string][]string{
				"signin":        {"idc.signin.password-spray", "idc.signin.brute-force", "idc.chain.spray-then-success"},
				"management":    {"idc.assignment.created", "idc.change.unlisted-actor", "idc.session.fresh-assignment-used"},
				"token":         {"idc.token.device-code-scripted-client"},
				"organizations": {"idc.delegated-admin.registered"},
			},
			[]string{"idc.token.replay", "idc.portal.enumeration-burst"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gaps := e.Coverage(c.seen)
			listed := map[string][]string{}
			for _, g := range gaps {
				listed[g.Kind.Name] = g.Rules
			}
			for kind, ids := range c.gaps {
				for _, id := range ids {
					if !slices.Contains(listed[kind], id) {
						t.Errorf("%s not listed under %s: %v", id, kind, listed[kind])
					}
				}
			}
			for _, id := range c.notListed {
				for kind, ids := range listed {
					if slices.Contains(ids, id) {
						t.Errorf("%s listed under %s though it can work", id, kind)
					}
				}
			}
			if len(c.gaps) == 0 && len(gaps) > 0 {
				t.Errorf("gaps with every kind present: %v", gaps)
			}
			for kind := range listed {
				if _, want := c.gaps[kind]; !want {
					t.Errorf("unexpected gap %s: %v", kind, listed[kind])
				}
			}
		})
	}
	rep := CoverageReport(e.Coverage(kindBits(t, "management")))
	if !strings.HasPrefix(rep, "coverage: ") || !strings.Contains(rep, "\n  no Identity Center sign-in events") {
		t.Errorf("report:\n%s", rep)
	}
	if CoverageReport(e.Coverage(all)) != "" {
		t.Error("a report with nothing missing")
	}
}
