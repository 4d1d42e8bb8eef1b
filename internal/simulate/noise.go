package simulate

import (
	"math/rand/v2"
	"strconv"
)

// A template renders one kind of background record. Templates are picked
// through a weighted lookup table, so the hot loop does one IntN per record.
type tmpl struct {
	weight int
	fn     func(g *gen, ts int64) rec
}

type mix struct {
	fns   []func(g *gen, ts int64) rec
	table []uint16
}

func newMix(ts ...[]tmpl) *mix {
	m := &mix{}
	total := 0
	for _, list := range ts {
		for _, t := range list {
			total += t.weight
		}
	}
	const size = 4096
	for _, list := range ts {
		for _, t := range list {
			n := (t.weight*size + total - 1) / total
			for range n {
				m.table = append(m.table, uint16(len(m.fns)))
			}
			m.fns = append(m.fns, t.fn)
		}
	}
	return m
}

func (m *mix) pick(r *rand.Rand) func(g *gen, ts int64) rec {
	return m.fns[m.table[r.IntN(len(m.table))]]
}

// mixes holds the template mix for each kind of stream.
type mixes struct{ memberHome, memberOther, securityHome, mgmtHome *mix }

func newMixes() mixes {
	generic := []tmpl{
		{330, tDescribe}, {120, tS3Bucket}, {110, tKMS}, {60, tAssumeRole}, {30, tCallerIdentity},
		{60, tLogs}, {90, tSSM}, {25, tSecret}, {4, tNoType}, {6, tEventsRule}, {30, tLambda},
	}
	homeOnly := []tmpl{{40, tIAMRead}, {12, tSSOServiceIAM}, {5, tConsoleLogin}, {2, tRootRead}, {35, tSAMLAssume}}
	idc := []tmpl{
		{110, tSSOAdminRead}, {45, tIdentityStoreRead}, {25, tDirectoryRead}, {25, tOrgsRead},
		{120, tPortalList}, {80, tPortalRoleCreds}, {10, tSSOCreateToken}, {20, tCreateTokenWithIAM},
		{110, tSignin}, {10, tSCIMRead}, {1, tLegacyURL},
	}
	security := []tmpl{{120, tSecurityRead}}
	return mixes{
		memberHome:   newMix(generic, homeOnly),
		memberOther:  newMix(generic, []tmpl{{10, tSAMLAssume}}),
		securityHome: newMix(generic, homeOnly, security),
		mgmtHome:     newMix(generic, homeOnly[:4], idc),
	}
}

func (m mixes) forStream(a *account, home bool) *mix {
	switch {
	case !home:
		return m.memberOther
	case a.kind == kindMgmt:
		return m.mgmtHome
	case a.kind == kindSecurity:
		return m.securityHome
	default:
		return m.memberHome
	}
}

func (g *gen) anyActor() *actor {
	switch v := g.rng.IntN(100); {
	case v < 15: // people are few next to workloads; keeps AWSReservedSSO paths near 10% of records
		return pick(g.rng, g.acct.humans)
	case v < 80:
		return pick(g.rng, g.acct.services)
	case v < 95:
		return pick(g.rng, g.acct.instances)
	default:
		return pick(g.rng, g.acct.iamUsers)
	}
}

// maybeError turns about 3% of records into failures, some with an
// errorCode but no errorMessage (as real trails have).
func (g *gen) maybeError(r *rec, prefix string) {
	v := g.rng.IntN(1000)
	switch {
	case v >= 30:
		return
	case v < 18:
		r.errCode = "AccessDenied"
		if prefix == "ec2" {
			r.errCode = "Client.UnauthorizedOperation"
		}
		r.errMsg = "User: " + r.actor.arn + " is not authorized to perform: " + prefix + ":" + r.name + " because no identity-based policy allows the " + prefix + ":" + r.name + " action"
	case v < 25:
		r.errCode, r.errMsg = "ThrottlingException", "Rate exceeded"
	default:
		r.errCode = "ResourceNotFoundException"
	}
	r.resp = nil
}

type describeCall struct{ src, prefix, name, req string }

func describeCalls() []describeCall {
	return []describeCall{
		{"ec2.amazonaws.com", "ec2", "DescribeInstances", `{"instancesSet":{},"filterSet":{}}`},
		{"ec2.amazonaws.com", "ec2", "DescribeInstances", `{"instancesSet":{},"filterSet":{"items":[{"name":"instance-state-name","valueSet":{"items":[{"value":"running"}]}}]}}`},
		{"ec2.amazonaws.com", "ec2", "DescribeSecurityGroups", `{"securityGroupSet":{},"securityGroupIdSet":{},"filterSet":{}}`},
		{"ec2.amazonaws.com", "ec2", "DescribeVolumes", `{"volumeSet":{},"filterSet":{},"maxResults":500}`},
		{"ec2.amazonaws.com", "ec2", "DescribeSnapshots", `{"snapshotSet":{},"ownersSet":{"items":[{"owner":"self"}]},"sharedUsersSet":{},"filterSet":{}}`},
		{"ec2.amazonaws.com", "ec2", "DescribeVpcs", `{"vpcSet":{},"filterSet":{}}`},
		{"ec2.amazonaws.com", "ec2", "DescribeSubnets", `{"subnetSet":{},"filterSet":{}}`},
		{"ec2.amazonaws.com", "ec2", "DescribeNetworkInterfaces", `{"networkInterfaceIdSet":{},"filterSet":{}}`},
		{"ec2.amazonaws.com", "ec2", "DescribeRegions", `{"regionSet":{},"allRegions":false}`},
		{"ec2.amazonaws.com", "ec2", "DescribeAvailabilityZones", `{"availabilityZoneSet":{},"availabilityZoneIdSet":{},"allAvailabilityZones":false}`},
		{"rds.amazonaws.com", "rds", "DescribeDBInstances", ``},
		{"rds.amazonaws.com", "rds", "DescribeDBClusters", `{"includeShared":false}`},
		{"monitoring.amazonaws.com", "cloudwatch", "DescribeAlarms", `{"maxRecords":100}`},
		{"monitoring.amazonaws.com", "cloudwatch", "GetMetricData", `{"startTime":"Nov 1, 2026, 12:00:00 AM","endTime":"Nov 1, 2026, 1:00:00 AM","maxDatapoints":100800}`},
		{"logs.amazonaws.com", "logs", "DescribeLogGroups", `{"limit":50}`},
		{"elasticloadbalancing.amazonaws.com", "elasticloadbalancing", "DescribeLoadBalancers", `{"pageSize":400}`},
		{"elasticloadbalancing.amazonaws.com", "elasticloadbalancing", "DescribeTargetGroups", ``},
		{"dynamodb.amazonaws.com", "dynamodb", "DescribeTable", `{"tableName":"orders"}`},
		{"dynamodb.amazonaws.com", "dynamodb", "ListTables", ``},
		{"ecr.amazonaws.com", "ecr", "DescribeRepositories", ``},
		{"cloudtrail.amazonaws.com", "cloudtrail", "DescribeTrails", `{"includeShadowTrails":true}`},
		{"config.amazonaws.com", "config", "DescribeConfigRules", ``},
		{"config.amazonaws.com", "config", "DescribeConfigurationRecorderStatus", ``},
		{"sns.amazonaws.com", "sns", "ListTopics", ``},
		{"sqs.amazonaws.com", "sqs", "ListQueues", ``},
		{"autoscaling.amazonaws.com", "autoscaling", "DescribeAutoScalingGroups", `{"maxRecords":100}`},
		{"cloudformation.amazonaws.com", "cloudformation", "DescribeStacks", ``},
		{"ssm.amazonaws.com", "ssm", "DescribeInstanceInformation", `{"maxResults":50}`},
	}
}

func tDescribe(g *gen, ts int64) rec {
	c := g.calls[g.rng.IntN(len(g.calls))]
	r := g.base(ts, g.anyActor(), c.src, c.name)
	r.readOnly = true
	if c.req != "" {
		g.req = append(g.req[:0], c.req...)
		r.req = g.req
	}
	g.tls(&r, c.prefix)
	g.maybeError(&r, c.prefix)
	return r
}

func tS3Bucket(g *gen, ts int64) rec {
	ops := [...]struct{ name, sub string }{{"GetBucketAcl", "acl"}, {"GetBucketPolicy", "policy"}, {"GetBucketEncryption", "encryption"},
		{"GetBucketVersioning", "versioning"}, {"GetBucketLocation", "location"}, {"GetBucketTagging", "tagging"}, {"ListBuckets", ""}}
	op := ops[g.rng.IntN(len(ops))]
	r := g.base(ts, g.anyActor(), "s3.amazonaws.com", op.name)
	r.readOnly = true
	bucket := pick(g.rng, g.acct.buckets)
	if op.sub == "" {
		g.req = append(g.req[:0], `{"Host":"s3.amazonaws.com"}`...)
	} else {
		g.req = append(g.req[:0], `{"bucketName":`...)
		g.req = appendStr(g.req, bucket)
		g.req = append(g.req, `,"Host":"`...)
		g.req = append(g.req, bucket...)
		g.req = append(g.req, ".s3."...)
		g.req = append(g.req, r.region...)
		g.req = append(g.req, `.amazonaws.com","`...)
		g.req = append(g.req, op.sub...)
		g.req = append(g.req, `":""}`...)
		g.res = append(g.res[:0], `[{"accountId":"`...)
		g.res = append(g.res, g.acct.id...)
		g.res = append(g.res, `","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::`...)
		g.res = append(g.res, bucket...)
		g.res = append(g.res, `"}]`...)
		r.resources = g.res
	}
	r.req = g.req
	g.addl = append(g.addl[:0], `{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"`...)
	g.addl = appendFrom(g.addl, g.rng, alnumChars, 76)
	g.addl = append(g.addl, `=","bytesTransferredOut":`...)
	g.addl = strconv.AppendInt(g.addl, int64(200+g.rng.IntN(4000)), 10)
	g.addl = append(g.addl, '}')
	r.addl = g.addl
	switch {
	case op.name == "GetBucketPolicy" && g.rng.IntN(3) == 0:
		r.errCode, r.errMsg = "NoSuchBucketPolicy", "The bucket policy does not exist"
	case op.name == "GetBucketTagging" && g.rng.IntN(2) == 0:
		r.errCode, r.errMsg = "NoSuchTagSet", "The TagSet does not exist"
	default:
		g.maybeError(&r, "s3")
	}
	return r
}

func tKMS(g *gen, ts int64) rec {
	a := pick(g.rng, g.acct.services)
	if g.rng.IntN(2) == 0 {
		a = pick(g.rng, g.acct.awsSvc)
	}
	name := "Decrypt"
	if g.rng.IntN(4) == 0 {
		name = "GenerateDataKey"
	}
	r := g.base(ts, a, "kms.amazonaws.com", name)
	r.readOnly = true
	fn := pick(g.rng, g.acct.functions)
	g.req = append(g.req[:0], `{"encryptionContext":{"aws:lambda:FunctionArn":"arn:aws:lambda:`...)
	g.req = append(g.req, r.region...)
	g.req = append(g.req, ':')
	g.req = append(g.req, g.acct.id...)
	g.req = append(g.req, ":function:"...)
	g.req = append(g.req, fn...)
	if name == "Decrypt" {
		g.req = append(g.req, `"},"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`...)
	} else {
		g.req = append(g.req, `"},"keySpec":"AES_256"}`...)
	}
	r.req = g.req
	g.res = append(g.res[:0], `[{"accountId":"`...)
	g.res = append(g.res, g.acct.id...)
	g.res = append(g.res, `","type":"AWS::KMS::Key","ARN":"arn:aws:kms:`...)
	g.res = append(g.res, r.region...)
	g.res = append(g.res, ':')
	g.res = append(g.res, g.acct.id...)
	g.res = append(g.res, ":key/"...)
	g.res = append(g.res, g.acct.kmsKey...)
	g.res = append(g.res, `"}]`...)
	r.resources = g.res
	g.tls(&r, "kms")
	return r
}
