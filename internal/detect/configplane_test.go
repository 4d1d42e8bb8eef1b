package detect

import (
	"slices"
	"strings"
	"testing"
)

// configPlaneRules are the rule pack v2's configuration-plane rules
// (issue 11): applications and trusted token issuers, instances,
// organization tampering, member-account policies and trust anchors, long
// sessions and scope knobs.
var configPlaneRules = []string{
	"idc.app.trusted-token-issuer-created", "idc.app.custom-application-created", "idc.app.grant-added",
	"idc.app.authentication-method", "idc.app.assignment-not-required", "idc.app.account-access-scope",
	"idc.app.assignment-created", "idc.chain.golden-jwt",
	"idc.instance.created", "idc.instance.changed", "idc.instance.deleted", "idc.instance.region-changed",
	"idc.org.service-access-changed", "idc.delegated-admin.deregistered",
	"idc.permission-set.referenced-policy-changed",
	"idc.trust-anchor.saml-provider-changed", "idc.trust-anchor.reserved-role-probe",
	"idc.settings.extended-session", "idc.abac.changed", "idc.permission-set.tagged", "idc.session.revoked-bulk",
}

// TestConfigPlaneRulesContract: every configuration-plane rule exists, in a
// file named by its id, with positive and negative tests.
func TestConfigPlaneRulesContract(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range configPlaneRules {
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
		if !strings.HasPrefix(r.Source, "rules/"+id+".yml") {
			t.Errorf("rule %s lives in %s", id, r.Source)
		}
	}
}

// TestIAMInterestIsNarrow: the member-account rules let through only the
// IAM calls they read, never every iam record, and the reserved-role and
// SAML-provider ones only records that name the Identity Center objects.
func TestIAMInterestIsNarrow(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(rs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var iam int
	for _, in := range e.Interest() {
		if in.Source != "iam.amazonaws.com" {
			continue
		}
		iam++
		if len(in.Names) == 0 && len(in.NamePrefixes) == 0 {
			t.Errorf("iam interest passes every iam record: %+v", in)
		}
		if slices.Contains(in.Names, "PutRolePolicy") && !slices.Contains(in.Contains, "AWSReservedSSO_") {
			t.Errorf("role edits pass without the AWSReservedSSO_ test: %+v", in)
		}
		if slices.Contains(in.Names, "UpdateSAMLProvider") && !slices.Contains(in.Contains, "AWSSSO_") {
			t.Errorf("SAML provider edits pass without the AWSSSO_ test: %+v", in)
		}
	}
	if iam == 0 {
		t.Error("no iam interest: the member-account rules would never see their events")
	}
}
