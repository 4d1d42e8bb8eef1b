package simulate

// Attack stories. Each is told by an actor that is not in the config's
// admins, interleaved with the noise, and every record that a rule must fire
// on becomes a Step in the truth file.

type scenario struct {
	name string
	run  func(p *planter, t int64)
}

func scenarioList() []scenario {
	return []scenario{
		{"backdoor-permission-set", (*planter).backdoorPermissionSet},
		{"backdoor-user", (*planter).backdoorUser},
		{"privileged-group-via-api", (*planter).groupViaAPI},
		{"privileged-group-via-scim", (*planter).groupViaSCIM},
		{"customer-managed-policy", (*planter).customerManagedPolicy},
		{"identity-source", (*planter).identitySource},
		{"scim-token", (*planter).scimToken},
		{"mfa-weakened", (*planter).mfaWeakened},
		{"portal-session", (*planter).portalSession},
		{"delegated-admin", (*planter).delegatedAdmin},
		{"assignment-deleted", (*planter).assignmentDeleted},
		{"group-created", (*planter).groupCreated},
		{"unlisted-actor", (*planter).unlistedActor},
		{"golden-jwt", (*planter).goldenJWT},
		{"account-instance", (*planter).accountInstance},
		{"instance-lockout", (*planter).instanceLockout},
		{"delegated-admin-deregistered", (*planter).delegatedAdminDeregistered},
		{"org-service-access", (*planter).orgServiceAccess},
		{"referenced-policy", (*planter).referencedPolicy},
		{"trust-anchor", (*planter).trustAnchor},
		{"extended-session", (*planter).extendedSession},
		{"abac", (*planter).abac},
		{"delegation-tags", (*planter).delegationTags},
	}
}

// ScenarioNames lists the attack scenarios Options.Scenarios accepts.
func ScenarioNames() []string {
	var out []string
	for _, s := range scenarioList() {
		out = append(out, s.name)
	}
	return out
}

// attacks spreads the chosen stories over the simulated days.
func (p *planter) attacks(names []string) {
	span := p.end - p.start
	for i, n := range names {
		for _, sc := range scenarioList() {
			if sc.name != n {
				continue
			}
			p.reseed("scenario/" + n)
			p.scenario = n
			t := p.start + span*int64(i+1)/int64(len(names)+1) + p.g.rng.Int64N(1800) - 900
			sc.run(p, max(p.start+600, min(t, p.end-2*3600)))
		}
	}
	p.scenario = ""
}

// backdoorPermissionSet: a new permission set made admin, made to last, freed
// of its boundary, provisioned and assigned to a sensitive account, then used.
func (p *planter) backdoorPermissionSet(t int64) {
	o, a, r := p.org, p.org.attacker, p.g.rng
	name := pick(r, []string{"SupportTooling", "BackupOperator", "Observability-RO", "CostOptimizer"})
	ps := permSet{name: name, arn: o.psArn(r)}
	target := o.prod
	psReq := func(kv ...any) raw {
		return jobj(append([]any{"instanceArn", o.instanceArn, "permissionSetArn", ps.arn}, kv...)...)
	}
	rc := p.idc(t, a, srcSSO, "CreatePermissionSet",
		jobj("name", name, "instanceArn", o.instanceArn, "description", "Support tooling access", "sessionDuration", "PT1H", "tags", jarr()),
		jobj("permissionSet", jobj("name", name, "permissionSetArn", ps.arn, "description", "Support tooling access",
			"createdDate", p.consoleDate(t), "sessionDuration", "PT1H")))
	p.step("idc.permission-set.created", rc)
	t += 40 + r.Int64N(30)
	p.step("idc.permission-set.admin-policy-attached", p.idc(t, a, srcSSO, "AttachManagedPolicyToPermissionSet", psReq("managedPolicyArn", policyAdmin), nil))
	t += 50 + r.Int64N(30)
	// Admin without saying "*": iam and sso everywhere, and NotAction.
	inline := `{"Version":"2012-10-17","Statement":[{"Sid":"Ops","Effect":"Allow","Action":["iam:*","sso:*","organizations:*"],"Resource":"*"},` +
		`{"Sid":"Rest","Effect":"Allow","NotAction":["aws-portal:*"],"Resource":"*"}]}`
	p.step("idc.permission-set.privileged-inline-policy", p.idc(t, a, srcSSO, "PutInlinePolicyToPermissionSet", psReq("inlinePolicy", inline), nil))
	t += 40 + r.Int64N(30)
	p.step("idc.permission-set.session-duration-raised", p.idc(t, a, srcSSO, "UpdatePermissionSet", psReq("sessionDuration", "PT12H"), nil))
	t += 30 + r.Int64N(30)
	p.step("idc.permission-set.boundary-removed", p.idc(t, a, srcSSO, "DeletePermissionsBoundaryFromPermissionSet", psReq(), nil))
	t += 60 + r.Int64N(30)
	p.step("idc.permission-set.provisioned", p.provision(t, a, ps, target))
	p.roleCreated(t+9, a, ps, target, policyAdmin)
	p.iam(t+10, target, target.ssoService, "PutRolePolicy", jobj("roleName", o.ssoRoleName(name, target.id), "policyName", "AwsSSOInlinePolicy",
		"policyDocument", inline), nil)
	t += 60 + r.Int64N(30)
	rc = p.assign(t, a, "CreateAccountAssignment", ps, target, "USER", o.mallory.id)
	p.step("idc.assignment.created", rc)
	p.step("idc.chain.backdoor-permission-set", rc)

	// Within the hour: the portal hands out credentials for the new set.
	t += 600 + r.Int64N(1800)
	p.g.at(o.mgmt, o.home)
	lr := p.g.portalRecord(t, o.malloryPortal, "ListAccounts")
	p.put(o.mgmt, o.home, &lr)
	lr = p.g.portalRecord(t+2, o.malloryPortal, "ListAccountRoles")
	lr.svcDetail = jobj("account_id", target.id)
	p.put(o.mgmt, o.home, &lr)
	gr := p.g.portalRecord(t+4, o.malloryPortal, "GetRoleCredentials")
	gr.svcDetail = jobj("role_name", name, "account_id", target.id)
	p.step("idc.session.fresh-assignment-used", p.put(o.mgmt, o.home, &gr))
	p.g.at(target, o.home)
	sr := p.g.samlRecord(t+5, newSAMLUser(o.mallory.name, target.samlIdP), name)
	p.step("idc.session.fresh-assignment-used", p.put(target, o.home, &sr))

	// What the new role then does (not in the truth: ordinary calls).
	sess := newAssumedRole(r, target.id, o.ssoRoleName(name, target.id), o.mallory.name,
		roleOpt{path: o.ssoRolePath(), ua: uaCLI, ip: a.ip})
	for i, call := range [][2]string{{"sts.amazonaws.com", "GetCallerIdentity"}, {"iam.amazonaws.com", "ListUsers"}, {"s3.amazonaws.com", "ListBuckets"}} {
		region := o.home
		if call[1] == "ListUsers" {
			region = p.iamRegion()
		}
		p.g.at(target, region)
		cr := p.g.base(t+20+int64(i)*25, sess, call[0], call[1])
		cr.readOnly = true
		p.put(target, region, &cr)
	}
}

// customerManagedPolicy: the attacker's own permission set gains a customer
// managed policy that exists in every account.
func (p *planter) customerManagedPolicy(t int64) {
	o := p.org
	p.step("idc.permission-set.admin-policy-attached", p.idc(t, o.legacyCI, srcSSO, "AttachCustomerManagedPolicyReferenceToPermissionSet",
		jobj("instanceArn", o.instanceArn, "permissionSetArn", o.psByName("DevOps").arn,
			"customerManagedPolicyReference", jobj("name", "OrgFullAccess", "path", "/")), nil))
}

// assignmentDeleted: the security team loses its access to the security account.
func (p *planter) assignmentDeleted(t int64) {
	o := p.org
	p.step("idc.assignment.deleted", p.assign(t, o.attacker, "DeleteAccountAssignment", o.psByName("SecurityAudit"),
		o.security, "GROUP", o.groupByName("SecurityAdmins").id))
}

// unlistedActor: an application's sign-in URL pointed elsewhere by someone
// who came in through OrganizationAccountAccessRole (no specific rule reads
// UpdateApplication: the fallback must).
func (p *planter) unlistedActor(t int64) {
	o := p.org
	p.step("idc.change.unlisted-actor", p.idc(t, o.orgAccess, srcSSO, "UpdateApplication",
		jobj("applicationArn", o.appArn, "portalOptions", jobj("signInOptions", jobj("origin", "APPLICATION",
			"applicationUrl", "https://portal-broker.acme-support.example/login"))), nil))
}
