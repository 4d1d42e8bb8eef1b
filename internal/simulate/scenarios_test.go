package simulate

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func readConfig(t *testing.T, path string) fileConfig {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg fileConfig
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestScenarioStepsAreInTheTrail runs each scenario alone and checks that
// its truth steps name real records, by actors outside admins, with the
// content their rule needs.
func TestScenarioStepsAreInTheTrail(t *testing.T) {
	tests := []struct {
		scenario string
		rules    []string
	}{
		{"backdoor-permission-set", []string{"idc.permission-set.created", "idc.permission-set.admin-policy-attached",
			"idc.permission-set.privileged-inline-policy", "idc.permission-set.session-duration-raised", "idc.permission-set.boundary-removed",
			"idc.permission-set.provisioned", "idc.assignment.created", "idc.chain.backdoor-permission-set", "idc.session.fresh-assignment-used"}},
		{"backdoor-user", []string{"idc.directory.user-created", "idc.directory.privileged-group-member-added", "idc.chain.backdoor-user"}},
		{"privileged-group-via-api", []string{"idc.directory.privileged-group-member-added"}},
		{"privileged-group-via-scim", []string{"idc.directory.privileged-group-member-added"}},
		{"customer-managed-policy", []string{"idc.permission-set.admin-policy-attached"}},
		{"identity-source", []string{"idc.identity-source.changed"}},
		{"scim-token", []string{"idc.identity-source.scim-token-created"}},
		{"mfa-weakened", []string{"idc.settings.mfa-weakened"}},
		{"portal-session", []string{"idc.settings.portal-session-extended"}},
		{"delegated-admin", []string{"idc.delegated-admin.registered"}},
		{"assignment-deleted", []string{"idc.assignment.deleted"}},
		{"group-created", []string{"idc.directory.group-created"}},
		{"unlisted-actor", []string{"idc.change.unlisted-actor"}},
		{"golden-jwt", []string{"idc.app.trusted-token-issuer-created", "idc.app.custom-application-created", "idc.app.grant-added",
			"idc.app.authentication-method", "idc.app.assignment-not-required", "idc.app.account-access-scope", "idc.app.assignment-created", "idc.chain.golden-jwt"}},
		{"account-instance", []string{"idc.instance.created", "idc.instance.deleted"}},
		{"instance-lockout", []string{"idc.instance.changed", "idc.instance.region-changed"}},
		{"delegated-admin-deregistered", []string{"idc.delegated-admin.deregistered"}},
		{"org-service-access", []string{"idc.org.service-access-changed"}},
		{"referenced-policy", []string{"idc.permission-set.referenced-policy-changed"}},
		{"trust-anchor", []string{"idc.trust-anchor.reserved-role-probe", "idc.trust-anchor.saml-provider-changed"}},
		{"extended-session", []string{"idc.settings.extended-session"}},
		{"abac", []string{"idc.abac.changed"}},
		{"delegation-tags", []string{"idc.permission-set.tagged", "idc.session.revoked-bulk"}},
	}
	if len(tests) != len(ScenarioNames()) {
		t.Fatalf("table covers %d scenarios, ScenarioNames has %d", len(tests), len(ScenarioNames()))
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			sum, dir := run(t, Options{Events: 300, Days: 1, Accounts: 3, Seed: 11, Scenarios: []string{tc.scenario}})
			c := mustRead(t, dir, sum)
			cfg := readConfig(t, sum.ConfigPath)
			var rules []string
			for _, s := range sum.Attacks {
				if s.Scenario != tc.scenario {
					t.Errorf("step for %q in a %q-only run", s.Scenario, tc.scenario)
				}
				if !slices.Contains(rules, s.Rule) {
					rules = append(rules, s.Rule)
				}
				r, ok := c.byID[s.EventID]
				if !ok {
					t.Fatalf("step %s/%s: event %s not in the trail", s.Rule, s.EventName, s.EventID)
				}
				et, _ := time.Parse(time.RFC3339, str(r, "eventTime"))
				if str(r, "eventName") != s.EventName || str(r, "eventSource") != s.EventSource ||
					str(r, "recipientAccountId") != s.Account || !et.Equal(s.Time) {
					t.Errorf("step %+v disagrees with record %s/%s/%s/%s", s, str(r, "eventName"), str(r, "eventSource"), str(r, "recipientAccountId"), et)
				}
				if actorMatches(cfg.Admins, r) {
					t.Errorf("step %s: actor %s matches the config admins", s.Rule, str(r, "userIdentity.arn"))
				}
				if _, failed := r["errorCode"]; failed && !attemptRules[s.Rule] {
					t.Errorf("step %s: attack record failed", s.Rule)
				}
			}
			slices.Sort(rules)
			want := slices.Clone(tc.rules)
			slices.Sort(want)
			if !slices.Equal(rules, want) {
				t.Errorf("rules %v, want %v", rules, want)
			}
			checkContent(t, tc.scenario, sum.Attacks, c, cfg)
			checkConfigPlane(t, tc.scenario, sum.Attacks, c, cfg)
		})
	}
}

// checkContent asserts the facts a context-aware rule reads in each story.
func checkContent(t *testing.T, scenario string, steps []Step, c *corpus, cfg fileConfig) {
	t.Helper()
	rec := func(rule, name string) map[string]any {
		for _, s := range steps {
			if s.Rule == rule && (name == "" || s.EventName == name) {
				return c.byID[s.EventID]
			}
		}
		t.Fatalf("no %s step for %s", rule, name)
		return nil
	}
	switch scenario {
	case "backdoor-permission-set":
		created := rec("idc.permission-set.created", "")
		name := str(created, "requestParameters.name")
		psArn := str(created, "responseElements.permissionSet.permissionSetArn")
		if str(rec("idc.permission-set.admin-policy-attached", ""), "requestParameters.managedPolicyArn") != policyAdmin {
			t.Error("attached policy is not AdministratorAccess")
		}
		if str(rec("idc.permission-set.session-duration-raised", ""), "requestParameters.sessionDuration") != "PT12H" {
			t.Error("session duration not raised to PT12H")
		}
		var inline map[string]any
		if err := json.Unmarshal([]byte(str(rec("idc.permission-set.privileged-inline-policy", ""), "requestParameters.inlinePolicy")), &inline); err != nil {
			t.Errorf("inlinePolicy is not a JSON string: %v", err)
		}
		assign := rec("idc.assignment.created", "")
		acct := str(assign, "requestParameters.targetId")
		if !slices.Contains(cfg.SensitiveAccounts, acct) || str(assign, "requestParameters.permissionSetArn") != psArn ||
			str(assign, "responseElements.accountAssignmentCreationStatus.status") != "IN_PROGRESS" {
			t.Errorf("assignment %v is not the new set on a sensitive account", assign["requestParameters"])
		}
		if !slices.Contains(cfg.SensitiveAccounts, str(rec("idc.permission-set.provisioned", ""), "requestParameters.targetId")) {
			t.Error("provisioned to a non-sensitive account")
		}
		at, _ := time.Parse(time.RFC3339, str(assign, "eventTime"))
		grc := rec("idc.session.fresh-assignment-used", "GetRoleCredentials")
		saml := rec("idc.session.fresh-assignment-used", "AssumeRoleWithSAML")
		if str(grc, "serviceEventDetails.role_name") != name || str(grc, "serviceEventDetails.account_id") != acct {
			t.Errorf("GetRoleCredentials details %v, want role %s in %s", grc["serviceEventDetails"], name, acct)
		}
		if !strings.Contains(str(saml, "requestParameters.roleArn"), "/AWSReservedSSO_"+name+"_") || str(saml, "recipientAccountId") != acct ||
			str(saml, "userIdentity.type") != "SAMLUser" {
			t.Errorf("AssumeRoleWithSAML %s in %s does not use the new set", str(saml, "requestParameters.roleArn"), str(saml, "recipientAccountId"))
		}
		for _, r := range []map[string]any{grc, saml} {
			ut, _ := time.Parse(time.RFC3339, str(r, "eventTime"))
			if d := ut.Sub(at); d <= 0 || d > time.Hour {
				t.Errorf("%s %v after the assignment, want within the hour", str(r, "eventName"), d)
			}
		}
	case "backdoor-user", "privileged-group-via-api", "privileged-group-via-scim":
		add := rec("idc.directory.privileged-group-member-added", "")
		if g := str(add, "requestParameters.groupId"); !slices.Contains(cfg.PrivilegedGroups, g) {
			t.Errorf("group %s is not in privileged_groups", g)
		}
		if scenario == "backdoor-user" {
			uid := str(rec("idc.directory.user-created", ""), "responseElements.user.userId")
			if uid == "" || str(add, "requestParameters.member.memberId") != uid {
				t.Errorf("the user added (%s) is not the user created (%s)", str(add, "requestParameters.member.memberId"), uid)
			}
		}
		if scenario == "privileged-group-via-scim" {
			ops, _ := add["requestParameters"].(map[string]any)["httpBody"].(map[string]any)["Operations"].([]any)
			if len(ops) != 1 || ops[0].(map[string]any)["op"] != "add" || ops[0].(map[string]any)["path"] != "members" {
				t.Errorf("PatchGroup operations %v", ops)
			}
		}
	case "assignment-deleted":
		del := rec("idc.assignment.deleted", "")
		if !slices.Contains(cfg.PrivilegedGroups, str(del, "requestParameters.principalId")) {
			t.Error("deleted assignment is not a privileged group's")
		}
	case "delegated-admin":
		if str(rec("idc.delegated-admin.registered", ""), "requestParameters.servicePrincipal") != srcSSO {
			t.Error("servicePrincipal is not sso.amazonaws.com")
		}
	case "portal-session":
		if r := rec("idc.settings.portal-session-extended", ""); str(r, "requestParameters.type") != "SESSION" || str(r, "requestParameters.maxAuthenticationAge") == "" {
			t.Errorf("UpdateSsoConfiguration %v", r["requestParameters"])
		}
	}
}

func TestTruthFileMatchesSummary(t *testing.T) {
	c := shared(t)
	raw, err := os.ReadFile(c.sum.TruthPath)
	if err != nil {
		t.Fatal(err)
	}
	var steps []Step
	if err := json.Unmarshal(raw, &steps); err != nil {
		t.Fatal(err)
	}
	if len(steps) == 0 || len(steps) != len(c.sum.Attacks) {
		t.Fatalf("truth has %d steps, summary %d", len(steps), len(c.sum.Attacks))
	}
	for i := range steps {
		if steps[i] != c.sum.Attacks[i] {
			t.Errorf("step %d: file %+v, summary %+v", i, steps[i], c.sum.Attacks[i])
		}
		if _, ok := c.byID[steps[i].EventID]; !ok {
			t.Errorf("step %d: %s not in the trail", i, steps[i].EventID)
		}
	}
}

// adminWrites are the Identity Center changes the rule pack reasons about.
var adminWrites = map[string]bool{
	"CreatePermissionSet": true, "UpdatePermissionSet": true, "AttachManagedPolicyToPermissionSet": true, "PutInlinePolicyToPermissionSet": true,
	"CreateAccountAssignment": true, "DeleteAccountAssignment": true, "ProvisionPermissionSet": true, "CreateUser": true,
	"CreateGroupMembership": true, "AddMemberToGroup": true, "PatchGroup": true, "CreateGroup": true, "DeletePermissionsBoundaryFromPermissionSet": true,
	"AttachCustomerManagedPolicyReferenceToPermissionSet": true, "RegisterDelegatedAdministrator": true,
}

// TestRoutineWorkIsBenign: every Identity Center change outside the truth is
// by a config admin, within max_session_duration, away from sensitive
// accounts and privileged groups; no benign session uses a permission set
// assigned inside the window.
func TestRoutineWorkIsBenign(t *testing.T) {
	c := shared(t)
	cfg := readConfig(t, c.sum.ConfigPath)
	attack := map[string]bool{}
	for _, s := range c.sum.Attacks {
		attack[s.EventID] = true
	}
	fresh := map[string]bool{} // permission set names created or assigned in the window
	routine := 0
	for _, o := range c.objects {
		for _, r := range o.records {
			name, id := str(r, "eventName"), str(r, "eventID")
			if !adminWrites[name] || attack[id] || str(r, "eventSource") == srcIAM {
				continue
			}
			routine++
			if !actorMatches(cfg.Admins, r) {
				t.Errorf("%s %s by %s: not a config admin", name, id, str(r, "userIdentity.arn"))
			}
			if d := str(r, "requestParameters.sessionDuration"); d != "" && isoDuration(t, d) > isoDuration(t, cfg.MaxSessionDuration) {
				t.Errorf("%s %s: sessionDuration %s above %s", name, id, d, cfg.MaxSessionDuration)
			}
			if a := str(r, "requestParameters.targetId"); a != "" && slices.Contains(cfg.SensitiveAccounts, a) {
				t.Errorf("%s %s: routine change to sensitive account %s", name, id, a)
			}
			if g := str(r, "requestParameters.groupId"); g != "" && slices.Contains(cfg.PrivilegedGroups, g) {
				t.Errorf("%s %s: routine change to privileged group %s", name, id, g)
			}
			if name == "CreatePermissionSet" {
				fresh[str(r, "requestParameters.name")] = true
			}
		}
	}
	if routine < 8 {
		t.Errorf("only %d routine admin changes in two days", routine)
	}
	for _, s := range c.sum.Attacks {
		if s.EventName == "CreatePermissionSet" {
			fresh[str(c.byID[s.EventID], "requestParameters.name")] = true
		}
	}
	for _, o := range c.objects {
		for _, r := range o.records {
			if attack[str(r, "eventID")] {
				continue
			}
			ps := str(r, "serviceEventDetails.role_name")
			if arn := str(r, "requestParameters.roleArn"); str(r, "eventName") == "AssumeRoleWithSAML" {
				ps = strings.Split(strings.TrimPrefix(arn[strings.LastIndex(arn, "/")+1:], "AWSReservedSSO_"), "_")[0]
			}
			if fresh[ps] {
				t.Errorf("benign %s %s uses permission set %s created in the window", str(r, "eventName"), str(r, "eventID"), ps)
			}
		}
	}
}

// isoDuration reads the PTnHnM durations Identity Center uses.
func isoDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(strings.ToLower(strings.TrimPrefix(s, "PT")))
	if err != nil || !strings.HasPrefix(s, "PT") {
		t.Fatalf("bad ISO-8601 duration %q", s)
	}
	return d
}
