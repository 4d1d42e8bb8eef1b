package simulate

// tSignin: the Identity Center sign-in steps (signin.amazonaws.com).
func tSignin(g *gen, ts int64) rec {
	names := [...]string{"CredentialChallenge", "CredentialVerification", "UserAuthentication"}
	n := names[g.rng.IntN(len(names))]
	a := g.portalUser()
	r := g.base(ts, a, srcSignin, n)
	r.evType, r.ver = "AwsServiceEvent", "1.09"
	cred := "EXTERNAL_IDP"
	switch v := g.rng.IntN(20); {
	case v < 8:
		cred = "PASSWORD"
	case v < 11:
		cred = "TOTP"
	case v < 14:
		cred = "WEBAUTHN"
	case v < 15 && n == "UserAuthentication":
		cred = "PASSWORD,TOTP"
	}
	g.addl = append(g.addl[:0], `{"AuthWorkflowID":"`...)
	g.addl = appendUUID(g.addl, g.rng)
	g.addl = append(g.addl, '"')
	if n == "UserAuthentication" {
		if a.typ == "IdentityCenterUser" {
			g.addl = appendKV(g.addl, "UserName", a.name)
		}
		g.addl = append(g.addl, `,"LoginTo":"https://`...)
		g.addl = append(g.addl, g.org.storeID...)
		g.addl = append(g.addl, `.awsapps.com/start/"`...)
	}
	g.addl = appendKV(g.addl, "CredentialType", cred)
	g.addl = append(g.addl, '}')
	r.addl = g.addl
	outcome := "Success"
	if n == "CredentialVerification" && g.rng.IntN(20) == 0 {
		outcome = "Failure" // real failures carry no errorCode, only this
	}
	g.svc = append(g.svc[:0], `{"`...)
	g.svc = append(g.svc, n...)
	g.svc = append(g.svc, `":"`...)
	g.svc = append(g.svc, outcome...)
	g.svc = append(g.svc, `"}`...)
	r.svcDetail = g.svc
	return r
}

func tSCIMRead(g *gen, ts int64) rec {
	names := [...]string{"ListUsers", "ListGroups", "GetGroup", "GetUser"}
	n := names[g.rng.IntN(len(names))]
	r := g.base(ts, g.org.scimIdP, srcSCIM, n)
	r.readOnly = true
	g.req = append(g.req[:0], `{"tenantId":`...)
	g.req = appendStr(g.req, g.org.tenantID)
	switch n {
	case "GetGroup":
		g.req = appendKV(g.req, "groupId", pick(g.rng, g.org.groups).id)
	case "GetUser":
		g.req = appendKV(g.req, "userId", pick(g.rng, g.org.users).id)
	default:
		g.req = append(g.req, `,"filter":"`+redacted+`"`...)
	}
	g.req = append(g.req, '}')
	r.req = g.req
	return r
}

// tLegacyURL: an old portal record whose eventName is a URL and which lacks
// readOnly and managementEvent.
func tLegacyURL(g *gen, ts int64) rec {
	r := g.base(ts, pick(g.rng, g.org.portalLegacy), srcSSO, "https://portal.sso."+g.region+".amazonaws.com/instance/appinstances")
	r.ver, r.noRO, r.noMgmt = "1.05", true, true
	return r
}
