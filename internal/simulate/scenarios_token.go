package simulate

// Token stories: device-code phishing, a replayed token, and the stolen
// credentials of an allow-listed identity, each with its look-alikes.
//
// Shapes: CreateToken and the portal calls follow the AWS samples
// (understanding-sso-entries, sso-cloudtrail-use-cases): userIdentity is
// the user (IdentityCenterUser with onBehalfOf and credentialId),
// sourceIPAddress and userAgent are the caller's, the portal calls carry no
// requestParameters and name their target in serviceEventDetails. That a
// token's CreateToken record carries the credentialId its later portal
// calls carry is a documented guess (AWS documents the portal side).

const (
	uaCloudShell = "aws-cli/2.31.4 md/awscrt#0.27.6 ua/2.1 os/linux#6.1.0 md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython exec-env/CloudShell cfg/retry-mode#standard md/installer#exe md/prompt#off command/sso.login"
	uaPhishKit   = "Boto3/1.34.2 md/Botocore#1.34.2 ua/2.0 os/linux#5.15.0-105-generic md/arch#x86_64 lang/python#3.11.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.2"
)

// createToken plants an OIDC CreateToken of grant by a (the user's identity,
// the caller's address and client).
func (p *planter) createToken(ts int64, a *actor, grant string) *rec {
	o := p.org
	p.g.at(o.mgmt, o.home)
	r := p.g.base(ts, a, srcSSO, "CreateToken")
	req := []any{"clientId", randFrom(p.g.rng, alnumChars, 22), "clientSecret", redacted, "grantType", grant}
	if grant == "authorization_code" {
		req = append(req, "code", redacted, "redirectUri", "http://127.0.0.1:53731/oauth/callback", "codeVerifier", redacted)
	} else {
		req = append(req, "deviceCode", randFrom(p.g.rng, alnumChars, 22))
	}
	r.req = jobj(req...)
	r.resp = jobj("accessToken", redacted, "tokenType", "Bearer", "expiresIn", 28800, "refreshToken", redacted, "idToken", redacted)
	r.resources = jarr(jobj("accountId", o.mgmt.id, "type", "IdentityStoreId", "ARN", o.storeID))
	return p.put(o.mgmt, o.home, &r)
}

// portal plants an access-portal call by a; detail is its serviceEventDetails.
func (p *planter) portal(ts int64, a *actor, name string, detail raw) *rec {
	p.g.at(p.org.mgmt, p.org.home)
	r := p.g.portalRecord(ts, a, name)
	r.svcDetail = detail
	return p.put(p.org.mgmt, p.org.home, &r)
}

// tokenOf is a fresh token of user u, used from ip with ua.
func (p *planter) tokenOf(u idcUser, ua, ip string) *actor {
	return newIdCUser(p.g.rng, p.org.mgmt.id, u, p.org.storeArn, ua, ip)
}

// withClient is the same identity block (same credentialId) sent from
// another address and client: a copied token.
func withClient(a *actor, ua, ip string) *actor {
	c := *a
	c.ua, c.ip = ua, ip
	return &c
}

const deviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// deviceCodePhishing: the victim approves a device code in their own
// browser; the phisher's Boto3 poller gets the token from another network,
// walks every account's roles and mints admin credentials. Look-alikes: a
// colleague's `aws sso login --use-device-code` from their own network, and
// another's device-code login in CloudShell.
func (p *planter) deviceCodePhishing(t int64) {
	o := p.org
	u, ua := p.victim(1)
	p.signIn(t-40, u, ua, ua.ip, ua.ua)
	tok := p.tokenOf(u, uaPhishKit, "45.155.205.233")
	rc := p.createToken(t, tok, deviceCode)
	p.step("idc.token.device-code-unknown-network", rc)
	p.step("idc.token.device-code-scripted-client", rc)
	p.portal(t+30, tok, "ListAccounts", nil)
	// A burst needs ten accounts; a small org has fewer.
	for i, a := range o.accounts {
		r := p.portal(t+40+int64(i)*3, tok, "ListAccountRoles", jobj("account_id", a.id))
		if i == 9 {
			p.step("idc.portal.enumeration-burst", r)
		}
	}
	p.step("idc.chain.device-code-credentials", p.portal(t+120, tok, "GetRoleCredentials", jobj("role_name", "AdministratorAccess", "account_id", o.prod.id)))

	own, oa := p.victim(7)
	p.signIn(t+3600, own, oa, oa.ip, oa.ua)
	ot := p.tokenOf(own, uaCLI, oa.ip)
	p.createToken(t+3650, ot, deviceCode)
	p.portal(t+3660, ot, "GetRoleCredentials", jobj("role_name", "ReadOnlyAccess", "account_id", o.accounts[len(o.accounts)-1].id))

	cs, ca := p.victim(8)
	p.signIn(t+5400, cs, ca, ca.ip, ca.ua)
	ct := p.tokenOf(cs, uaCloudShell, awsIPs[3])
	p.createToken(t+5450, ct, deviceCode)
	p.portal(t+5460, ct, "ListAccounts", nil)
	p.portal(t+5465, ct, "GetRoleCredentials", jobj("role_name", "ReadOnlyAccess", "account_id", o.accounts[len(o.accounts)-1].id))
}

// tokenReplay: a developer's CLI token (PKCE) is copied from their laptop
// and used by a script elsewhere. Look-alike: the developer's own use of
// it, before and after.
func (p *planter) tokenReplay(t int64) {
	o := p.org
	u, ua := p.victim(2)
	tok := p.tokenOf(u, uaCLI, ua.ip)
	p.createToken(t-7200, tok, "authorization_code")
	p.portal(t-7190, tok, "GetRoleCredentials", jobj("role_name", "DevOps", "account_id", o.accounts[len(o.accounts)-1].id))
	stolen := withClient(tok, uaPhishKit, "103.251.167.20")
	p.step("idc.token.replay", p.portal(t, stolen, "ListAccounts", nil))
	p.portal(t+20, stolen, "GetRoleCredentials", jobj("role_name", "DevOps", "account_id", o.accounts[len(o.accounts)-1].id))
	p.portal(t+1800, tok, "ListAccountRoles", jobj("account_id", o.accounts[len(o.accounts)-1].id))
}

// stolenAdminCredentials: the Terraform pipeline's role, allow-listed,
// used from an address and a client it never used: a grant of an admin
// permission set to a sensitive account. Look-alike: the pipeline's
// routine run from its usual address, before and after.
func (p *planter) stolenAdminCredentials(t int64) {
	o := p.org
	pipeline := o.admins[2]
	routine := pick(p.g.rng, p.routinePS)
	plain := o.accounts[len(o.accounts)-1]
	p.provision(t-3600, pipeline, routine, plain)
	stolen := withClient(pipeline, uaPhishKit, "5.188.206.14")
	p.step("idc.assignment.created", p.assign(t, stolen, "CreateAccountAssignment", o.psByName("AdministratorAccess"), o.prod, "USER", o.mallory.id))
	p.provision(t+3600, pipeline, routine, plain)
}
