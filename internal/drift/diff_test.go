package drift

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

type want struct {
	kind Kind
	sev  finding.Severity
}

func (w want) String() string { return fmt.Sprintf("%s/%s", w.kind, w.sev) }

func TestDiffReportsEachKindWithContextSeverity(t *testing.T) {
	const (
		C = finding.Critical
		H = finding.High
		M = finding.Medium
		L = finding.Low
		I = finding.Info
	)
	ps := func(m *idc.Model, arn string) *idc.PermissionSet { return m.PermissionSets[arn] }
	assign := func(ps, typ, id, acct string) func(*idc.Model) {
		return func(m *idc.Model) {
			m.Assignments = append(m.Assignments, idc.Assignment{AccountID: acct, PermissionSetARN: ps, PrincipalType: typ, PrincipalID: id})
		}
	}
	cases := []struct {
		name   string
		mutate func(m *idc.Model)
		want   []want
	}{
		{"admin set assigned to a user in a sensitive account", assign(psAdmin, "USER", "u-bob", prod), []want{{AssignmentAdded, C}}},
		{"view-only set assigned to a group in dev", assign(psRead, "GROUP", "g-devs", dev), []want{{AssignmentAdded, M}, {AssignmentNotProvisioned, L}}},
		{"admin set assigned to a large group in dev", func(m *idc.Model) {
			assign(psAdmin, "GROUP", "g-all", dev)(m)
			ps(m, psAdmin).ProvisionedTo = append(ps(m, psAdmin).ProvisionedTo, dev)
		}, []want{{AssignmentAdded, C}, {ProvisioningChanged, L}}},
		{"admin assignment of the privileged group removed", func(m *idc.Model) { m.Assignments = m.Assignments[1:] }, []want{{AssignmentRemoved, H}}},
		{"user added to the privileged admin group", func(m *idc.Model) {
			m.Memberships["g-admins"] = append(m.Memberships["g-admins"], idc.Membership{UserID: "u-bob"})
		}, []want{{MembershipAdded, C}}},
		{"user added to a group without assignments", func(m *idc.Model) {
			m.Memberships["g-empty"] = []idc.Membership{{UserID: "u-dave"}}
		}, []want{{MembershipAdded, L}}},
		{"user removed from a group", func(m *idc.Model) { m.Memberships["g-devs"] = m.Memberships["g-devs"][:1] }, []want{{MembershipRemoved, I}}},
		{"user created and deleted", func(m *idc.Model) {
			delete(m.Users, "u-dave")
			m.Users["u-eve"] = &idc.User{ID: "u-eve", UserName: "eve", ExternalID: "okta|eve"}
		}, []want{{UserAdded, L}, {UserRemoved, I}}},
		{"group created with a privileged name, another deleted", func(m *idc.Model) {
			delete(m.Groups, "g-empty")
			m.Groups["g-x"] = &idc.Group{ID: "g-x", DisplayName: "admins"}
		}, []want{{GroupAdded, M}, {GroupRemoved, L}}},
		{"admin permission set created", func(m *idc.Model) {
			m.PermissionSets[psNew] = &idc.PermissionSet{ARN: psNew, Name: "Backdoor", InlinePolicy: adminInline}
		}, []want{{PermissionSetAdded, H}}},
		{"unused permission set deleted", func(m *idc.Model) { delete(m.PermissionSets, psIdle) }, []want{{PermissionSetRemoved, L}}},
		{"AdministratorAccess attached to the developer set", func(m *idc.Model) {
			ps(m, psDev).ManagedPolicies = []string{adminPolicy}
		}, []want{{ManagedPolicyAttached, H}}},
		{"IAMFullAccess attached to a set assigned in a sensitive account", func(m *idc.Model) {
			ps(m, psRead).ManagedPolicies = append(ps(m, psRead).ManagedPolicies, iamFull)
		}, []want{{ManagedPolicyAttached, C}}},
		{"managed policy detached from the break-glass set", func(m *idc.Model) { ps(m, psAdmin).ManagedPolicies = nil }, []want{{ManagedPolicyDetached, M}}},
		{"customer managed policies swapped", func(m *idc.Model) {
			ps(m, psDev).CustomerManagedPolicies = []idc.PolicyRef{{Name: "other", Path: "/x/"}}
		}, []want{{CustomerPolicyAttached, M}, {CustomerPolicyDetached, I}}},
		{"inline policy now grants admin", func(m *idc.Model) { ps(m, psDev).InlinePolicy = adminInline }, []want{{InlinePolicyChanged, H}}},
		{"inline policy reformatted only", func(m *idc.Model) {
			ps(m, psDev).InlinePolicy = `{"Statement":{"Resource":["*"],"Action":["s3:ListBucket","s3:GetObject"],"Effect":"Allow"},"Version":"2012-10-17"}`
		}, nil},
		{"inline policy removed", func(m *idc.Model) { ps(m, psDev).InlinePolicy = "" }, []want{{InlinePolicyChanged, L}}},
		{"boundary removed", func(m *idc.Model) { ps(m, psDev).PermissionsBoundary = nil }, []want{{BoundaryRemoved, M}}},
		{"boundary changed", func(m *idc.Model) { ps(m, psDev).PermissionsBoundary = &idc.PolicyRef{Name: "wide-open", Path: "/"} }, []want{{BoundaryChanged, M}}},
		{"boundary added to admin", func(m *idc.Model) { ps(m, psAdmin).PermissionsBoundary = &idc.PolicyRef{Name: "b", Path: "/"} }, []want{{BoundaryAdded, I}}},
		{"admin session raised to 12h", func(m *idc.Model) { ps(m, psAdmin).SessionDuration = "PT12H" }, []want{{SessionDurationChanged, H}}},
		{"session raised within the maximum", func(m *idc.Model) { ps(m, psRead).SessionDuration = "PT3H" }, []want{{SessionDurationChanged, L}}},
		{"session lowered", func(m *idc.Model) { ps(m, psDev).SessionDuration = "PT1H" }, []want{{SessionDurationChanged, I}}},
		{"same session spelled differently", func(m *idc.Model) { ps(m, psDev).SessionDuration = "PT120M" }, nil},
		{"description changed", func(m *idc.Model) { ps(m, psIdle).Description = "spare" }, []want{{DescriptionChanged, I}}},
		{"admin set provisioned to the management account, developer set unprovisioned", func(m *idc.Model) {
			ps(m, psAdmin).ProvisionedTo = append(ps(m, psAdmin).ProvisionedTo, mgmt)
			ps(m, psIdle).ProvisionedTo = []string{dev}
			ps(m, psDev).ProvisionedTo = []string{mgmt}
		}, []want{{ProvisioningChanged, M}, {ProvisioningChanged, L}, {ProvisioningChanged, L}, {ProvisioningChanged, I}, {AssignmentNotProvisioned, L}}},
		{"delegated admin registered", func(m *idc.Model) { m.DelegatedAdminID = dev }, []want{{DelegatedAdminChanged, H}}},
		{"identity source changed", func(m *idc.Model) { m.IdentitySource = "external_idp" }, nil},
	}
	cfg := testConfig(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := testModel()
			cur := testModel()
			c.mutate(cur)
			r := Diff(base, cur, cfg)
			var got []want
			for _, d := range r.Differences {
				got = append(got, want{d.Kind, d.Severity})
				if d.Summary == "" || strings.Contains(d.Summary, "\n") {
					t.Errorf("%s: summary must be one non-empty line: %q", d.Kind, d.Summary)
				}
			}
			sortWants(got)
			sortWants(c.want)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
				for _, d := range r.Differences {
					t.Logf("  %s %s: %s %v", d.Severity, d.Kind, d.Summary, d.Reasons)
				}
			}
		})
	}
}

func sortWants(w []want) {
	slices.SortFunc(w, func(a, b want) int { return strings.Compare(a.String(), b.String()) })
}

func TestIdentitySourceNeedsBothSidesKnown(t *testing.T) {
	base, cur := testModel(), testModel()
	base.IdentitySource, cur.IdentitySource = "identity_center", "external_idp"
	r := Diff(base, cur, testConfig(t))
	if len(r.Differences) != 1 || r.Differences[0].Kind != IdentitySourceChanged || r.Differences[0].Severity != finding.High {
		t.Fatalf("got %+v", r.Differences)
	}
}

func TestDiffIsPureAndDeterministic(t *testing.T) {
	base, cur := testModel(), testModel()
	cur.PermissionSets[psDev].InlinePolicy = adminInline
	cur.Assignments = append(cur.Assignments, idc.Assignment{AccountID: prod, PermissionSetARN: psDev, PrincipalType: "USER", PrincipalID: "u-dave"})
	beforeBase, beforeCur := snapshot(t, base), snapshot(t, cur)
	cfg := testConfig(t)
	a, b := Diff(base, cur, cfg), Diff(base, cur, cfg)
	if snapshot(t, base) != beforeBase || snapshot(t, cur) != beforeCur {
		t.Fatal("Diff modified its inputs")
	}
	var ja, jb strings.Builder
	if err := a.WriteJSON(&ja); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteJSON(&jb); err != nil {
		t.Fatal(err)
	}
	if ja.String() != jb.String() {
		t.Fatal("two runs over the same input differ")
	}
	if len(Diff(base, clone(t, base), cfg).Differences) != 0 {
		t.Fatal("a model differs from its own copy")
	}
}

func TestDiffHandlesNilAndPartialModels(t *testing.T) {
	cur := testModel()
	cur.Partial = true
	r := Diff(nil, cur, nil)
	if len(r.Differences) == 0 || len(r.Warnings) != 1 {
		t.Fatalf("want additions and a partial warning, got %d differences, warnings %v", len(r.Differences), r.Warnings)
	}
	if r := Diff(nil, nil, nil); len(r.Differences) != 0 || r.Differences == nil {
		t.Fatalf("two empty models: want an empty, non-nil list, got %#v", r.Differences)
	}
}

func TestInlinePolicyChangeCarriesStatementDiff(t *testing.T) {
	base, cur := testModel(), testModel()
	cur.PermissionSets[psDev].InlinePolicy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":"*"},
		{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`
	r := Diff(base, cur, testConfig(t))
	if len(r.Differences) != 1 {
		t.Fatalf("got %d differences", len(r.Differences))
	}
	d := r.Differences[0]
	if d.Policy == nil || len(d.Policy.Added) != 1 || len(d.Policy.Removed) != 0 || d.Policy.Unchanged != 1 {
		t.Fatalf("policy diff: %+v", d.Policy)
	}
	if !strings.Contains(d.Policy.Added[0], `"iam:*"`) || d.GrantsAdmin || d.Access != "privileged" || d.Severity != finding.High {
		t.Fatalf("got %+v", d)
	}
}

func TestPermissionSetsWithoutARNPairByName(t *testing.T) {
	base, cur := testModel(), testModel()
	ps := base.PermissionSets[psIdle]
	delete(base.PermissionSets, psIdle)
	ps.ARN = ""
	base.PermissionSets["unknown:module.sso.idle"] = ps
	cur.PermissionSets[psIdle].Description = "spare"
	r := Diff(base, cur, testConfig(t))
	if len(r.Differences) != 1 || r.Differences[0].Kind != DescriptionChanged {
		t.Fatalf("got %+v", r.Differences)
	}
}
