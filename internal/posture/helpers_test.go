package posture

import (
	"bufio"
	"os"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

const (
	psAdmin   = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-0000000000000001"
	psBounded = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-0000000000000002"
	psView    = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-0000000000000003"
	psOps     = "arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-0000000000000004"
	mgmt      = "111111111111"
	prod      = "222222222222"
	dev       = "333333333333"
	sec       = "444444444444"
	adminPol  = "arn:aws:iam::aws:policy/AdministratorAccess"
)

var now = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// testModel: an unbounded 12-hour admin set used by Admins in prod and by
// the large Everyone group in dev; a bounded admin set given to Devs in
// prod; a view-only set; a privileged Ops set in the delegated admin
// account.
func testModel() *idc.Model {
	m := idc.New("file")
	m.InstanceARN = "arn:aws:sso:::instance/ssoins-1111222233334444"
	m.ManagementAccountID = mgmt
	m.DelegatedAdminID = sec
	m.CapturedAt = now
	for id, name := range map[string]string{mgmt: "management", prod: "prod", dev: "dev", sec: "security"} {
		m.Accounts[id] = &idc.Account{ID: id, Name: name, Management: id == mgmt, DelegatedAdmin: id == sec, OUPath: "Root"}
	}
	m.PermissionSets[psAdmin] = &idc.PermissionSet{ARN: psAdmin, Name: "Admin", SessionDuration: "PT12H", ManagedPolicies: []string{adminPol}, ProvisionedTo: []string{prod, dev}}
	m.PermissionSets[psBounded] = &idc.PermissionSet{ARN: psBounded, Name: "AdminBounded", ManagedPolicies: []string{adminPol},
		PermissionsBoundary: &idc.PolicyRef{Name: "admin-boundary", Path: "/"}, ProvisionedTo: []string{prod}}
	m.PermissionSets[psView] = &idc.PermissionSet{ARN: psView, Name: "ViewOnly", ManagedPolicies: []string{"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}, ProvisionedTo: []string{prod}}
	m.PermissionSets[psOps] = &idc.PermissionSet{ARN: psOps, Name: "Ops", SessionDuration: "PT2H", ManagedPolicies: []string{"arn:aws:iam::aws:policy/IAMFullAccess"}, ProvisionedTo: []string{sec, mgmt}}
	for _, u := range []string{"alice", "bob", "carol", "dave", "erin"} {
		m.Users["u-"+u] = &idc.User{ID: "u-" + u, UserName: u}
	}
	m.Groups["g-admins"] = &idc.Group{ID: "g-admins", DisplayName: "Admins"}
	m.Groups["g-all"] = &idc.Group{ID: "g-all", DisplayName: "Everyone"}
	m.Groups["g-devs"] = &idc.Group{ID: "g-devs", DisplayName: "Devs"}
	m.Memberships["g-admins"] = []idc.Membership{{UserID: "u-alice"}}
	m.Memberships["g-all"] = []idc.Membership{{UserID: "u-alice"}, {UserID: "u-bob"}, {UserID: "u-carol"}, {UserID: "u-dave"}}
	m.Memberships["g-devs"] = []idc.Membership{{UserID: "u-bob"}}
	m.Assignments = []idc.Assignment{
		{AccountID: prod, PermissionSetARN: psAdmin, PrincipalType: "GROUP", PrincipalID: "g-admins"},
		{AccountID: dev, PermissionSetARN: psAdmin, PrincipalType: "GROUP", PrincipalID: "g-all"},
		{AccountID: prod, PermissionSetARN: psBounded, PrincipalType: "GROUP", PrincipalID: "g-devs"},
		{AccountID: prod, PermissionSetARN: psView, PrincipalType: "USER", PrincipalID: "u-erin"},
		{AccountID: sec, PermissionSetARN: psOps, PrincipalType: "USER", PrincipalID: "u-carol"},
	}
	return m
}

func testConfig(t *testing.T, extra string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(`
admins: [alice]
sensitive_accounts: ["222222222222"]
max_session_duration: PT4H
large_group_size: 4
` + extra))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func loadEvents(t *testing.T) []*cloudtrail.Event {
	t.Helper()
	f, err := os.Open("testdata/events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var evs []*cloudtrail.Event
	sc := bufio.NewScanner(f)
	for i := 0; sc.Scan(); i++ {
		e, err := cloudtrail.Decode(sc.Bytes(), cloudtrail.Origin{File: "events.jsonl", Index: i})
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	return evs
}

func loadOrg(t *testing.T) *idc.Organization {
	t.Helper()
	o, err := idc.LoadOrganization("testdata/org.json")
	if err != nil {
		t.Fatal(err)
	}
	return o
}
