package idc

// The keys decodeFast knows, one table per type of model.go, named as in
// the types' json tags (TestFastFieldsMatchTags keeps the two in step).

var modelFields = []field[Model]{
	{"schema", func(d *decoder, m *Model) { m.Schema = d.str() }},
	{"captured_at", func(d *decoder, m *Model) { m.CapturedAt = d.timestamp() }},
	{"from", func(d *decoder, m *Model) { m.From = d.str() }},
	{"instance_arn", func(d *decoder, m *Model) { m.InstanceARN = d.str() }},
	{"identity_store_id", func(d *decoder, m *Model) { m.IdentityStoreID = d.str() }},
	{"identity_source", func(d *decoder, m *Model) { m.IdentitySource = d.str() }},
	{"management_account_id", func(d *decoder, m *Model) { m.ManagementAccountID = d.str() }},
	{"delegated_admin_account_id", func(d *decoder, m *Model) { m.DelegatedAdminID = d.str() }},
	{"accounts", func(d *decoder, m *Model) { m.Accounts = ptrMap(d, accountFields) }},
	{"users", func(d *decoder, m *Model) { m.Users = ptrMap(d, userFields) }},
	{"groups", func(d *decoder, m *Model) { m.Groups = ptrMap(d, groupFields) }},
	{"permission_sets", func(d *decoder, m *Model) { m.PermissionSets = ptrMap(d, permissionSetFields) }},
	{"assignments", func(d *decoder, m *Model) { m.Assignments = list(d, assignmentFields) }},
	{"memberships", func(d *decoder, m *Model) { m.Memberships = memberships(d) }},
	{"partial", func(d *decoder, m *Model) { m.Partial = d.boolean() }},
	{"missing", func(d *decoder, m *Model) { m.Missing = d.strings() }},
	{"unknown", func(d *decoder, m *Model) { m.Unknown = d.strings() }},
}

var accountFields = []field[Account]{
	{"id", func(d *decoder, a *Account) { a.ID = d.str() }},
	{"name", func(d *decoder, a *Account) { a.Name = d.str() }},
	{"email", func(d *decoder, a *Account) { a.Email = d.str() }},
	{"ou_path", func(d *decoder, a *Account) { a.OUPath = d.str() }},
	{"status", func(d *decoder, a *Account) { a.Status = d.str() }},
	{"management", func(d *decoder, a *Account) { a.Management = d.boolean() }},
	{"delegated_admin", func(d *decoder, a *Account) { a.DelegatedAdmin = d.boolean() }},
	{"source", func(d *decoder, a *Account) { a.Source = Source(d.str()) }},
}

var userFields = []field[User]{
	{"id", func(d *decoder, u *User) { u.ID = d.str() }},
	{"user_name", func(d *decoder, u *User) { u.UserName = d.str() }},
	{"display_name", func(d *decoder, u *User) { u.DisplayName = d.str() }},
	{"email", func(d *decoder, u *User) { u.Email = d.str() }},
	{"external_id", func(d *decoder, u *User) { u.ExternalID = d.str() }},
	{"source", func(d *decoder, u *User) { u.Source = Source(d.str()) }},
}

var groupFields = []field[Group]{
	{"id", func(d *decoder, g *Group) { g.ID = d.str() }},
	{"display_name", func(d *decoder, g *Group) { g.DisplayName = d.str() }},
	{"description", func(d *decoder, g *Group) { g.Description = d.str() }},
	{"external_id", func(d *decoder, g *Group) { g.ExternalID = d.str() }},
	{"source", func(d *decoder, g *Group) { g.Source = Source(d.str()) }},
}

var membershipFields = []field[Membership]{
	{"user_id", func(d *decoder, mb *Membership) { mb.UserID = d.str() }},
	{"membership_id", func(d *decoder, mb *Membership) { mb.MembershipID = d.str() }},
	{"source", func(d *decoder, mb *Membership) { mb.Source = Source(d.str()) }},
}

var policyRefFields = []field[PolicyRef]{
	{"name", func(d *decoder, p *PolicyRef) { p.Name = d.str() }},
	{"path", func(d *decoder, p *PolicyRef) { p.Path = d.str() }},
	{"managed_policy_arn", func(d *decoder, p *PolicyRef) { p.ManagedPolicyARN = d.str() }},
}

var permissionSetFields = []field[PermissionSet]{
	{"arn", func(d *decoder, ps *PermissionSet) { ps.ARN = d.str() }},
	{"name", func(d *decoder, ps *PermissionSet) { ps.Name = d.str() }},
	{"description", func(d *decoder, ps *PermissionSet) { ps.Description = d.str() }},
	{"session_duration", func(d *decoder, ps *PermissionSet) { ps.SessionDuration = d.str() }},
	{"relay_state", func(d *decoder, ps *PermissionSet) { ps.RelayState = d.str() }},
	{"managed_policies", func(d *decoder, ps *PermissionSet) { ps.ManagedPolicies = d.strings() }},
	{"customer_managed_policies", func(d *decoder, ps *PermissionSet) {
		ps.CustomerManagedPolicies = list(d, policyRefFields)
	}},
	{"inline_policy", func(d *decoder, ps *PermissionSet) { ps.InlinePolicy = d.str() }},
	{"permissions_boundary", func(d *decoder, ps *PermissionSet) {
		if !d.null() {
			ps.PermissionsBoundary = new(PolicyRef)
			object(d, ps.PermissionsBoundary, policyRefFields)
		}
	}},
	{"tags", func(d *decoder, ps *PermissionSet) { ps.Tags = stringMap(d) }},
	{"provisioned_to", func(d *decoder, ps *PermissionSet) { ps.ProvisionedTo = d.strings() }},
	{"created_at", func(d *decoder, ps *PermissionSet) { ps.CreatedAt = d.timestamp() }},
	{"source", func(d *decoder, ps *PermissionSet) { ps.Source = Source(d.str()) }},
}

var assignmentFields = []field[Assignment]{
	{"account_id", func(d *decoder, a *Assignment) { a.AccountID = d.str() }},
	{"permission_set_arn", func(d *decoder, a *Assignment) { a.PermissionSetARN = d.str() }},
	{"principal_type", func(d *decoder, a *Assignment) { a.PrincipalType = d.str() }},
	{"principal_id", func(d *decoder, a *Assignment) { a.PrincipalID = d.str() }},
	{"source", func(d *decoder, a *Assignment) { a.Source = Source(d.str()) }},
}

// memberships decodes group id -> members (an entry null is a nil slice).
func memberships(d *decoder) map[string][]Membership {
	if d.null() || !d.open('{') {
		return nil
	}
	out := map[string][]Membership{}
	for n := 0; d.more('}', n); n++ {
		k := d.text()
		d.colon()
		if d.bad {
			return nil
		}
		out[k] = list(d, membershipFields)
	}
	return out
}

// stringMap decodes an object of strings (tags).
func stringMap(d *decoder) map[string]string {
	if d.null() || !d.open('{') {
		return nil
	}
	out := map[string]string{}
	for n := 0; d.more('}', n); n++ {
		k := d.text()
		d.colon()
		if d.bad {
			return nil
		}
		out[k] = d.str()
	}
	return out
}
