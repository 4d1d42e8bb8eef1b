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

// TestDriftRuleIsListed: the rule watch --baseline raises is in the pack
// like every rule (listed, documented, no events to test) and the engine
// has nothing to evaluate for it.
func TestDriftRuleIsListed(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	r := rs.Find("idc.drift.rogue-grant")
	if r == nil {
		t.Fatal("idc.drift.rogue-grant is not in the pack")
	}
	if !r.Generates() || !r.RaisedByWatch() || r.KindLabel() != "raised by watch --baseline" || r.Detection != nil || r.Correlation != nil {
		t.Errorf("drift rule: generates %v, kind %q", r.Generates(), r.KindLabel())
	}
	if r.Title == "" || r.Portcullis.Remediation == "" || len(r.Attack()) == 0 || len(r.FalsePositives) == 0 || r.Description == "" {
		t.Errorf("drift rule lacks metadata: %+v", r.Rule)
	}
	cfg, err := TestContext()
	if err != nil {
		t.Fatal(err)
	}
	md, err := Docs(rs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md, "| `idc.drift.rogue-grant` | high, raised by `watch --baseline` |") {
		t.Errorf("rule table lacks the drift rule:\n%s", md)
	}
	e, err := NewEngine(rs, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range e.plainRules() {
		if p == r || p.Portcullis.ID == r.Portcullis.ID {
			t.Error("the engine evaluates the drift rule")
		}
	}
}

func TestRuleKind(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{
		"idc.assignment.created":               "rule",
		"idc.identity-source.changed":          "rule, guardrail",
		"idc.chain.backdoor-permission-set":    "correlation",
		"idc.drift.rogue-grant":                "raised by watch --baseline",
		"idc.trust-anchor.reserved-role-probe": "rule, attempts",
	} {
		if got := rs.Find(id).KindLabel(); got != want {
			t.Errorf("%s: kind %q, want %q", id, got, want)
		}
	}
}
