package simulate

// Sign-in stories: password spraying, brute force, one-time-code guessing
// and the takeover of an existing user, each with the routine it must not
// be confused with (a typo, a help-desk reset).
//
// Shapes: sign-in steps follow the AWS samples (understanding sign-in
// events): failed and unauthenticated steps keep userIdentity type Unknown
// with the user name (HIDDEN_DUE_TO_SECURITY_REASONS when the name does not
// exist), failures carry no errorCode, only serviceEventDetails; a finished
// sign-in (UserAuthentication) of a 2025 record is an IdentityCenterUser.
// The console's UpdatePassword and MFA registration bodies are not
// documented: userId as the target is a documented guess.

// victim picks a user by position from the end of the directory (the
// stories use different users so they never chain into each other) and
// its everyday portal actor (its usual network and browser).
func (p *planter) victim(fromEnd int) (idcUser, *actor) {
	u := p.org.users[len(p.org.users)-fromEnd]
	for _, a := range p.org.portal {
		if a.userID == u.id {
			return u, a
		}
	}
	return u, p.org.portal[0]
}

// signinStep plants one signin.amazonaws.com record. a is the identity
// block (an Unknown actor for steps before authentication); name is the
// user name the record carries; outcome is Success or Failure.
func (p *planter) signinStep(ts int64, a *actor, ip, ua, event, credType, outcome, user, workflow string, extra ...any) *rec {
	p.g.at(p.org.mgmt, p.org.home)
	r := p.g.base(ts, a, srcSignin, event)
	r.ip, r.ua = ip, ua
	r.evType, r.ver = "AwsServiceEvent", "1.09"
	kv := []any{"AuthWorkflowID", workflow, "UserName", user, "CredentialType", credType}
	if event == "UserAuthentication" {
		kv = append(kv, "LoginTo", "https://"+p.org.storeID+".awsapps.com/start/")
	}
	r.addl = jobj(append(kv, extra...)...)
	r.svcDetail = jobj(event, outcome)
	return p.put(p.org.mgmt, p.org.home, &r)
}

// unauthenticated is the identity block of a sign-in step before the user
// is known to be who they say.
func (p *planter) unauthenticated(name, ua, ip string) *actor {
	return newLegacyPortal(p.org.mgmt.id, idcUser{name: name}, ua, ip)
}

// signIn plants a whole successful sign-in (password, then the finished
// sign-in) of user through its portal actor a from ip.
func (p *planter) signIn(ts int64, u idcUser, a *actor, ip, ua string, extra ...any) *rec {
	wf := newUUID(p.g.rng)
	p.signinStep(ts, p.unauthenticated(u.name, ua, ip), ip, ua, "CredentialVerification", "PASSWORD", "Success", u.name, wf)
	return p.signinStep(ts+6, a, ip, ua, "UserAuthentication", "PASSWORD", "Success", u.name, wf, extra...)
}

// passwordSpray: one address tries a common password on six user names,
// two of which the directory does not know, then finds one that works.
// Look-alike: a user mistypes once and gets it right.
func (p *planter) passwordSpray(t int64) {
	const ip, ua = "194.26.29.113", uaFirefox
	names := []string{p.org.users[5].name, p.org.users[6].name, redacted, p.org.users[8].name, redacted, p.org.users[9].name}
	for i, n := range names {
		r := p.signinStep(t+int64(i)*40, p.unauthenticated(n, ua, ip), ip, ua, "CredentialVerification", "PASSWORD", "Failure", n, newUUID(p.g.rng))
		if i == 4 {
			p.step("idc.signin.password-spray", r) // the fifth distinct name
		}
	}
	found, _ := p.victim(4)
	wf := newUUID(p.g.rng)
	p.step("idc.chain.spray-then-success", p.signinStep(t+300, p.unauthenticated(found.name, ua, ip), ip, ua,
		"CredentialVerification", "PASSWORD", "Success", found.name, wf))
	// The sprayer's own portal session: a new credential, not the user's.
	p.signinStep(t+306, p.tokenOf(found, ua, ip), ip, ua, "UserAuthentication", "PASSWORD", "Success", found.name, wf)

	typo, ta := p.victim(10)
	wf = newUUID(p.g.rng)
	p.signinStep(t+900, p.unauthenticated(typo.name, ta.ua, ta.ip), ta.ip, ta.ua, "CredentialVerification", "PASSWORD", "Failure", typo.name, wf)
	p.signinStep(t+915, p.unauthenticated(typo.name, ta.ua, ta.ip), ta.ip, ta.ua, "CredentialVerification", "PASSWORD", "Success", typo.name, wf)
	p.signinStep(t+920, ta, ta.ip, ta.ua, "UserAuthentication", "PASSWORD", "Success", typo.name, wf)
}

// bruteForce: six passwords for one user from two addresses in ten minutes.
func (p *planter) bruteForce(t int64) {
	u, _ := p.victim(5)
	for i := range 6 {
		ip := "45.9.148.17"
		if i%2 == 1 {
			ip = "45.9.148.203"
		}
		r := p.signinStep(t+int64(i)*75, p.unauthenticated(u.name, uaChrome, ip), ip, uaChrome, "CredentialVerification", "PASSWORD", "Failure", u.name, newUUID(p.g.rng))
		if i == 4 {
			p.step("idc.signin.brute-force", r)
		}
	}
}

// totpGuessing: the right password, then wrong one-time codes.
func (p *planter) totpGuessing(t int64) {
	const ip = "91.92.251.140"
	u, _ := p.victim(6)
	wf := newUUID(p.g.rng)
	a := p.unauthenticated(u.name, uaChrome, ip)
	p.signinStep(t, a, ip, uaChrome, "CredentialChallenge", "PASSWORD", "Success", u.name, wf)
	p.signinStep(t+5, a, ip, uaChrome, "CredentialVerification", "PASSWORD", "Success", u.name, wf)
	for i := range 3 {
		p.signinStep(t+10+int64(i)*20, a, ip, uaChrome, "CredentialChallenge", "TOTP", "Success", u.name, wf)
		r := p.signinStep(t+20+int64(i)*20, a, ip, uaChrome, "CredentialVerification", "TOTP", "Failure", u.name, wf)
		if i == 2 {
			p.step("idc.signin.totp-guessing", r)
		}
	}
}

// userTakeover: mallory, from the console, resets a user's password and
// registers her own authenticator for the user, signs in as the user
// (enrolling the device on the way) and takes role credentials.
// Look-alike: the help desk (an identity admin) resets another user's
// password; that user signs in from their usual network and works.
func (p *planter) userTakeover(t int64) {
	o, a := p.org, p.org.attackerWeb
	u, ua := p.victim(3)
	p.signIn(t-2*86400+3600, u, ua, ua.ip, ua.ua) // the user's usual sign-in, days before
	p.step("idc.directory.credential-reset", p.idc(t, a, srcDir, "UpdatePassword",
		jobj("identityStoreId", o.storeID, "userId", u.id, "passwordMode", "OTP"), nil))
	p.step("idc.directory.mfa-registered-for-other", p.idc(t+60, a, srcDir, "StartVirtualMfaDeviceRegistration",
		jobj("identityStoreId", o.storeID, "userId", u.id, "deviceName", "Authenticator"), jobj("secret", redacted)))
	chain := p.idc(t+90, a, srcDir, "CompleteVirtualMfaDeviceRegistration",
		jobj("identityStoreId", o.storeID, "userId", u.id, "authenticationCode", redacted), nil)
	p.step("idc.directory.mfa-registered-for-other", chain)
	as := newIdCUser(p.g.rng, o.mgmt.id, u, o.storeArn, a.ua, a.ip)
	p.signIn(t+600, u, as, a.ip, a.ua, "DeviceEnrollmentRequired", "true")
	p.g.at(o.mgmt, o.home)
	gr := p.g.portalRecord(t+660, as, "GetRoleCredentials")
	gr.svcDetail = jobj("role_name", "AdministratorAccess", "account_id", o.prod.id)
	p.step("idc.chain.user-takeover", p.put(o.mgmt, o.home, &gr))

	w, wa := p.victim(9)
	p.signIn(t-86400, w, wa, wa.ip, wa.ua)
	p.idc(t+1800, o.admins[0], srcDir, "UpdatePassword", jobj("identityStoreId", o.storeID, "userId", w.id, "passwordMode", "EMAIL"), nil)
	p.signIn(t+3000, w, wa, wa.ip, wa.ua)
	p.g.at(o.mgmt, o.home)
	wr := p.g.portalRecord(t+3060, wa, "GetRoleCredentials")
	wr.svcDetail = jobj("role_name", "ReadOnlyAccess", "account_id", o.accounts[len(o.accounts)-1].id)
	p.put(o.mgmt, o.home, &wr)
}
