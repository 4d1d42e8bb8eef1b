package terraform

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/golden"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// checkModel compares the model's snapshot with the golden file at path.
func checkModel(t *testing.T, path string, m *idc.Model) {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, path, buf.Bytes())
}

func TestRawStateWithModulesForEachAndCount(t *testing.T) {
	res, err := LoadResult(filepath.Join("testdata", "raw-v4.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindState || res.Planned != nil {
		t.Fatalf("kind %s, planned %v", res.Kind, res.Planned)
	}
	m := res.Current
	checkModel(t, filepath.Join("testdata", "raw-v4.golden.json"), m)

	admin, ok := m.PermissionSetByName("Admin")
	if !ok {
		t.Fatal("Admin permission set missing")
	}
	if admin.Source != `terraform:module.sso.aws_ssoadmin_permission_set.this["admin"]` {
		t.Errorf("source = %s", admin.Source)
	}
	if !slices.Equal(admin.ManagedPolicies, []string{"arn:aws:iam::aws:policy/AdministratorAccess"}) || admin.Tags["owner"] != "platform" {
		t.Errorf("admin = %+v", admin)
	}
	dev, _ := m.PermissionSetByName("Developer")
	if dev == nil || dev.InlinePolicy == "" || dev.PermissionsBoundary == nil || dev.PermissionsBoundary.Name != "boundary" ||
		len(dev.CustomerManagedPolicies) != 1 || dev.CustomerManagedPolicies[0].Path != "/teams/" {
		t.Errorf("developer = %+v", dev)
	}
	// The member-account policies the Developer set feeds, by reference,
	// where Terraform provisions it.
	for _, q := range []struct{ path, name string }{{"/teams/", "dev-extra"}, {"/", "boundary"}} {
		if us := m.PolicyUsers("210987654321", q.path, q.name); len(us) != 1 || us[0].PermissionSet != dev || !us[0].Provisioned {
			t.Errorf("PolicyUsers(%s%s) = %+v", q.path, q.name, us)
		}
	}
	if len(m.Assignments) != 2 {
		t.Fatalf("assignments = %d", len(m.Assignments))
	}
	var srcs []string
	for _, a := range m.Assignments {
		srcs = append(srcs, string(a.Source))
	}
	if !slices.Contains(srcs, `terraform:module.sso.aws_ssoadmin_account_assignment.this["dev-admins"]`) {
		t.Errorf("for_each address missing: %v", srcs)
	}
	if u, ok := m.UserByName("bob"); !ok || u.Source != "terraform:aws_identitystore_user.people[1]" || u.ExternalID != "okta-bob" {
		t.Errorf("count address or external id wrong: %+v", u)
	}
	if m.GroupSize("9067000001-g0000000-0000-0000-0000-000000000001") != 2 {
		t.Error("memberships not read")
	}
	if a := m.Accounts["210987654321"]; a == nil || a.OUPath != "Root/Workloads" || a.Name != "dev" {
		t.Errorf("account = %+v", a)
	}
	if m.DelegatedAdminID != "123123123123" || m.InstanceARN == "" || m.IdentityStoreID != "d-9000000001" {
		t.Errorf("delegated %q instance %q store %q", m.DelegatedAdminID, m.InstanceARN, m.IdentityStoreID)
	}
	if errs := m.Validate(); len(errs) != 0 {
		t.Errorf("fixture should be consistent: %v", errs)
	}
}

func TestShowJSONStateWalksChildModules(t *testing.T) {
	res, err := LoadResult(filepath.Join("testdata", "show-state.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := res.Current
	if res.Kind != KindShowState {
		t.Errorf("kind = %s", res.Kind)
	}
	checkModel(t, filepath.Join("testdata", "show-state.golden.json"), m)
	ops, ok := m.PermissionSetByName("Ops")
	if !ok || !slices.Equal(ops.ManagedPolicies, []string{"arn:aws:iam::aws:policy/PowerUserAccess"}) {
		t.Fatalf("ops = %+v", ops)
	}
	if len(m.Assignments) != 1 || m.Assignments[0].Source != "terraform:module.sso.module.assign.aws_ssoadmin_account_assignment.this[0]" {
		t.Errorf("assignments = %+v", m.Assignments)
	}
	if m.ManagementAccountID != "111111111111" || !m.Accounts["111111111111"].Management || m.Accounts["222222222222"].Name != "prod" {
		t.Error("organization data source not read")
	}
	if _, ok := m.UserByName("oncall"); !ok {
		t.Error("user data source not read")
	}
}

func TestShowJSONPlanSeparatesPriorAndPlanned(t *testing.T) {
	res, err := LoadResult(filepath.Join("testdata", "show-plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindShowPlan || res.Planned == nil {
		t.Fatalf("kind %s planned %v", res.Kind, res.Planned)
	}
	cur, _ := res.Current.PermissionSetByName("Ops")
	next, _ := res.Planned.PermissionSetByName("Ops")
	if cur == nil || next == nil || cur.SessionDuration != "PT4H" || next.SessionDuration != "PT12H" {
		t.Fatalf("current %+v planned %+v", cur, next)
	}
	if _, ok := res.Current.PermissionSetByName("Audit"); ok {
		t.Error("a planned permission set leaked into the current state")
	}
	audit, ok := res.Planned.PermissionSetByName("Audit")
	if !ok || audit.ARN != `unknown:module.sso.aws_ssoadmin_permission_set.this["audit"]` {
		t.Errorf("planned audit = %+v", audit)
	}
	if len(res.Planned.Assignments) != 0 || !slices.ContainsFunc(res.Planned.Missing, func(s string) bool {
		return strings.Contains(s, "aws_ssoadmin_account_assignment.audit: permission_set_arn known after apply")
	}) {
		t.Errorf("unknown arn not reported: %v", res.Planned.Missing)
	}
}

func TestMalformedNamesPathAndAddress(t *testing.T) {
	const ps = `{"version":4,"resources":[{"module":"module.m","mode":"managed","type":"aws_ssoadmin_permission_set","name":"p","instances":[{"index_key":"k","attributes":%s}]}]}`
	tests := []struct {
		name, doc, want string
	}{
		{"arn is a number", strings.Replace(ps, "%s", `{"arn":5,"name":"x"}`, 1), `bad.tfstate: module.m.aws_ssoadmin_permission_set.p["k"]: attribute arn: want a string`},
		{"arn missing", strings.Replace(ps, "%s", `{"name":"x"}`, 1), `module.m.aws_ssoadmin_permission_set.p["k"]: attribute arn: missing`},
		{"tags not a map", strings.Replace(ps, "%s", `{"arn":"a","name":"x","tags":[1]}`, 1), `attribute tags: want a map`},
		{"bad created_date", strings.Replace(ps, "%s", `{"arn":"a","name":"x","created_date":"yesterday"}`, 1), `attribute created_date`},
		{"assignment principal type", `{"version":4,"resources":[{"mode":"managed","type":"aws_ssoadmin_account_assignment","name":"a","instances":[{"attributes":{"target_id":"1","permission_set_arn":"p","principal_id":"u","principal_type":"ROLE"}}]}]}`, `aws_ssoadmin_account_assignment.a: attribute principal_type`},
		{"nested block element", `{"version":4,"resources":[{"mode":"managed","type":"aws_ssoadmin_permissions_boundary_attachment","name":"b","instances":[{"attributes":{"permission_set_arn":"p","permissions_boundary":["x"]}}]}]}`, `aws_ssoadmin_permissions_boundary_attachment.b: attribute permissions_boundary[0]`},
		{"state version 3", `{"version":3,"modules":[]}`, `bad.tfstate: state version 3`},
		{"not json", `{"version":4,`, `bad.tfstate: not a Terraform JSON file`},
		{"neither format", `{"hello":1}`, `bad.tfstate: neither raw state`},
		{"show resource without address", `{"format_version":"1.0","values":{"root_module":{"resources":[{"type":"aws_ssoadmin_permission_set"}]}}}`, `resource without address`},
		{"index key object", `{"version":4,"resources":[{"mode":"managed","type":"aws_identitystore_group","name":"g","instances":[{"index_key":{},"attributes":{}}]}]}`, `aws_identitystore_group.g: index_key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.doc), "bad.tfstate")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestUnknownTypesAndEmptyStatesAreFine(t *testing.T) {
	for _, doc := range []string{
		`{"version":4,"resources":[{"mode":"managed","type":"aws_iam_role","name":"r","instances":[{"attributes":{"arn":5}}]}]}`,
		`{"version":4,"resources":[]}`,
		`{"format_version":"1.0"}`,
		`{"format_version":"1.2","prior_state":null,"planned_values":{"root_module":{}}}`,
	} {
		m, err := Read(strings.NewReader(doc), "ok.json")
		if err != nil || len(m.PermissionSets) != 0 {
			t.Errorf("%s: %v", doc, err)
		}
	}
}

// TestRealPlanOutput reads the real terraform show -json plan of the aws-ia
// module kept beside the repository.
func TestRealPlanOutput(t *testing.T) {
	path := filepath.Join("..", "..", "..", "..", "shared", "reference-events", "terraform", "aws-ia.terraform-show-json.plan.tf.json")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("reference file required in CI: %v", err)
		}
		t.Skipf("reference file absent: %v", err)
	}
	res, err := LoadResult(path)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindShowPlan {
		t.Fatalf("kind = %s", res.Kind)
	}
	cur := res.Current
	if cur.InstanceARN != "arn:aws:sso:::instance/ssoins-72236a571cf03aa7" || cur.IdentityStoreID != "d-9067bcfc3c" {
		t.Errorf("prior_state instance data source: %q %q", cur.InstanceARN, cur.IdentityStoreID)
	}
	if len(cur.PermissionSets) != 0 {
		t.Errorf("nothing is deployed yet, got %d permission sets", len(cur.PermissionSets))
	}
	ps, ok := res.Planned.PermissionSetByName("AdministratorAccess")
	if !ok || ps.SessionDuration != "PT2H" || !strings.HasPrefix(ps.ARN, "unknown:") {
		t.Errorf("planned permission set = %+v", ps)
	}
	if ps != nil && ps.Source != `terraform:aws_ssoadmin_permission_set.pset["AdministratorAccess"]` {
		t.Errorf("source = %s", ps.Source)
	}
}

func TestIdentityStoreDataSources(t *testing.T) {
	doc := `{"format_version":"1.0","values":{"root_module":{"resources":[
	{"address":"data.aws_identitystore_groups.all","mode":"data","type":"aws_identitystore_groups","name":"all","values":{"identity_store_id":"d-1","groups":[{"group_id":"g1","display_name":"ops","description":"","external_ids":[{"id":"okta-ops","issuer":"okta"}]}]}},
	{"address":"data.aws_identitystore_users.all","mode":"data","type":"aws_identitystore_users","name":"all","values":{"identity_store_id":"d-1","users":[{"user_id":"u1","user_name":"zoe","emails":[{"value":"zoe@example.com","primary":true}]}]}},
	{"address":"data.aws_identitystore_group_memberships.ops","mode":"data","type":"aws_identitystore_group_memberships","name":"ops","values":{"group_id":"g1","identity_store_id":"d-1","group_memberships":[{"group_id":"g1","membership_id":"m1","member_id":[{"user_id":"u1"}]}]}},
	{"address":"aws_organizations_delegated_administrator.gd","mode":"managed","type":"aws_organizations_delegated_administrator","name":"gd","values":{"account_id":"999999999999","service_principal":"guardduty.amazonaws.com"}}
	]}}}`
	m, err := Read(strings.NewReader(doc), "ds.json")
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := m.GroupByName("ops"); !ok || g.ExternalID != "okta-ops" || g.Source != "terraform:data.aws_identitystore_groups.all" {
		t.Errorf("group = %+v", g)
	}
	if u, ok := m.UserByName("zoe"); !ok || u.Email != "zoe@example.com" {
		t.Errorf("user = %+v", u)
	}
	if m.GroupSize("g1") != 1 || m.Memberships["g1"][0].MembershipID != "m1" {
		t.Errorf("memberships = %+v", m.Memberships)
	}
	if m.DelegatedAdminID != "" {
		t.Error("a GuardDuty delegated admin is not Identity Center's")
	}
}
