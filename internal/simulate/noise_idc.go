package simulate

import (
	"strconv"
)

const uaPortalJava = "aws-sdk-java/2.46.14 md/io#sync md/http#Apache md/internal ua/2.1 api/STS#2.46.x os/Linux#4.14.355-284.735.amzn2.x86_64 lang/java#17.0.19 md/OpenJDK_64-Bit_Server_VM#17.0.19+11-LTS md/vendor#Amazon.com_Inc. md/en_US m/E,N,AJ"

// samlRecord is a member-account sts:AssumeRoleWithSAML into the role a
// permission set became: what using an account assignment looks like there.
func (g *gen) samlRecord(ts int64, a *actor, ps string) rec {
	roleName := g.org.ssoRoleName(ps, g.acct.id)
	roleArn := g.org.ssoRoleArn(ps, g.acct.id)
	r := g.base(ts, a, "sts.amazonaws.com", "AssumeRoleWithSAML")
	r.ver, r.readOnly = "1.11", true
	r.ip, r.ua = awsIPs[g.rng.IntN(len(awsIPs))], uaPortalJava
	g.req = append(g.req[:0], `{"sAMLAssertionID":"_`...)
	g.req = appendUUID(g.req, g.rng)
	g.req = append(g.req, '"')
	g.req = appendKV(g.req, "roleSessionName", a.name)
	g.req = appendKV(g.req, "roleArn", roleArn)
	g.req = appendKV(g.req, "principalArn", g.acct.samlArn)
	g.req = append(g.req, `,"durationSeconds":`...)
	g.req = strconv.AppendInt(g.req, int64(3600*(1+g.rng.IntN(4))), 10)
	g.req = append(g.req, '}')
	r.req = g.req
	g.resp = g.appendCreds(g.resp[:0], ts, roleName, a.name)
	g.resp = appendKV(g.resp, "subject", a.name)
	g.resp = append(g.resp, `,"subjectType":"persistent"`...)
	g.resp = appendKV(g.resp, "issuer", g.org.samlIssuer)
	g.resp = append(g.resp, `,"audience":"https://signin.aws.amazon.com/saml"`...)
	g.resp = appendKV(g.resp, "nameQualifier", g.acct.samlIdP)
	g.resp = append(g.resp, '}')
	r.resp = g.resp
	g.addl = append(g.addl[:0], `{"RequestDetails":{"endpointType":"regional","awsServingRegion":"`...)
	g.addl = append(g.addl, r.region...)
	g.addl = append(g.addl, `"}}`...)
	r.addl = g.addl
	g.res = append(g.res[:0], `[{"accountId":"`...)
	g.res = append(g.res, g.acct.id...)
	g.res = append(g.res, `","type":"AWS::IAM::Role","ARN":`...)
	g.res = appendStr(g.res, roleArn)
	g.res = append(g.res, `},{"accountId":"`...)
	g.res = append(g.res, g.acct.id...)
	g.res = append(g.res, `","type":"AWS::IAM::SAMLProvider","ARN":`...)
	g.res = appendStr(g.res, g.acct.samlArn)
	g.res = append(g.res, `}]`...)
	r.resources = g.res
	r.tlsHost = "sts." + r.region + ".amazonaws.com"
	return r
}

// tSAMLAssume: people using long-standing assignments (never a permission
// set an admin created or assigned inside the simulated window).
func tSAMLAssume(g *gen, ts int64) rec {
	u := pick(g.rng, g.acct.saml)
	return g.samlRecord(ts, u.actor, u.ps)
}

func (g *gen) idcReader() *actor {
	if g.rng.IntN(5) < 2 {
		return pick(g.rng, g.org.admins)
	}
	return pick(g.rng, g.org.readers)
}

func (g *gen) idcBase(ts int64, a *actor, src, name, host string) rec {
	r := g.base(ts, a, src, name)
	r.readOnly = true
	if g.rng.IntN(2) == 0 {
		r.tlsHost = host + "." + r.region + ".amazonaws.com"
	}
	return r
}

func tSSOAdminRead(g *gen, ts int64) rec {
	names := [...]string{"ListPermissionSets", "DescribePermissionSet", "ListAccountAssignments", "ListAccountsForProvisionedPermissionSet",
		"ListManagedPoliciesInPermissionSet", "GetInlinePolicyForPermissionSet", "ListInstances", "ListPermissionSetsProvisionedToAccount",
		"GetPermissionsBoundaryForPermissionSet", "ListCustomerManagedPolicyReferencesInPermissionSet", "DescribePermissionSetProvisioningStatus"}
	n := names[g.rng.IntN(len(names))]
	r := g.idcBase(ts, g.idcReader(), srcSSO, n, "sso")
	g.req = append(g.req[:0], `{"instanceArn":`...)
	g.req = appendStr(g.req, g.org.instanceArn)
	switch n {
	case "ListInstances":
		g.req = append(g.req[:0], `{}`...)
		r.req = g.req
		return r
	case "ListPermissionSets":
		g.req = append(g.req, `,"maxResults":100`...)
	case "ListPermissionSetsProvisionedToAccount":
		g.req = appendKV(g.req, "accountId", pick(g.rng, g.org.accounts).id)
	case "DescribePermissionSetProvisioningStatus":
		g.req = append(g.req, `,"provisionPermissionSetRequestId":"`...)
		g.req = appendUUID(g.req, g.rng)
		g.req = append(g.req, '"')
	default:
		g.req = appendKV(g.req, "permissionSetArn", pick(g.rng, g.org.established).arn)
		if n == "ListAccountAssignments" {
			g.req = appendKV(g.req, "accountId", pick(g.rng, g.org.accounts).id)
			g.req = append(g.req, `,"maxResults":100`...)
		}
	}
	g.req = append(g.req, '}')
	r.req = g.req
	g.maybeError(&r, "sso")
	return r
}

func tIdentityStoreRead(g *gen, ts int64) rec {
	names := [...]string{"ListUsers", "ListGroups", "DescribeUser", "DescribeGroup", "ListGroupMemberships", "ListGroupMembershipsForMember", "GetGroupId"}
	n := names[g.rng.IntN(len(names))]
	r := g.idcBase(ts, g.idcReader(), srcStore, n, "identitystore")
	g.req = append(g.req[:0], `{"identityStoreId":`...)
	g.req = appendStr(g.req, g.org.storeID)
	switch n {
	case "ListUsers", "ListGroups":
		g.req = append(g.req, `,"maxResults":100`...)
	case "DescribeUser":
		g.req = appendKV(g.req, "userId", pick(g.rng, g.org.users).id)
	case "DescribeGroup":
		g.req = appendKV(g.req, "groupId", pick(g.rng, g.org.groups).id)
	case "ListGroupMemberships":
		g.req = appendKV(g.req, "groupId", pick(g.rng, g.org.groups).id)
		g.req = append(g.req, `,"maxResults":100`...)
	case "ListGroupMembershipsForMember":
		g.req = append(g.req, `,"memberId":{"userId":`...)
		g.req = appendStr(g.req, pick(g.rng, g.org.users).id)
		g.req = append(g.req, '}')
	case "GetGroupId":
		g.req = append(g.req, `,"alternateIdentifier":{"uniqueAttribute":{"attributePath":"displayName","attributeValue":"`+redacted+`"}}`...)
	}
	g.req = append(g.req, '}')
	r.req = g.req
	return r
}

// tDirectoryRead: the console's identity-store calls (sso-directory).
func tDirectoryRead(g *gen, ts int64) rec {
	names := [...]string{"SearchUsers", "SearchGroups", "DescribeUsers", "ListGroupsForUser", "ListMfaDevicesForUser", "DescribeDirectory"}
	n := names[g.rng.IntN(len(names))]
	a := g.org.admins[0]
	if g.rng.IntN(2) == 0 {
		a = g.org.readers[0]
	}
	r := g.idcBase(ts, a, srcDir, n, "up.sso")
	g.req = append(g.req[:0], `{"identityStoreId":`...)
	g.req = appendStr(g.req, g.org.storeID)
	switch n {
	case "SearchUsers", "SearchGroups":
		g.req = append(g.req, `,"maxResults":50`...)
	case "DescribeUsers":
		g.req = append(g.req, `,"userIds":[`...)
		g.req = appendStr(g.req, pick(g.rng, g.org.users).id)
		g.req = append(g.req, ']')
	case "ListGroupsForUser", "ListMfaDevicesForUser":
		g.req = appendKV(g.req, "userId", pick(g.rng, g.org.users).id)
	case "DescribeDirectory":
		g.req = append(g.req[:0], `{"directoryId":`...)
		g.req = appendStr(g.req, g.org.storeID)
	}
	g.req = append(g.req, '}')
	r.req = g.req
	return r
}

func tOrgsRead(g *gen, ts int64) rec {
	names := [...]string{"ListAccounts", "DescribeOrganization", "ListDelegatedAdministrators", "ListAWSServiceAccessForOrganization", "DescribeAccount"}
	n := names[g.rng.IntN(len(names))]
	a := g.idcReader()
	if g.rng.IntN(3) == 0 {
		a = pick(g.rng, g.acct.services)
	}
	r := g.idcBase(ts, a, srcOrgs, n, "organizations")
	switch n {
	case "ListDelegatedAdministrators": // decoy: sso.amazonaws.com as a request value
		g.req = append(g.req[:0], `{"servicePrincipal":"sso.amazonaws.com"}`...)
		r.req = g.req
	case "DescribeAccount":
		g.req = append(g.req[:0], `{"accountId":"`...)
		g.req = append(g.req, pick(g.rng, g.org.accounts).id...)
		g.req = append(g.req, `"}`...)
		r.req = g.req
	case "ListAccounts":
		g.req = append(g.req[:0], `{}`...)
		r.req = g.req
	}
	return r
}

func (g *gen) portalUser() *actor {
	if g.rng.IntN(5) == 0 {
		return pick(g.rng, g.org.portalLegacy)
	}
	return pick(g.rng, g.org.portal)
}

// portalRecord is the access-portal shape: a service event with no
// requestParameters; what was asked for is in serviceEventDetails.
func (g *gen) portalRecord(ts int64, a *actor, name string) rec {
	r := g.base(ts, a, srcSSO, name)
	r.ver, r.evType, r.readOnly = "1.11", "AwsServiceEvent", true
	return r
}

func tPortalList(g *gen, ts int64) rec {
	if g.rng.IntN(2) == 0 {
		return g.portalRecord(ts, g.portalUser(), "ListAccounts")
	}
	r := g.portalRecord(ts, g.portalUser(), "ListAccountRoles")
	g.svc = append(g.svc[:0], `{"account_id":"`...)
	g.svc = append(g.svc, pick(g.rng, g.org.accounts).id...)
	g.svc = append(g.svc, `"}`...)
	r.svcDetail = g.svc
	return r
}

func (g *gen) appendRoleDetail(b []byte, role, acct string) []byte {
	b = append(b[:0], `{"role_name":`...)
	b = appendStr(b, role)
	b = appendKV(b, "account_id", acct)
	return append(b, '}')
}

func tPortalRoleCreds(g *gen, ts int64) rec {
	r := g.portalRecord(ts, g.portalUser(), "GetRoleCredentials")
	acct := pick(g.rng, g.org.accounts)
	u := pick(g.rng, acct.saml)
	g.svc = g.appendRoleDetail(g.svc, u.ps, acct.id)
	r.svcDetail = g.svc
	return r
}

func tSSOCreateToken(g *gen, ts int64) rec {
	r := g.base(ts, pick(g.rng, g.org.portal), srcSSO, "CreateToken")
	g.req = append(g.req[:0], `{"clientId":"`...)
	g.req = appendFrom(g.req, g.rng, alnumChars, 22)
	g.req = append(g.req, `","clientSecret":"`+redacted+`","grantType":"urn:ietf:params:oauth:grant-type:device_code","deviceCode":"`...)
	g.req = appendFrom(g.req, g.rng, alnumChars, 22)
	g.req = append(g.req, `"}`...)
	r.req = g.req
	g.resp = append(g.resp[:0], `{"accessToken":"`+redacted+`","tokenType":"Bearer","expiresIn":28800,"refreshToken":"`+redacted+`","idToken":"`+redacted+`"}`...)
	r.resp = g.resp
	g.res = append(g.res[:0], `[{"accountId":"`...)
	g.res = append(g.res, g.org.mgmt.id...)
	g.res = append(g.res, `","type":"IdentityStoreId","ARN":"`...)
	g.res = append(g.res, g.org.storeID...)
	g.res = append(g.res, `"}]`...)
	r.resources = g.res
	return r
}

func tCreateTokenWithIAM(g *gen, ts int64) rec {
	r := g.base(ts, g.org.oauthApp, srcOAuth, "CreateTokenWithIAM")
	r.ver = "1.11"
	u := pick(g.rng, g.org.portal)
	g.req = append(g.req[:0], `{"clientId":`...)
	g.req = appendStr(g.req, g.org.appArn)
	g.req = append(g.req, `,"grantType":"urn:ietf:params:oauth:grant-type:jwt-bearer","scope":["sso:account:access"],"assertion":"`+redacted+`"}`...)
	r.req = g.req
	g.resp = append(g.resp[:0], `{"accessToken":"`+redacted+`","expiresIn":3600,"tokenType":"Bearer","issuedTokenType":"urn:ietf:params:oauth:token-type:access_token"}`...)
	r.resp = g.resp
	g.addl = append(g.addl[:0], `{"identitystore:UserId":`...)
	g.addl = appendStr(g.addl, u.userID)
	g.addl = appendKV(g.addl, "identitystore:IdentityStoreArn", g.org.storeArn)
	g.addl = append(g.addl, '}')
	r.addl = g.addl
	g.res = append(g.res[:0], `[{"type":"AWS::SSO::Application","ARN":`...)
	g.res = appendStr(g.res, g.org.appArn)
	g.res = append(g.res, `}]`...)
	r.resources = g.res
	r.tlsHost = "oidc." + r.region + ".amazonaws.com"
	return r
}
