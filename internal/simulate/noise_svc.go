package simulate

import (
	"strconv"
)

func (g *gen) appendCreds(b []byte, ts int64, role, session string) []byte {
	b = append(b, `{"credentials":{"accessKeyId":"ASIA`...)
	b = appendFrom(b, g.rng, upperAlnum, 16)
	b = append(b, `","sessionToken":"IQoJb3JpZ2luX2Vj`...)
	b = appendFrom(b, g.rng, alnumChars, 120)
	b = append(b, `","expiration":"`...)
	b = appendConsoleDate(b, ts+3600, true)
	b = append(b, `"},"assumedRoleUser":{"assumedRoleId":"AROA`...)
	b = appendFrom(b, g.rng, upperAlnum, 17)
	b = append(b, ':')
	b = append(b, session...)
	b = append(b, `","arn":"arn:aws:sts::`...)
	b = append(b, g.acct.id...)
	b = append(b, ":assumed-role/"...)
	b = append(b, role...)
	b = append(b, '/')
	b = append(b, session...)
	return append(b, `"}`...)
}

func tAssumeRole(g *gen, ts int64) rec {
	fn := pick(g.rng, g.acct.functions)
	a := g.acct.awsSvc[0] // lambda.amazonaws.com assuming the execution role
	if g.rng.IntN(4) == 0 {
		a = pick(g.rng, g.acct.services)
	}
	r := g.base(ts, a, "sts.amazonaws.com", "AssumeRole")
	r.readOnly = true
	role := fn + "-role"
	g.req = append(g.req[:0], `{"roleArn":"arn:aws:iam::`...)
	g.req = append(g.req, g.acct.id...)
	g.req = append(g.req, ":role/"...)
	g.req = append(g.req, role...)
	g.req = append(g.req, `","roleSessionName":"`...)
	g.req = append(g.req, fn...)
	g.req = append(g.req, `","durationSeconds":3600}`...)
	r.req = g.req
	g.resp = append(g.appendCreds(g.resp[:0], ts, role, fn), '}')
	r.resp = g.resp
	g.res = append(g.res[:0], `[{"accountId":"`...)
	g.res = append(g.res, g.acct.id...)
	g.res = append(g.res, `","type":"AWS::IAM::Role","ARN":"arn:aws:iam::`...)
	g.res = append(g.res, g.acct.id...)
	g.res = append(g.res, ":role/"...)
	g.res = append(g.res, role...)
	g.res = append(g.res, `"}]`...)
	r.resources = g.res
	g.tls(&r, "sts")
	return r
}

func tCallerIdentity(g *gen, ts int64) rec {
	r := g.base(ts, g.anyActor(), "sts.amazonaws.com", "GetCallerIdentity")
	r.readOnly = true
	g.addl = append(g.addl[:0], `{"RequestDetails":{"awsServingRegion":"`...)
	g.addl = append(g.addl, r.region...)
	g.addl = append(g.addl, `","endpointType":"regional"}}`...)
	r.addl = g.addl
	g.tls(&r, "sts")
	return r
}

func tLogs(g *gen, ts int64) rec {
	fn := pick(g.rng, g.acct.functions)
	r := g.base(ts, g.acct.services[g.rng.IntN(2)], "logs.amazonaws.com", "CreateLogStream")
	g.req = append(g.req[:0], `{"logGroupName":"/aws/lambda/`...)
	g.req = append(g.req, fn...)
	g.req = append(g.req, `","logStreamName":"`...)
	g.req = appendDatePath(g.req, ts, '/')
	g.req = append(g.req, "/[$LATEST]"...)
	g.req = appendHex(g.req, g.rng, 32)
	g.req = append(g.req, `"}`...)
	r.req = g.req
	return r
}

func tSSM(g *gen, ts int64) rec {
	a := pick(g.rng, g.acct.instances)
	r := g.base(ts, a, "ssm.amazonaws.com", "UpdateInstanceInformation")
	g.req = append(g.req[:0], `{"instanceId":"`...)
	g.req = append(g.req, a.name...)
	g.req = append(g.req, `","agentVersion":"3.3.2958.0","agentStatus":"Active","platformType":"Linux","platformName":"Amazon Linux","platformVersion":"2023","iPAddress":"`...)
	g.req = append(g.req, a.ip...)
	g.req = append(g.req, `","computerName":"ip-`...)
	g.req = append(g.req, a.ip...)
	g.req = append(g.req, `.ec2.internal","agentName":"amazon-ssm-agent","availabilityZone":"`...)
	g.req = append(g.req, r.region...)
	g.req = append(g.req, `a","sSMConnectionChannel":"ssmmessages"}`...)
	r.req = g.req
	return r
}

func tSecret(g *gen, ts int64) rec {
	r := g.base(ts, pick(g.rng, g.acct.services), "secretsmanager.amazonaws.com", "GetSecretValue")
	r.readOnly = true
	g.req = append(g.req[:0], `{"secretId":"arn:aws:secretsmanager:`...)
	g.req = append(g.req, r.region...)
	g.req = append(g.req, ':')
	g.req = append(g.req, g.acct.id...)
	g.req = append(g.req, `:secret:prod/db/orders-`...)
	g.req = append(g.req, g.acct.id[6:]...)
	g.req = append(g.req, `"}`...)
	r.req = g.req
	g.tls(&r, "secretsmanager")
	g.maybeError(&r, "secretsmanager")
	return r
}

// tNoType is a service event whose userIdentity has no type at all.
func tNoType(g *gen, ts int64) rec {
	r := g.base(ts, g.acct.noType, "secretsmanager.amazonaws.com", "RotationSucceeded")
	r.evType, r.requestID = "AwsServiceEvent", "-"
	g.addl = append(g.addl[:0], `{"SecretId":"arn:aws:secretsmanager:`...)
	g.addl = append(g.addl, r.region...)
	g.addl = append(g.addl, ':')
	g.addl = append(g.addl, g.acct.id...)
	g.addl = append(g.addl, `:secret:prod/db/orders-rotation"}`...)
	r.addl = g.addl
	return r
}

// tEventsRule includes the decoy: an EventBridge rule whose eventPattern is a
// string holding an escaped "eventSource":["sso.amazonaws.com"].
func tEventsRule(g *gen, ts int64) rec {
	if g.rng.IntN(5) != 0 {
		r := g.base(ts, g.anyActor(), "events.amazonaws.com", "DescribeRule")
		r.readOnly = true
		g.req = append(g.req[:0], `{"name":"idc-change-alerts"}`...)
		r.req = g.req
		return r
	}
	r := g.base(ts, g.acct.services[2], "events.amazonaws.com", "PutRule")
	g.req = append(g.req[:0], `{"name":"idc-change-alerts","eventPattern":"{\"source\":[\"aws.sso\"],\"detail-type\":[\"AWS API Call via CloudTrail\"],\"detail\":{\"eventSource\":[\"sso.amazonaws.com\"]}}","state":"ENABLED","description":"Alert on Identity Center changes"}`...)
	r.req = g.req
	g.resp = append(g.resp[:0], `{"ruleArn":"arn:aws:events:`...)
	g.resp = append(g.resp, r.region...)
	g.resp = append(g.resp, ':')
	g.resp = append(g.resp, g.acct.id...)
	g.resp = append(g.resp, `:rule/idc-change-alerts"}`...)
	r.resp = g.resp
	return r
}

func tLambda(g *gen, ts int64) rec {
	names := [...]string{"GetFunction20150331v2", "ListFunctions20150331", "GetPolicy20150331v2", "ListTags20170331"}
	n := names[g.rng.IntN(len(names))]
	r := g.base(ts, g.anyActor(), "lambda.amazonaws.com", n)
	r.readOnly = true
	if n != "ListFunctions20150331" {
		g.req = append(g.req[:0], `{"functionName":"`...)
		g.req = append(g.req, pick(g.rng, g.acct.functions)...)
		g.req = append(g.req, `"}`...)
		r.req = g.req
	}
	g.maybeError(&r, "lambda")
	return r
}

func tIAMRead(g *gen, ts int64) rec {
	names := [...]string{"GetRole", "ListRoles", "ListAttachedRolePolicies", "GetAccountSummary", "ListPolicies", "GetPolicyVersion"}
	n := names[g.rng.IntN(len(names))]
	r := g.base(ts, g.anyActor(), "iam.amazonaws.com", n)
	r.readOnly = true
	switch n {
	case "GetRole", "ListAttachedRolePolicies":
		g.req = append(g.req[:0], `{"roleName":"`...)
		g.req = append(g.req, pick(g.rng, g.acct.functions)...)
		g.req = append(g.req, `-role"}`...)
		r.req = g.req
	case "ListPolicies":
		g.req = append(g.req[:0], `{"scope":"Local","onlyAttached":false}`...)
		r.req = g.req
	case "GetPolicyVersion":
		g.req = append(g.req[:0], `{"policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess","versionId":"v`...)
		g.req = strconv.AppendInt(g.req, int64(100+g.rng.IntN(40)), 10)
		g.req = append(g.req, `"}`...)
		r.req = g.req
	}
	g.maybeError(&r, "iam")
	return r
}

// tSSOServiceIAM: Identity Center's service role looking at its own roles in
// the account. sso.amazonaws.com appears everywhere except eventSource.
func tSSOServiceIAM(g *gen, ts int64) rec {
	a := g.acct.ssoService
	if g.rng.IntN(2) == 0 {
		r := g.base(ts, a, "iam.amazonaws.com", "ListRoles")
		r.readOnly = true
		g.req = append(g.req[:0], `{"pathPrefix":"/aws-reserved/sso.amazonaws.com/"}`...)
		r.req = g.req
		return r
	}
	r := g.base(ts, a, "iam.amazonaws.com", "GetRole")
	r.readOnly = true
	g.req = append(g.req[:0], `{"roleName":"`...)
	g.req = append(g.req, g.org.ssoRoleName(g.org.established[g.rng.IntN(7)].name, g.acct.id)...)
	g.req = append(g.req, `"}`...)
	r.req = g.req
	return r
}

func tConsoleLogin(g *gen, ts int64) rec {
	r := g.base(ts, pick(g.rng, g.acct.humans), srcSignin, "ConsoleLogin")
	r.evType, r.requestID = "AwsConsoleSignIn", "-"
	r.ua = uaChrome
	g.resp = append(g.resp[:0], `{"ConsoleLogin":"Success"}`...)
	r.resp = g.resp
	g.addl = append(g.addl[:0], `{"MobileVersion":"No","MFAUsed":"No"}`...)
	r.addl = g.addl
	r.tlsHost = r.region + ".signin.aws.amazon.com"
	return r
}

func tRootRead(g *gen, ts int64) rec {
	r := g.base(ts, g.acct.root, "iam.amazonaws.com", "GetAccountSummary")
	r.readOnly = true
	return r
}

func tSecurityRead(g *gen, ts int64) rec {
	calls := [...]describeCall{
		{"guardduty.amazonaws.com", "guardduty", "ListDetectors", ``},
		{"guardduty.amazonaws.com", "guardduty", "ListFindings", `{"detectorId":"3ec5ad4e7f3a5c1d2b0e9f8a7c6d5e4f","maxResults":50}`},
		{"securityhub.amazonaws.com", "securityhub", "GetFindings", `{"maxResults":100,"filters":{"RecordState":[{"value":"ACTIVE","comparison":"EQUALS"}]}}`},
		{"access-analyzer.amazonaws.com", "access-analyzer", "ListFindingsV2", `{"maxResults":100}`},
		{"config.amazonaws.com", "config", "SelectAggregateResourceConfig", `{"configurationAggregatorName":"org-aggregator","maxResults":100}`},
	}
	c := calls[g.rng.IntN(len(calls))]
	r := g.base(ts, pick(g.rng, g.acct.services), c.src, c.name)
	r.readOnly = true
	if c.req != "" {
		g.req = append(g.req[:0], c.req...)
		r.req = g.req
	}
	g.tls(&r, c.prefix)
	return r
}
