package simulate

import (
	"encoding/base64"
	"math/rand/v2"
	"strconv"
)

// buildActors creates every principal once; records only copy their bytes.
func (o *org) buildActors(r *rand.Rand) {
	mg := o.mgmt.id
	alice, bob := o.users[0], o.users[1]
	adminRole := o.ssoRoleName("IdentityAdmins", mg)
	o.admins = []*actor{
		newAssumedRole(r, mg, adminRole, alice.name, roleOpt{path: o.ssoRolePath(), behalf: &alice, storeArn: o.storeArn, ua: uaChrome, ip: corpIPs[0], console: true}),
		newAssumedRole(r, mg, adminRole, bob.name, roleOpt{path: o.ssoRolePath(), ua: uaCLI, ip: corpIPs[1]}),
		newAssumedRole(r, mg, "idc-terraform", "terraform-run-"+strconv.Itoa(1000+r.IntN(9000)), roleOpt{ua: uaTerraform, ip: awsIPs[0]}),
	}
	o.admins[0].userID = alice.id
	o.adminPatterns = []string{
		"arn:aws:sts::" + mg + ":assumed-role/AWSReservedSSO_IdentityAdmins_*/*",
		"arn:aws:sts::" + mg + ":assumed-role/idc-terraform/*",
		alice.name,
		alice.id,
		pipelinePattern,
	}
	o.readers = []*actor{
		newAssumedRole(r, mg, o.ssoRoleName("ReadOnlyAccess", mg), o.users[4].name, roleOpt{path: o.ssoRolePath(), ua: uaChrome, ip: corpIPs[2], console: true}),
		newAssumedRole(r, mg, "idc-inventory-role", "idc-inventory", roleOpt{ua: uaBoto, ip: awsIPs[1]}),
		newAssumedRole(r, mg, "DatadogIntegrationRole", "DatadogAWSIntegration", roleOpt{ua: uaDatadog, ip: "44.192.28.10"}),
	}
	for i, u := range o.users {
		if u == o.mallory {
			continue
		}
		ip, ua := corpIPs[i%len(corpIPs)], uaChrome
		if i%3 == 0 {
			ua = uaCLI
		}
		o.portal = append(o.portal, newIdCUser(r, mg, u, o.storeArn, ua, ip))
		o.portalLegacy = append(o.portalLegacy, newLegacyPortal(mg, u, ua, ip))
	}
	devops := o.ssoRoleName("DevOps", mg)
	o.attacker = newAssumedRole(r, mg, devops, o.mallory.name, roleOpt{path: o.ssoRolePath(), ua: uaCLI, ip: "185.220.101.47"})
	o.attacker.userID = o.mallory.id
	o.attackerWeb = newAssumedRole(r, mg, devops, o.mallory.name, roleOpt{path: o.ssoRolePath(), behalf: &o.mallory, storeArn: o.storeArn, ua: uaFirefox, ip: "185.220.101.47", console: true})
	o.malloryPortal = newIdCUser(r, mg, o.mallory, o.storeArn, uaFirefox, "185.220.101.47")
	o.legacyCI = newIAMUser(r, mg, "legacy-ci", "python-requests/2.32.3 "+uaBoto, "45.137.21.9")
	o.scimClient = newSCIMClient(r, mg, "Go-http-client/2.0", "91.240.118.172")
	o.orgAccess = newAssumedRole(r, mg, "OrganizationAccountAccessRole", "eve", roleOpt{ua: uaCLI, ip: "91.240.118.172"})
	o.oauthApp = newAssumedRole(r, mg, "portal-broker-AppFunctionRole", "portal-broker-AppFunction", roleOpt{ua: uaGoSDK, ip: awsIPs[2]})

	o.scimIdP = newSCIMClient(r, mg, "Okta SCIM Client 1.0.0", "52.10.233.18")
	o.tenantID = string(appendHex(nil, r, 10)) + "-" + newUUID(r)
	o.appArn = "arn:aws:sso::" + mg + ":application/" + o.instanceID + "/apl-" + string(appendHex(nil, r, 16))
	o.samlIssuer = "https://portal.sso." + o.home + ".amazonaws.com/saml/assertion/" +
		base64.StdEncoding.EncodeToString([]byte(mg+"_ins-"+o.instanceID[7:]))
	for _, a := range o.accounts {
		o.buildAccountActors(r, a)
	}
	// Identity admins and read-only users also do everyday work in the management account.
	o.mgmt.humans = append(o.mgmt.humans, o.admins[0], o.admins[1], o.readers[0])
}

func (o *org) buildAccountActors(r *rand.Rand, a *account) {
	a.samlArn = "arn:aws:iam::" + a.id + ":saml-provider/AWSSSO_" + string(appendHex(nil, r, 16)) + "_DO_NOT_DELETE"
	raw := make([]byte, 20)
	for i := range raw {
		raw[i] = byte(r.Uint32())
	}
	a.samlIdP = base64.StdEncoding.EncodeToString(raw)
	for i := 0; i < 6; i++ {
		u := o.users[3+r.IntN(len(o.users)-3)]
		ps := estPS[r.IntN(len(estPS)-1)] // never IdentityAdmins outside the admins list
		opt := roleOpt{path: o.ssoRolePath(), ua: uaChrome, ip: corpIPs[r.IntN(len(corpIPs))], console: i%2 == 0}
		if i%2 == 1 {
			opt.ua = uaCLI
		}
		if r.IntN(2) == 0 {
			opt.behalf, opt.storeArn = &u, o.storeArn
		}
		a.humans = append(a.humans, newAssumedRole(r, a.id, o.ssoRoleName(ps, a.id), u.name, opt))
	}
	for i := 0; i < 8; i++ {
		u := o.users[3+r.IntN(len(o.users)-3)]
		a.saml = append(a.saml, samlUse{actor: newSAMLUser(u.name, a.samlIdP), ps: estPS[r.IntN(len(estPS)-1)]})
	}
	type svc struct{ role, session, ua, invokedBy string }
	svcs := []svc{
		{"orders-api-role", "orders-api", uaBoto, ""},
		{"ingest-worker-role", "ingest-worker", uaGoSDK, ""},
		{"gha-deploy", "GitHubActions", uaTerraform, ""},
		{"AWSServiceRoleForConfig", "AWSConfig-Describe", "config.amazonaws.com", "config.amazonaws.com"},
		{"DatadogIntegrationRole", "DatadogAWSIntegration", uaDatadog, ""},
	}
	if a.kind == kindSecurity {
		svcs = append(svcs, svc{"SecurityScanner", "prowler-scan", uaBoto, ""}, svc{"AWSServiceRoleForAmazonGuardDuty", "GuardDuty", "guardduty.amazonaws.com", "guardduty.amazonaws.com"})
	}
	for _, s := range svcs {
		path := "/"
		ip := awsIPs[r.IntN(len(awsIPs))]
		if s.invokedBy != "" {
			path = "/aws-service-role/" + s.invokedBy + "/"
			ip = s.invokedBy
		}
		a.services = append(a.services, newAssumedRole(r, a.id, s.role, s.session, roleOpt{path: path, invokedBy: s.invokedBy, ua: s.ua, ip: ip}))
	}
	for i := 0; i < 3; i++ {
		a.instances = append(a.instances, newAssumedRole(r, a.id, "ssm-instance-role", "i-0"+string(appendHex(nil, r, 16)), roleOpt{ua: uaSSM, ip: "10.0." + strconv.Itoa(r.IntN(255)) + "." + strconv.Itoa(r.IntN(255))}))
	}
	a.iamUsers = []*actor{newIAMUser(r, a.id, "svc-backup", uaCLI, awsIPs[r.IntN(len(awsIPs))])}
	for _, s := range []string{"lambda.amazonaws.com", "s3.amazonaws.com", "cloudtrail.amazonaws.com", "ec2.amazonaws.com"} {
		a.awsSvc = append(a.awsSvc, newAWSService(s))
	}
	a.noType = newNoType(a.id, "secretsmanager.amazonaws.com")
	a.root = newRoot(r, a.id, uaChrome, corpIPs[0])
	a.ssoService = newAssumedRole(r, a.id, "AWSServiceRoleForSSO", "AWS-SSO", roleOpt{path: "/aws-service-role/sso.amazonaws.com/", invokedBy: "sso.amazonaws.com", ua: "sso.amazonaws.com", ip: "sso.amazonaws.com"})
	for _, b := range []string{"logs", "artifacts", "data", "terraform-state"} {
		a.buckets = append(a.buckets, "acme-"+a.name+"-"+b+"-"+a.id)
	}
	a.functions = []string{"orders-api", "ingest-worker", "nightly-report", "slack-notifier"}
	a.kmsKey = newUUID(r)
}
