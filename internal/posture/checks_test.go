package posture

import (
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

func baseInput(t *testing.T) Input {
	return Input{Model: testModel(), Config: testConfig(t, ""), Events: loadEvents(t), Org: loadOrg(t), Now: now}
}

func objectKeys(os []Object) []string {
	var out []string
	for _, o := range os {
		k := o.ID
		if o.AccountID != "" && o.Type != "account" && o.Type != "assignment" {
			k += "@" + o.AccountID
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestChecks(t *testing.T) {
	const (
		C, H, M, L = finding.Critical, finding.High, finding.Medium, finding.Low
	)
	ps := func(in *Input, arn string) *idc.PermissionSet { return in.Model.PermissionSets[arn] }
	portalOnly := func(t *testing.T, in *Input) {
		in.Events = slices.DeleteFunc(in.Events, func(e *cloudtrail.Event) bool { return e.Source == "signin.amazonaws.com" })
	}
	cases := []struct {
		name    string
		check   string
		setup   func(*testing.T, *Input)
		status  Status
		sev     finding.Severity
		failing []string
	}{
		{"12h admin session", "posture.session-duration", nil, Fail, H, []string{psAdmin}},
		{"non-admin session above the maximum", "posture.session-duration", func(t *testing.T, in *Input) {
			ps(in, psAdmin).SessionDuration = "PT1H"
			ps(in, psView).SessionDuration = "PT8H"
		}, Fail, M, []string{psView}},
		{"unreadable session duration", "posture.session-duration", func(t *testing.T, in *Input) { ps(in, psOps).SessionDuration = "forever" }, Fail, H, []string{psAdmin, psOps}},
		{"every session within the maximum", "posture.session-duration", func(t *testing.T, in *Input) { ps(in, psAdmin).SessionDuration = "" }, Pass, M, nil},

		{"admin sets reaching a large group", "posture.admin-permission-set", nil, Fail, H, []string{psAdmin, psBounded}},
		{"admin sets reaching few users", "posture.admin-permission-set", func(t *testing.T, in *Input) { in.Model.Assignments = slices.Delete(in.Model.Assignments, 1, 2) }, Fail, M, []string{psAdmin, psBounded}},
		{"no admin sets", "posture.admin-permission-set", func(t *testing.T, in *Input) {
			ps(in, psAdmin).ManagedPolicies = nil
			ps(in, psBounded).ManagedPolicies = nil
		}, Pass, M, nil},

		{"admin set without boundary", "posture.admin-without-boundary", nil, Fail, M, []string{psAdmin}},
		{"every admin set bounded", "posture.admin-without-boundary", func(t *testing.T, in *Input) { ps(in, psAdmin).PermissionsBoundary = &idc.PolicyRef{Name: "b"} }, Pass, M, nil},

		{"admin set on a large group", "posture.admin-large-group", nil, Fail, H, []string{psAdmin + "|GROUP|g-all|" + dev}},
		{"admin set on a large group in a sensitive account", "posture.admin-large-group", func(t *testing.T, in *Input) { in.Model.Assignments[1].AccountID = prod }, Fail, C, []string{psAdmin + "|GROUP|g-all|" + prod}},
		{"groups below large_group_size", "posture.admin-large-group", func(t *testing.T, in *Input) { in.Config = testConfig(t, ""); in.Config.LargeGroupSize = 10 }, Pass, H, nil},

		{"admin in prod outside the admins list", "posture.sensitive-admin-outside-admins", nil, Fail, H, []string{"u-bob@" + prod}},
		{"admin in the management account counts", "posture.sensitive-admin-outside-admins", func(t *testing.T, in *Input) {
			in.Model.Assignments = append(in.Model.Assignments, idc.Assignment{AccountID: mgmt, PermissionSetARN: psAdmin, PrincipalType: "USER", PrincipalID: "u-erin"})
		}, Fail, H, []string{"u-bob@" + prod, "u-erin@" + mgmt}},
		{"everyone with admin is listed", "posture.sensitive-admin-outside-admins", func(t *testing.T, in *Input) {
			in.Config.Admins = append(in.Config.Admins, in.Config.Admins[0])
			in.Config.Admins[1].Pattern = "u-bob"
		}, Pass, H, nil},
		{"no sensitive accounts known", "posture.sensitive-admin-outside-admins", func(t *testing.T, in *Input) {
			in.Config.SensitiveAccounts = nil
			in.Model.ManagementAccountID = ""
		}, Skip, H, nil},

		{"delegated admin not sensitive, reachable by a non-admin", "posture.delegated-admin", nil, Fail, M, []string{sec, "u-carol@" + sec}},
		{"delegated admin guarded", "posture.delegated-admin", func(t *testing.T, in *Input) {
			in.Config = testConfig(t, "")
			in.Config.SensitiveAccounts = append(in.Config.SensitiveAccounts, sec)
			in.Config.Admins[0].Pattern = "*"
		}, Pass, M, nil},
		{"no delegated admin", "posture.delegated-admin", func(t *testing.T, in *Input) {
			in.Model.DelegatedAdminID = ""
			in.Model.Accounts[sec].DelegatedAdmin = false
		}, Pass, M, nil},
		{"no delegated admin in a source that cannot show one (Terraform)", "posture.delegated-admin", func(t *testing.T, in *Input) {
			in.Model.DelegatedAdminID = ""
			in.Model.Accounts[sec].DelegatedAdmin = false
			in.Model.SetUnknown(idc.FactDelegatedAdmin)
		}, Skip, M, nil},
		{"unknown members: a large group found still fails", "posture.admin-large-group", func(t *testing.T, in *Input) { in.Model.SetUnknown(idc.FactMemberships) }, Fail, H, []string{psAdmin + "|GROUP|g-all|" + dev}},
		{"unknown members: no large group is no pass", "posture.admin-large-group", func(t *testing.T, in *Input) {
			in.Config = testConfig(t, "")
			in.Config.LargeGroupSize = 10
			in.Model.SetUnknown(idc.FactMemberships)
		}, Skip, H, nil},
		{"unknown members: nobody outside admins is no pass", "posture.sensitive-admin-outside-admins", func(t *testing.T, in *Input) {
			in.Config.Admins = append(in.Config.Admins, in.Config.Admins[0])
			in.Config.Admins[1].Pattern = "u-bob"
			in.Model.SetUnknown(idc.FactMemberships)
		}, Skip, H, nil},
		{"permission sets replayed as stubs: short sessions are no pass", "posture.session-duration", func(t *testing.T, in *Input) {
			ps(in, psAdmin).SessionDuration = ""
			in.Model.SetUnknown(idc.FactPermissionSets)
		}, Skip, M, nil},

		{"password and TOTP sign-ins, one password-only", "posture.mfa-weak-signin", nil, Fail, H, []string{"u-bob", "u-carol"}},
		{"no events given", "posture.mfa-weak-signin", func(t *testing.T, in *Input) { in.Events = nil }, Skip, M, nil},
		{"events without sign-ins", "posture.mfa-weak-signin", portalOnly, Skip, M, nil},

		{"device enrolled at sign-in", "posture.mfa-device-enrollment", nil, Fail, M, []string{"u-carol"}},
		{"no events for enrollment", "posture.mfa-device-enrollment", func(t *testing.T, in *Input) { in.Events = nil }, Skip, M, nil},

		{"identity center writes guarded only in the prod OU", "posture.scp-guardrail", nil, Fail, H, []string{dev, sec}},
		{"every guard at the root", "posture.scp-guardrail", func(t *testing.T, in *Input) {
			in.Org.Policies[2].Targets[0] = idc.PolicyTarget{ID: "r-ab12", Type: idc.TargetRoot}
		}, Pass, H, nil},
		{"no accounts known, nothing at the root", "posture.scp-guardrail", func(t *testing.T, in *Input) {
			in.Model.Accounts = map[string]*idc.Account{}
			in.Org.Accounts = nil
			in.Org.Policies = in.Org.Policies[:1]
		}, Fail, H, []string{"root"}},
		{"no organizations export", "posture.scp-guardrail", func(t *testing.T, in *Input) { in.Org = nil }, Skip, H, nil},

		{"assignments never used in the window", "posture.unused-assignment", nil, Fail, L, []string{psBounded + "|" + prod, psOps + "|" + sec, psView + "|" + prod}},
		{"no events for usage", "posture.unused-assignment", func(t *testing.T, in *Input) { in.Events = nil }, Skip, L, nil},
	}
	for _, c := range cases {
		t.Run(c.check+"/"+c.name, func(t *testing.T) {
			in := baseInput(t)
			if c.setup != nil {
				c.setup(t, &in)
			}
			r := Run(in)
			res, ok := r.Result(c.check)
			if !ok {
				t.Fatalf("no result for %s", c.check)
			}
			got := objectKeys(res.Failing)
			want := slices.Clone(c.failing)
			slices.Sort(want)
			if res.Status != c.status || res.Severity != c.sev || !slices.Equal(got, want) {
				t.Errorf("got %s/%s %v, want %s/%s %v", res.Status, res.Severity, got, c.status, c.sev, want)
				for _, o := range res.Failing {
					t.Logf("  %+v", o)
				}
				t.Logf("  note: %s", res.Note)
			}
			if res.Status == Fail && strings.TrimSpace(res.Why+res.Fix) == "" {
				t.Error("a failing check must say why and how to fix")
			}
		})
	}
}

func TestRegistryIDsAreStableAndComplete(t *testing.T) {
	want := []string{"posture.session-duration", "posture.admin-permission-set", "posture.admin-without-boundary", "posture.admin-large-group",
		"posture.sensitive-admin-outside-admins", "posture.delegated-admin", "posture.mfa-weak-signin", "posture.mfa-device-enrollment",
		"posture.scp-guardrail", "posture.unused-assignment"}
	var got []string
	for _, c := range Checks() {
		got = append(got, c.ID)
		if c.Title == "" || c.Why == "" || c.Fix == "" {
			t.Errorf("%s lacks title, why or fix", c.ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v", got)
	}
}

func TestFailsAt(t *testing.T) {
	r := Run(baseInput(t))
	if !r.FailsAt(finding.High) || r.FailsAt(finding.Critical) {
		t.Fatalf("default scenario: fails at high %t, at critical %t", r.FailsAt(finding.High), r.FailsAt(finding.Critical))
	}
	clean := Run(Input{Model: idc.New("empty"), Now: now})
	if clean.FailsAt(finding.Info) {
		t.Fatalf("an empty model must not fail: %+v", clean.Results)
	}
}

func TestUsageReadsBothTrailShapes(t *testing.T) {
	evs := loadEvents(t)
	var got []string
	for _, e := range evs {
		if n, a, ok := usage(e); ok {
			got = append(got, n+"@"+a)
		}
	}
	if !slices.Equal(got, []string{"Admin@" + prod, "Admin@" + dev}) {
		t.Fatalf("got %v", got)
	}
}
