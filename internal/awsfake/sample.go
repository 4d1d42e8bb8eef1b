package awsfake

import (
	"time"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Sample returns a small organization that spans several pages of every
// listing at the default page size: 8 accounts in nested OUs, 7 users,
// 5 groups, 5 permission sets (managed, customer managed, inline,
// boundary, tags), provisioned pairs with and without assignments, and
// pairs that are not provisioned at all. Each call builds a fresh copy.
func Sample() *idc.Model {
	const inst = "arn:aws:sso:::instance/ssoins-7223aa00bb11cc22"
	m := idc.New("awsfake")
	m.InstanceARN = inst
	m.IdentityStoreID = "d-90670aa1b2"
	m.ManagementAccountID = "111111111111"
	m.DelegatedAdminID = "222222222222"

	for _, a := range []idc.Account{
		{ID: "111111111111", Name: "management", Email: "aws-root@example.com", OUPath: "Root", Management: true},
		{ID: "222222222222", Name: "security-tooling", Email: "sec@example.com", OUPath: "Root/Security", DelegatedAdmin: true},
		{ID: "333333333333", Name: "log-archive", Email: "logs@example.com", OUPath: "Root/Security"},
		{ID: "888888888888", Name: "audit", Email: "audit@example.com", OUPath: "Root/Security"},
		{ID: "444444444444", Name: "prod-payments", Email: "pay@example.com", OUPath: "Root/Workloads/Prod"},
		{ID: "555555555555", Name: "prod-web", Email: "web@example.com", OUPath: "Root/Workloads/Prod"},
		{ID: "666666666666", Name: "dev-sandbox", Email: "dev@example.com", OUPath: "Root/Workloads/Dev"},
		{ID: "777777777777", Name: "old-project", Email: "old@example.com", OUPath: "Root/Suspended", Status: "SUSPENDED"},
	} {
		if a.Status == "" {
			a.Status = "ACTIVE"
		}
		m.Accounts[a.ID] = &a
	}

	users := []idc.User{
		{ID: "90670aa1b2-11111111-aaaa-4bbb-8ccc-000000000001", UserName: "alice", DisplayName: "Alice Admin", Email: "alice@example.com"},
		{ID: "90670aa1b2-11111111-aaaa-4bbb-8ccc-000000000002", UserName: "bob", DisplayName: "Bob Builder", Email: "bob@example.com", ExternalID: "okta-00u1bob"},
		{ID: "90670aa1b2-11111111-aaaa-4bbb-8ccc-000000000003", UserName: "carol", DisplayName: "Carol Ops", Email: "carol@example.com"},
		{ID: "90670aa1b2-11111111-aaaa-4bbb-8ccc-000000000004", UserName: "dave", DisplayName: "Dave Dev", Email: "dave@example.com"},
		{ID: "90670aa1b2-11111111-aaaa-4bbb-8ccc-000000000005", UserName: "erin", DisplayName: "Erin Finance"},
		{ID: "c4b8d4f8-0001-7042-a9b1-000000000006", UserName: "frank", DisplayName: "Frank Auditor", Email: "frank@example.com", ExternalID: "okta-00u1frank"},
		{ID: "c4b8d4f8-0001-7042-a9b1-000000000007", UserName: "breakglass", DisplayName: "Break Glass"},
	}
	for _, u := range users {
		m.Users[u.ID] = &u
	}
	uid := func(i int) string { return users[i-1].ID }

	groups := []idc.Group{
		{ID: "34887428-4081-7042-c3c6-000000000a01", DisplayName: "Admins", Description: "platform administrators"},
		{ID: "34887428-4081-7042-c3c6-000000000a02", DisplayName: "Developers"},
		{ID: "34887428-4081-7042-c3c6-000000000a03", DisplayName: "Auditors", Description: "read-only reviewers", ExternalID: "okta-00g1auditors"},
		{ID: "34887428-4081-7042-c3c6-000000000a04", DisplayName: "BreakGlass"},
		{ID: "34887428-4081-7042-c3c6-000000000a05", DisplayName: "Finance"},
	}
	for _, g := range groups {
		m.Groups[g.ID] = &g
	}
	gid := func(i int) string { return groups[i-1].ID }
	member := func(g int, us ...int) {
		for _, u := range us {
			m.Memberships[gid(g)] = append(m.Memberships[gid(g)], idc.Membership{UserID: uid(u)})
		}
	}
	member(1, 1, 2, 3, 7)
	member(2, 2, 4, 3)
	member(3, 6)
	member(5, 5, 1)

	created := time.Date(2023, 4, 25, 19, 2, 24, 0, time.UTC)
	ps := func(id, name string, f func(*idc.PermissionSet)) string {
		p := &idc.PermissionSet{ARN: psARN(inst, id), Name: name, CreatedAt: created}
		f(p)
		m.PermissionSets[p.ARN] = p
		return p.ARN
	}
	admin := ps("ps-ae5d1fa1f80b684e", "AdministratorAccess", func(p *idc.PermissionSet) {
		p.Description = "full access"
		p.SessionDuration = "PT12H"
		p.ManagedPolicies = []string{"arn:aws:iam::aws:policy/AdministratorAccess"}
		p.Tags = map[string]string{"owner": "platform", "tier": "0", "managed-by": "terraform"}
		p.ProvisionedTo = []string{"111111111111", "222222222222", "444444444444", "555555555555"}
	})
	readOnly := ps("ps-0b1c2d3e4f506172", "ReadOnly", func(p *idc.PermissionSet) {
		p.ManagedPolicies = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}
		p.ProvisionedTo = []string{"222222222222", "333333333333", "444444444444", "555555555555", "666666666666"}
	})
	dev := ps("ps-1a2b3c4d5e6f7081", "Developer", func(p *idc.PermissionSet) {
		p.SessionDuration = "PT4H"
		p.RelayState = "https://console.aws.amazon.com/lambda/home"
		p.CustomerManagedPolicies = []idc.PolicyRef{{Name: "dev-base", Path: "/"}, {Name: "dev-ci", Path: "/"}, {Name: "dev-extra", Path: "/portcullis/"}}
		p.InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
		p.PermissionsBoundary = &idc.PolicyRef{Name: "dev-boundary", Path: "/boundaries/"}
		p.Tags = map[string]string{"owner": "dev"}
		p.ProvisionedTo = []string{"555555555555", "666666666666"}
	})
	billing := ps("ps-9f8e7d6c5b4a3928", "Billing", func(p *idc.PermissionSet) {
		p.SessionDuration = "PT2H"
		p.ManagedPolicies = []string{"arn:aws:iam::aws:policy/job-function/Billing"}
		p.PermissionsBoundary = &idc.PolicyRef{ManagedPolicyARN: "arn:aws:iam::aws:policy/job-function/Billing"}
		p.ProvisionedTo = []string{"111111111111"}
	})
	ps("ps-00000000deadbeef", "Unused", func(p *idc.PermissionSet) { p.SessionDuration = "PT1H" })

	assign := func(acct, arn, typ, id string) {
		m.Assignments = append(m.Assignments, idc.Assignment{AccountID: acct, PermissionSetARN: arn, PrincipalType: typ, PrincipalID: id})
	}
	assign("111111111111", admin, "GROUP", gid(1))
	assign("111111111111", admin, "USER", uid(1))
	assign("444444444444", admin, "GROUP", gid(1))
	assign("444444444444", admin, "USER", uid(2))
	assign("444444444444", admin, "USER", uid(3))
	assign("555555555555", admin, "GROUP", gid(1))
	for _, a := range []string{"222222222222", "333333333333", "444444444444", "555555555555", "666666666666"} {
		assign(a, readOnly, "GROUP", gid(3))
	}
	assign("666666666666", dev, "GROUP", gid(2))
	assign("555555555555", dev, "USER", uid(4))
	assign("111111111111", billing, "GROUP", gid(5))
	assign("111111111111", billing, "USER", uid(5))
	return m
}
