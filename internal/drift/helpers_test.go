package drift

import (
	"bytes"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

const (
	inst    = "arn:aws:sso:::instance/ssoins-1111222233334444"
	psAdmin = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-0000000000000001"
	psRead  = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-0000000000000002"
	psDev   = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-0000000000000003"
	psIdle  = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-0000000000000004"
	psNew   = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-0000000000000009"
	mgmt    = "111111111111"
	prod    = "222222222222"
	dev     = "333333333333"

	adminPolicy  = "arn:aws:iam::aws:policy/AdministratorAccess"
	viewPolicy   = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
	iamFull      = "arn:aws:iam::aws:policy/IAMFullAccess"
	s3ReadInline = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	adminInline  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
)

// testModel is a small organization: an admin set assigned to the Admins
// group in prod (sensitive), a view-only set for everyone, a developer set
// with an inline policy and a boundary, and an unused set.
func testModel() *idc.Model {
	m := idc.New("file")
	m.InstanceARN = inst
	m.IdentityStoreID = "d-1234567890"
	m.ManagementAccountID = mgmt
	m.CapturedAt = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	m.Accounts[mgmt] = &idc.Account{ID: mgmt, Name: "management", Management: true}
	m.Accounts[prod] = &idc.Account{ID: prod, Name: "prod"}
	m.Accounts[dev] = &idc.Account{ID: dev, Name: "dev"}
	m.PermissionSets[psAdmin] = &idc.PermissionSet{ARN: psAdmin, Name: "Admin", SessionDuration: "PT4H", ManagedPolicies: []string{adminPolicy}, ProvisionedTo: []string{prod}}
	m.PermissionSets[psRead] = &idc.PermissionSet{ARN: psRead, Name: "ViewOnly", ManagedPolicies: []string{viewPolicy}, ProvisionedTo: []string{prod}}
	m.PermissionSets[psDev] = &idc.PermissionSet{ARN: psDev, Name: "Developer", SessionDuration: "PT2H", InlinePolicy: s3ReadInline,
		CustomerManagedPolicies: []idc.PolicyRef{{Name: "dev-extra", Path: "/"}},
		PermissionsBoundary:     &idc.PolicyRef{Name: "dev-boundary", Path: "/"}, ProvisionedTo: []string{dev}}
	m.PermissionSets[psIdle] = &idc.PermissionSet{ARN: psIdle, Name: "Idle", Description: "unused"}
	for _, u := range []string{"alice", "bob", "carol", "dave"} {
		m.Users["u-"+u] = &idc.User{ID: "u-" + u, UserName: u}
	}
	m.Groups["g-admins"] = &idc.Group{ID: "g-admins", DisplayName: "Admins"}
	m.Groups["g-devs"] = &idc.Group{ID: "g-devs", DisplayName: "Developers"}
	m.Groups["g-all"] = &idc.Group{ID: "g-all", DisplayName: "Everyone"}
	m.Groups["g-empty"] = &idc.Group{ID: "g-empty", DisplayName: "Book club"}
	m.Memberships["g-admins"] = []idc.Membership{{UserID: "u-alice", MembershipID: "m-1"}}
	m.Memberships["g-devs"] = []idc.Membership{{UserID: "u-bob", MembershipID: "m-2"}, {UserID: "u-carol", MembershipID: "m-3"}}
	m.Memberships["g-all"] = []idc.Membership{{UserID: "u-alice"}, {UserID: "u-bob"}, {UserID: "u-carol"}}
	m.Assignments = []idc.Assignment{
		{AccountID: prod, PermissionSetARN: psAdmin, PrincipalType: "GROUP", PrincipalID: "g-admins"},
		{AccountID: prod, PermissionSetARN: psRead, PrincipalType: "GROUP", PrincipalID: "g-all"},
		{AccountID: dev, PermissionSetARN: psDev, PrincipalType: "GROUP", PrincipalID: "g-devs"},
	}
	return m
}

func testConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(`
admins: [alice, "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_*/alice"]
sensitive_accounts: ["222222222222"]
privileged_groups: [Admins]
max_session_duration: PT4H
large_group_size: 3
break_glass_permission_sets: [Admin]
`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// clone deep-copies a model through its snapshot form.
func clone(t *testing.T, m *idc.Model) *idc.Model {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	c, err := idc.Read(&buf, "clone")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func snapshot(t *testing.T, m *idc.Model) string {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
