package simulate

import (
	"strconv"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

const (
	srcSSO    = idc.SourceSSO
	srcStore  = idc.SourceIdentityStore
	srcDir    = idc.SourceDirectory
	srcSCIM   = idc.SourceSCIM
	srcOAuth  = idc.SourceOAuth
	srcSignin = idc.SourceSignin
	srcOrgs   = idc.SourceOrganizations
	srcIAM    = "iam.amazonaws.com"

	policyReadOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	policyViewOnly = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
	policyAdmin    = "arn:aws:iam::aws:policy/AdministratorAccess"
)

// routine plants the identity admins' everyday Identity Center work: every
// change is by an actor in the config's admins, within max_session_duration,
// to non-sensitive accounts and non-privileged groups.
func (p *planter) routine(days int) {
	p.reseed("routine-work")
	p.scenario = ""
	var plain []*account
	for _, a := range p.org.accounts {
		if !a.sensitive {
			plain = append(plain, a)
		}
	}
	var groups []group
	for _, g := range p.org.groups {
		if !g.privileged && g.name != "IdentityAdmins" {
			groups = append(groups, g)
		}
	}
	r := p.g.rng
	seq := 0
	for d := range days {
		day := p.start + int64(d)*86400
		for range 4 + r.IntN(4) {
			ts := day + 13*3600 + r.Int64N(8*3600) // working hours in the US and late EU
			a := pick(r, p.org.admins)
			wf := r.IntN(6)
			if len(plain) == 0 && wf != 2 && wf != 3 {
				wf = 2 // nothing non-sensitive to assign to
			}
			switch wf {
			case 0:
				seq++
				p.createAndAssign(ts, a, seq, pick(r, plain), pick(r, groups))
			case 1:
				ps := pick(r, p.routinePS)
				dur := pick(r, []string{"PT1H", "PT2H", p.maxSess})
				p.idc(ts, a, srcSSO, "UpdatePermissionSet", jobj("instanceArn", p.org.instanceArn, "permissionSetArn", ps.arn,
					"description", "Reviewed by identity team", "sessionDuration", dur), nil)
				p.provision(ts+40, a, ps, pick(r, plain))
			case 2:
				p.userWithMembership(ts, a, pick(r, groups))
			case 3:
				p.idc(ts, p.org.admins[0], srcDir, "AddMemberToGroup", jobj("identityStoreId", p.org.storeID,
					"groupId", pick(r, groups).id, "member", jobj("memberId", p.org.users[3+r.IntN(len(p.org.users)-3)].id)), nil)
			case 4:
				p.deleteAssignment(ts, a, pick(r, p.routinePS), pick(r, plain), pick(r, groups))
			default:
				ps := pick(r, p.routinePS)
				p.idc(ts, a, srcSSO, "PutInlinePolicyToPermissionSet", jobj("instanceArn", p.org.instanceArn, "permissionSetArn", ps.arn,
					"inlinePolicy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::acme-reports","arn:aws:s3:::acme-reports/*"]}]}`), nil)
			}
		}
	}
}

func (p *planter) createAndAssign(ts int64, a *actor, seq int, target *account, grp group) {
	r := p.g.rng
	name := pick(r, []string{"Analytics-ReadOnly", "ProjectApollo-Dev", "Support-L1", "CostExplorer", "QA-Tester", "DataScience"}) + "-" + strconv.Itoa(seq)
	ps := permSet{name: name, arn: p.org.psArn(r)}
	p.routinePS = append(p.routinePS, ps)
	dur := pick(r, []string{"PT1H", "PT2H", p.maxSess})
	p.idc(ts, a, srcSSO, "CreatePermissionSet",
		jobj("name", name, "instanceArn", p.org.instanceArn, "description", "Requested in ticket IAM-"+strconv.Itoa(1000+r.IntN(9000)), "sessionDuration", dur, "tags", jarr()),
		jobj("permissionSet", jobj("name", name, "permissionSetArn", ps.arn, "createdDate", p.consoleDate(ts), "sessionDuration", dur)))
	policy := policyReadOnly
	switch v := r.IntN(20); {
	case v < 3:
		policy = policyAdmin // admins may do this; it is their job
	case v < 7:
		policy = policyViewOnly
	}
	ts += 30 + r.Int64N(60)
	p.idc(ts, a, srcSSO, "AttachManagedPolicyToPermissionSet", jobj("instanceArn", p.org.instanceArn, "permissionSetArn", ps.arn, "managedPolicyArn", policy), nil)
	ts += 30 + r.Int64N(120)
	p.assign(ts, a, "CreateAccountAssignment", ps, target, "GROUP", grp.id)
	p.roleCreated(ts+8, a, ps, target, policy)
}

func (p *planter) assignStatus(ts int64, key string, ps permSet, target *account, ptype, pid string) raw {
	return jobj(key, jobj("status", "IN_PROGRESS", "requestId", newUUID(p.g.rng), "targetId", target.id, "targetType", "AWS_ACCOUNT",
		"permissionSetArn", ps.arn, "principalType", ptype, "principalId", pid))
}

func (p *planter) assign(ts int64, a *actor, name string, ps permSet, target *account, ptype, pid string) *rec {
	key := "accountAssignmentCreationStatus"
	if name == "DeleteAccountAssignment" {
		key = "accountAssignmentDeletionStatus"
	}
	return p.idc(ts, a, srcSSO, name, jobj("instanceArn", p.org.instanceArn, "targetId", target.id, "targetType", "AWS_ACCOUNT",
		"permissionSetArn", ps.arn, "principalType", ptype, "principalId", pid), p.assignStatus(ts, key, ps, target, ptype, pid))
}

func (p *planter) provision(ts int64, a *actor, ps permSet, target *account) *rec {
	return p.idc(ts, a, srcSSO, "ProvisionPermissionSet",
		jobj("instanceArn", p.org.instanceArn, "permissionSetArn", ps.arn, "targetId", target.id, "targetType", "AWS_ACCOUNT"),
		jobj("permissionSetProvisioningStatus", jobj("status", "IN_PROGRESS", "requestId", newUUID(p.g.rng), "accountId", target.id,
			"permissionSetArn", ps.arn, "createdDate", p.consoleDate(ts))))
}

func (p *planter) deleteAssignment(ts int64, a *actor, ps permSet, target *account, grp group) {
	p.assign(ts, a, "DeleteAccountAssignment", ps, target, "GROUP", grp.id)
	role := p.org.ssoRoleName(ps.name, target.id)
	p.iam(ts+12, target, target.ssoService, "DetachRolePolicy", jobj("roleName", role, "policyArn", policyReadOnly), nil)
	p.iam(ts+13, target, target.ssoService, "DeleteRole", jobj("roleName", role), nil)
}

func (p *planter) userWithMembership(ts int64, a *actor, grp group) {
	uid := p.org.storeID[2:] + "-" + newUUID(p.g.rng)
	p.idc(ts, a, srcStore, "CreateUser", jobj("identityStoreId", p.org.storeID, "userName", redacted,
		"name", jobj("formatted", redacted, "familyName", redacted, "givenName", redacted), "displayName", redacted, "emails", redacted),
		jobj("userId", uid, "identityStoreId", p.org.storeID))
	p.idc(ts+25, a, srcStore, "CreateGroupMembership", jobj("identityStoreId", p.org.storeID, "groupId", grp.id, "memberId", jobj("userId", uid)),
		jobj("membershipId", newUUID(p.g.rng), "identityStoreId", p.org.storeID))
}

// roleCreated plants the IAM side effects of provisioning in target. For the
// management account real records show the caller's identity with invokedBy
// sso.amazonaws.com; elsewhere Identity Center acts as AWSServiceRoleForSSO.
func (p *planter) roleCreated(ts int64, caller *actor, ps permSet, target *account, policy string) {
	a := target.ssoService
	if target == p.org.mgmt {
		a = caller.withInvokedBy(srcSSO)
	}
	role := p.org.ssoRoleName(ps.name, target.id)
	path := p.org.ssoRolePath()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + target.samlArn +
		`"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
	p.iam(ts, target, a, "CreateRole", jobj("path", path, "roleName", role, "assumeRolePolicyDocument", trust, "maxSessionDuration", 43200),
		jobj("role", jobj("path", path, "roleName", role, "roleId", "AROA"+randFrom(p.g.rng, upperAlnum, 17),
			"arn", "arn:aws:iam::"+target.id+":role"+path+role, "createDate", p.consoleDate(ts))))
	p.iam(ts+1, target, a, "AttachRolePolicy", jobj("roleName", role, "policyArn", policy), nil)
}

func (p *planter) iam(ts int64, target *account, a *actor, name string, req, resp raw) *rec {
	region := p.iamRegion()
	p.g.at(target, region)
	r := p.g.base(ts, a, srcIAM, name)
	r.req, r.resp = req, resp
	return p.put(target, region, &r)
}
