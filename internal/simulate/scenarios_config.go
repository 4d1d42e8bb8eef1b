package simulate

import (
	"net/url"
	"strconv"
)

// Configuration-plane stories (rule pack v2): applications that impersonate
// users, instances stood up or locked, organization tampering, member-account
// policies and trust anchors, long sessions and scope knobs. Each plants its
// benign look-alikes beside the attack, by config admins, so a hunt must keep
// them below medium.
//
// Shapes not confirmed by a real record (from the SDK model, lowerCamelCase
// as every sso-admin record so far): the application and trusted token issuer
// calls, Create/Update/DeleteInstance, Add/RemoveRegion,
// PutApplicationSessionConfiguration, BatchDeleteSession. CreateTokenWithIAM
// and the GetRoleCredentials that follows are shaped after the real records
// Aidan Steele published; UpdateSsoConfiguration's extended sessions after
// TrailDiscover's record.

const (
	// corpIssuer is the organization's own identity provider, listed under
	// trusted_token_issuers in the config simulate writes.
	corpIssuer = "https://login.acme.example/oauth2/default"
	// foreignAccount is an account outside the organization.
	foreignAccount = "451276890123"
	// pipelinePattern allow-lists the platform pipeline that rolls
	// baselines and policies out to member accounts.
	pipelinePattern = "arn:aws:sts::*:assumed-role/PlatformPipeline/*"
	providerCustom  = "arn:aws:sso::aws:applicationProvider/custom"
	grantJWTBearer  = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	scopeAccounts   = "sso:account:access"
)

// plainMembers are the member accounts that are not sensitive (at least one:
// the first member otherwise).
func (o *org) plainMembers() []*account {
	var out []*account
	for _, a := range o.accounts {
		if a.kind == kindMember && !a.sensitive {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = append(out, o.prod)
	}
	return out
}

// pipeline is the allow-listed platform pipeline's session in acct.
func (p *planter) pipeline(acct *account) *actor {
	return newAssumedRole(p.g.rng, acct.id, "PlatformPipeline", "baseline-"+strconv.Itoa(100+p.g.rng.IntN(900)), roleOpt{ua: uaTerraform, ip: awsIPs[3]})
}

// member plants a record in a member account (home region unless region is set).
func (p *planter) member(ts int64, acct *account, region string, a *actor, src, name string, req, resp raw) *rec {
	if region == "" {
		region = p.org.home
	}
	p.g.at(acct, region)
	r := p.g.base(ts, a, src, name)
	r.req, r.resp = req, resp
	return p.put(acct, region, &r)
}

// goldenJWT: an attacker with Identity Center admin rights trusts its own
// token issuer, builds a customer managed application that may exchange its
// JWTs, opens it to every user, gives it account access, then mints a token
// for a privileged user and that user's admin credentials in a sensitive
// account. Look-alike: an identity admin setting up an AWS managed
// application (Athena) with the corporate issuer.
func (p *planter) goldenJWT(t int64) {
	o, a, r := p.org, p.org.attackerWeb, p.g.rng
	tti := "arn:aws:sso::" + o.mgmt.id + ":trustedTokenIssuer/" + o.instanceID + "/tti-" + newUUID(r)
	app := "arn:aws:sso::" + o.mgmt.id + ":application/" + o.instanceID + "/apl-" + string(appendHex(nil, r, 16))
	p.step("idc.app.trusted-token-issuer-created", p.idc(t, a, srcSSO, "CreateTrustedTokenIssuer",
		jobj("instanceArn", o.instanceArn, "name", "partner-sso", "trustedTokenIssuerType", "OIDC_JWT",
			"trustedTokenIssuerConfiguration", jobj("oidcJwtConfiguration", jobj("issuerUrl", "https://auth.partner-sso.example/",
				"claimAttributePath", "email", "identityStoreAttributePath", "emails.value", "jwksRetrievalOption", "OPEN_ID_DISCOVERY"))),
		jobj("trustedTokenIssuerArn", tti)))
	t += 50 + r.Int64N(30)
	p.step("idc.app.custom-application-created", p.idc(t, a, srcSSO, "CreateApplication",
		jobj("instanceArn", o.instanceArn, "applicationProviderArn", providerCustom, "name", "ops-broker",
			"portalOptions", jobj("visibility", "DISABLED"), "status", "ENABLED"), jobj("applicationArn", app)))
	t += 40 + r.Int64N(30)
	p.step("idc.app.grant-added", p.idc(t, a, srcSSO, "PutApplicationGrant",
		jobj("applicationArn", app, "grantType", grantJWTBearer, "grant", jobj("jwtBearer",
			jobj("authorizedTokenIssuers", jarr(jobj("trustedTokenIssuerArn", tti, "authorizedAudiences", jarr("ops-broker")))))), nil))
	t += 40 + r.Int64N(30)
	appRole := "arn:aws:iam::" + foreignAccount + ":role/broker-fn"
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + appRole + `"},"Action":"sso-oauth:CreateTokenWithIAM","Resource":"*"}]}`
	p.step("idc.app.authentication-method", p.idc(t, a, srcSSO, "PutApplicationAuthenticationMethod",
		jobj("applicationArn", app, "authenticationMethodType", "IAM", "authenticationMethod", jobj("iam", jobj("actorPolicy", policy))), nil))
	t += 30 + r.Int64N(30)
	p.step("idc.app.assignment-not-required", p.idc(t, a, srcSSO, "PutApplicationAssignmentConfiguration",
		jobj("applicationArn", app, "assignmentRequired", false), nil))
	t += 30 + r.Int64N(30)
	p.step("idc.app.account-access-scope", p.idc(t, a, srcSSO, "PutApplicationAccessScope",
		jobj("applicationArn", app, "scope", scopeAccounts), nil))
	victim := o.users[5]
	t += 20 + r.Int64N(20)
	p.step("idc.app.assignment-created", p.idc(t, a, srcSSO, "CreateApplicationAssignment",
		jobj("applicationArn", app, "principalId", victim.id, "principalType", "USER"), nil))

	// Use, minutes later, from the broker in the attacker's own account.
	t += 600 + r.Int64N(600)
	broker := newAssumedRole(r, foreignAccount, "broker-fn", "broker-fn", roleOpt{ua: uaGoSDK, ip: "203.0.113.77"})
	cred := "AAAA" + randFrom(r, alnumChars, 60)
	p.g.at(o.mgmt, o.home)
	tok := p.g.base(t, broker, srcOAuth, "CreateTokenWithIAM")
	tok.ver, tok.tlsHost = "1.11", "oidc."+o.home+".amazonaws.com"
	tok.req = jobj("clientId", app, "grantType", grantJWTBearer, "scope", jarr(scopeAccounts), "assertion", redacted)
	tok.resp = jobj("accessToken", redacted, "expiresIn", 3600, "tokenType", "Bearer", "issuedTokenType", "urn:ietf:params:oauth:token-type:access_token")
	tok.addl = jobj("identitystore:UserId", victim.id, "identitystore:IdentityStoreArn", o.storeArn, "identitycenter:CredentialId", cred)
	tok.resources = jarr(jobj("type", "AWS::SSO::Application", "ARN", app))
	p.put(o.mgmt, o.home, &tok)
	user := idcUserWithCredential(o.mgmt.id, victim, o.storeArn, cred, uaGoSDK, "203.0.113.77")
	for i, name := range []string{"ListAccounts", "ListAccountRoles"} {
		lr := p.g.portalRecord(t+2+int64(i), user, name)
		p.put(o.mgmt, o.home, &lr)
	}
	gr := p.g.portalRecord(t+5, user, "GetRoleCredentials")
	gr.svcDetail = jobj("role_name", "AdministratorAccess", "account_id", o.prod.id)
	p.step("idc.chain.golden-jwt", p.put(o.mgmt, o.home, &gr))

	// Look-alike: Athena trusted identity propagation set up by an admin.
	t += 3600 + r.Int64N(1800)
	adm := o.admins[0]
	corpTTI := "arn:aws:sso::" + o.mgmt.id + ":trustedTokenIssuer/" + o.instanceID + "/tti-" + newUUID(r)
	athena := "arn:aws:sso::" + o.mgmt.id + ":application/" + o.instanceID + "/apl-" + string(appendHex(nil, r, 16))
	p.idc(t, adm, srcSSO, "CreateTrustedTokenIssuer", jobj("instanceArn", o.instanceArn, "name", "acme-okta", "trustedTokenIssuerType", "OIDC_JWT",
		"trustedTokenIssuerConfiguration", jobj("oidcJwtConfiguration", jobj("issuerUrl", corpIssuer, "claimAttributePath", "email",
			"identityStoreAttributePath", "emails.value", "jwksRetrievalOption", "OPEN_ID_DISCOVERY"))), jobj("trustedTokenIssuerArn", corpTTI))
	p.idc(t+60, adm, srcSSO, "CreateApplication", jobj("instanceArn", o.instanceArn, "applicationProviderArn", "arn:aws:sso::aws:applicationProvider/athena",
		"name", "athena-analytics"), jobj("applicationArn", athena))
	p.idc(t+90, adm, srcSSO, "PutApplicationGrant", jobj("applicationArn", athena, "grantType", "urn:ietf:params:oauth:grant-type:token-exchange",
		"grant", jobj("tokenExchange", jobj())), nil)
	p.idc(t+120, adm, srcSSO, "PutApplicationAuthenticationMethod", jobj("applicationArn", athena, "authenticationMethodType", "IAM",
		"authenticationMethod", jobj("iam", jobj("actorPolicy", jobj("Version", "2012-10-17", "Statement", jarr(jobj("Effect", "Allow",
			"Principal", jobj("AWS", "arn:aws:iam::"+o.mgmt.id+":role/athena-tip"), "Action", "sso-oauth:CreateTokenWithIAM", "Resource", "*")))))), nil)
	p.idc(t+150, adm, srcSSO, "CreateApplicationAssignment", jobj("applicationArn", athena, "principalId", o.groupByName("DataAnalysts").id, "principalType", "GROUP"), nil)
}

// idcUserWithCredential is a portal user whose credentialId is a token's id.
func idcUserWithCredential(acct string, u idcUser, storeArn, cred, ua, ip string) *actor {
	b := []byte(`{"type":"IdentityCenterUser"`)
	b = appendKV(b, "accountId", acct)
	b = append(b, `,"onBehalfOf":{"userId":`...)
	b = appendStr(b, u.id)
	b = appendKV(b, "identityStoreArn", storeArn)
	b = append(b, '}')
	b = appendKV(b, "credentialId", cred)
	return &actor{typ: "IdentityCenterUser", name: u.name, userID: u.id, account: acct, pre: append(b, '}'), ua: ua, ip: ip}
}

// accountInstance: an account instance in a member account (a shadow
// directory), later deleted to cover tracks. Look-alike: the platform
// pipeline creating one in another account for an AWS managed application.
func (p *planter) accountInstance(t int64) {
	o, r := p.org, p.g.rng
	plain := o.plainMembers()
	target, other := plain[0], plain[len(plain)-1]
	region := o.regions[len(o.regions)-1]
	eve := newAssumedRole(r, target.id, "OrganizationAccountAccessRole", "eve", roleOpt{ua: uaCLI, ip: "91.240.118.172"})
	inst := "arn:aws:sso:::instance/ssoins-" + string(appendHex(nil, r, 16))
	p.step("idc.instance.created", p.member(t, target, region, eve, srcSSO, "CreateInstance",
		jobj("name", "tools", "clientToken", newUUID(r)), jobj("instanceArn", inst)))
	p.step("idc.instance.deleted", p.member(t+3*3600+r.Int64N(1800), target, region, eve, srcSSO, "DeleteInstance", jobj("instanceArn", inst), nil))
	p.member(t+1800, other, "", p.pipeline(other), srcSSO, "CreateInstance", jobj("name", "q-developer", "clientToken", newUUID(r)),
		jobj("instanceArn", "arn:aws:sso:::instance/ssoins-"+string(appendHex(nil, r, 16))))
}

// instanceLockout: the organization's instance moved to a KMS key the
// attacker holds in its own account, and replicated to a region nobody reads.
func (p *planter) instanceLockout(t int64) {
	o, a := p.org, p.org.attackerWeb
	key := "arn:aws:kms:" + o.home + ":" + foreignAccount + ":key/" + newUUID(p.g.rng)
	p.step("idc.instance.changed", p.idc(t, a, srcSSO, "UpdateInstance", jobj("instanceArn", o.instanceArn,
		"encryptionConfiguration", jobj("keyType", "CUSTOMER_MANAGED_KEY", "kmsKeyArn", key)), nil))
	p.step("idc.instance.region-changed", p.idc(t+300+p.g.rng.Int64N(300), a, srcSSO, "AddRegion",
		jobj("instanceArn", o.instanceArn, "regionName", "ap-southeast-4"), nil))
}

func (p *planter) delegatedAdminDeregistered(t int64) {
	o := p.org
	p.step("idc.delegated-admin.deregistered", p.idc(t, o.legacyCI, srcOrgs, "DeregisterDelegatedAdministrator",
		jobj("accountId", o.security.id, "servicePrincipal", srcSSO), nil))
}

func (p *planter) orgServiceAccess(t int64) {
	o := p.org
	p.step("idc.org.service-access-changed", p.idc(t, o.orgAccess, srcOrgs, "DisableAWSServiceAccess",
		jobj("servicePrincipal", srcSSO), nil))
}

// referencedPolicy: a permission set references a customer managed policy
// (set up by the identity admins' Terraform); a compromised workload in a
// member account rewrites that policy to admin. Look-alike: the platform
// pipeline rolling out a reviewed version in another account.
func (p *planter) referencedPolicy(t int64) {
	o, r := p.org, p.g.rng
	plain := o.plainMembers()
	target, other := plain[0], plain[len(plain)-1]
	ps := o.psByName("DataEngineer")
	tf := o.admins[2]
	p.idc(t-7200, tf, srcSSO, "AttachCustomerManagedPolicyReferenceToPermissionSet", jobj("instanceArn", o.instanceArn, "permissionSetArn", ps.arn,
		"customerManagedPolicyReference", jobj("name", "data-team-base", "path", "/teams/")), nil)
	for i, acct := range []*account{target, other} {
		p.provision(t-7100+int64(i)*20, tf, ps, acct)
	}
	arn := func(acct *account) string { return "arn:aws:iam::" + acct.id + ":policy/teams/data-team-base" }
	admin := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	worker := target.services[1]
	p.step("idc.permission-set.referenced-policy-changed", p.iamCall(t, target, worker, "CreatePolicyVersion",
		jobj("policyArn", arn(target), "policyDocument", url.QueryEscape(admin), "setAsDefault", true),
		jobj("policyVersion", jobj("versionId", "v7", "isDefaultVersion", true, "createDate", p.consoleDate(t))), ""))
	benign := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::acme-data-lake","arn:aws:s3:::acme-data-lake/*"]}]}`
	p.iamCall(t+900+r.Int64N(600), other, p.pipeline(other), "CreatePolicyVersion",
		jobj("policyArn", arn(other), "policyDocument", benign, "setAsDefault", true),
		jobj("policyVersion", jobj("versionId", "v3", "isDefaultVersion", true, "createDate", p.consoleDate(t))), "")
}

// iamCall plants an IAM call in acct, failed with errCode when set (the
// error message is IAM's for a protected role, the only failure planted).
func (p *planter) iamCall(ts int64, acct *account, a *actor, name string, req, resp raw, errCode string) *rec {
	region := p.iamRegion()
	p.g.at(acct, region)
	r := p.g.base(ts, a, srcIAM, name)
	r.req, r.resp = req, resp
	if errCode != "" {
		r.resp, r.errCode = nil, errCode
		r.errMsg = "Cannot perform the operation on the protected role - this role is only modifiable by AWS"
	}
	return p.put(acct, region, &r)
}

// trustAnchor: a compromised workload in the sensitive account probes the
// protected AWSReservedSSO roles, then swaps the metadata of Identity
// Center's SAML provider. Look-alike: Identity Center's own rotation.
func (p *planter) trustAnchor(t int64) {
	o, r := p.org, p.g.rng
	target := o.prod
	worker := target.services[0]
	role := o.ssoRoleName("AdministratorAccess", target.id)
	p.step("idc.trust-anchor.reserved-role-probe", p.iamCall(t, target, worker, "PutRolePolicy",
		jobj("roleName", role, "policyName", "ops", "policyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`),
		nil, "UnmodifiableEntity"))
	meta := "<EntityDescriptor entityID=\"https://idp.partner-sso.example/saml\">…</EntityDescriptor>"
	t += 240 + r.Int64N(120)
	p.step("idc.trust-anchor.saml-provider-changed", p.iamCall(t, target, worker, "UpdateSAMLProvider",
		jobj("sAMLMetadataDocument", meta, "sAMLProviderArn", target.samlArn), jobj("sAMLProviderArn", target.samlArn), ""))
	other := o.plainMembers()[0]
	p.iamCall(t+7200, other, other.ssoService, "UpdateSAMLProvider",
		jobj("sAMLMetadataDocument", "<EntityDescriptor entityID=\"https://portal.sso."+o.home+".amazonaws.com/saml/assertion/x\">…</EntityDescriptor>",
			"sAMLProviderArn", other.samlArn), jobj("sAMLProviderArn", other.samlArn), "")
}

// extendedSession: 90-day sessions for IDE clients and background sessions
// for the attacker's application. Look-alike: an identity admin enabling
// extended sessions for Amazon Q.
func (p *planter) extendedSession(t int64) {
	o, a := p.org, p.org.attackerWeb
	cfg := func(providers ...any) raw {
		return jobj("configurationType", "SESSION", "instanceArn", o.instanceArn, "ssoConfiguration",
			jobj("sessionConfiguration", jobj("maxAuthenticationAge", "PT8H", "extendedSessionEnabledAppProviders", jarr(providers...))))
	}
	p.step("idc.settings.extended-session", p.idc(t, a, srcSSO, "UpdateSsoConfiguration", cfg("codewhisperer", "kiro"), nil))
	p.step("idc.settings.extended-session", p.idc(t+120, a, srcSSO, "PutApplicationSessionConfiguration",
		jobj("applicationArn", o.appArn, "userBackgroundSessionApplicationStatus", "ENABLED"), nil))
	p.idc(t+5400, o.admins[0], srcSSO, "UpdateSsoConfiguration", cfg("codewhisperer"), nil)
}

// abac: session-tag mappings pointed at attributes the attacker can set.
// Look-alike: an identity admin's ABAC roll-out.
func (p *planter) abac(t int64) {
	o := p.org
	cfg := func(kv ...string) raw {
		var attrs []any
		for i := 0; i+1 < len(kv); i += 2 {
			attrs = append(attrs, jobj("key", kv[i], "value", jobj("source", jarr(kv[i+1]))))
		}
		return jobj("instanceArn", o.instanceArn, "instanceAccessControlAttributeConfiguration", jobj("accessControlAttributes", jarr(attrs...)))
	}
	p.idc(t-86400/2, o.admins[0], srcSSO, "CreateInstanceAccessControlAttributeConfiguration",
		cfg("CostCenter", "${path:enterprise.costCenter}", "Team", "${path:enterprise.department}"), nil)
	p.step("idc.abac.changed", p.idc(t, o.orgAccess, srcSSO, "UpdateInstanceAccessControlAttributeConfiguration",
		cfg("CostCenter", "${path:enterprise.costCenter}", "Team", "${path:title}"), nil))
}

// delegationTags: the admin permission set tagged into a delegated
// administrator's reach, then every session ended to slow the response.
func (p *planter) delegationTags(t int64) {
	o, a := p.org, p.org.attackerWeb
	p.step("idc.permission-set.tagged", p.idc(t, a, srcSSO, "TagResource", jobj("instanceArn", o.instanceArn,
		"resourceArn", o.psByName("AdministratorAccess").arn, "tags", jarr(jobj("key", "delegated-team", "value", "devops"))), nil))
	p.step("idc.session.revoked-bulk", p.idc(t+1800+p.g.rng.Int64N(600), a, srcSSO, "BatchDeleteSession",
		jobj("sessionIds", jarr(redacted, redacted, redacted)), nil))
}
