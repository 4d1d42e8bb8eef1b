package detect

import (
	"strings"
	"testing"
)

// TestRulePackOwnTests runs every rule's own positive and negative events.
func TestRulePackOwnTests(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := TestContext()
	if err != nil {
		t.Fatal(err)
	}
	res, err := rs.RunTests(cfg)
	if err != nil {
		t.Fatal(err)
	}
	perRule := map[string][2]int{}
	for _, r := range res {
		c := perRule[r.Rule]
		if r.Passed {
			c[0]++
		} else {
			c[1]++
			t.Errorf("%s: %s: %s", r.Rule, r.Name, r.Detail)
		}
		perRule[r.Rule] = c
	}
	if len(res) < 40 {
		t.Errorf("only %d rule tests ran", len(res))
	}
}

// TestRulePackContract checks that every rule id the contract names exists
// and carries both a positive and a negative test.
func TestRulePackContract(t *testing.T) {
	want := []string{
		"idc.permission-set.created", "idc.permission-set.admin-policy-attached",
		"idc.permission-set.privileged-inline-policy", "idc.permission-set.session-duration-raised",
		"idc.permission-set.boundary-removed", "idc.permission-set.provisioned",
		"idc.assignment.created", "idc.assignment.deleted", "idc.directory.user-created",
		"idc.directory.group-created", "idc.directory.privileged-group-member-added",
		"idc.identity-source.changed", "idc.identity-source.scim-token-created",
		"idc.settings.mfa-weakened", "idc.settings.portal-session-extended",
		"idc.delegated-admin.registered", "idc.change.unlisted-actor",
		"idc.session.fresh-assignment-used", "idc.chain.backdoor-permission-set", "idc.chain.backdoor-user",
	}
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range want {
		r := rs.Find(id)
		if r == nil {
			t.Errorf("rule %s missing", id)
			continue
		}
		pos, neg := 0, 0
		for _, tc := range r.Portcullis.Tests {
			if tc.Match {
				pos++
			} else {
				neg++
			}
		}
		if pos == 0 || neg == 0 {
			t.Errorf("rule %s: %d positive and %d negative tests; want both", id, pos, neg)
		}
		if !strings.HasPrefix(r.Source, "rules/"+id) {
			t.Errorf("rule %s lives in %s; file name should match the id", id, r.Source)
		}
	}
}

// TestInterestIsNarrow guards the prefilter: the pack must not make it pass
// every record, and must keep sts narrowed to AssumeRoleWithSAML.
func TestInterestIsNarrow(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(rs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := e.Interest()
	if len(in) == 0 {
		t.Fatal("interest is empty: the prefilter would pass every record")
	}
	for _, i := range in {
		if i.Source == "sts.amazonaws.com" {
			if len(i.Names) != 1 || i.Names[0] != "AssumeRoleWithSAML" || len(i.Contains) != 1 {
				t.Errorf("sts interest too wide: %+v", i)
			}
		}
		if i.Source == "organizations.amazonaws.com" && len(i.Names) == 0 {
			t.Errorf("organizations interest too wide: %+v", i)
		}
	}
}
