// Package cloudtrailtest generates realistic CloudTrail records, objects and
// org-trail directory trees for tests and benchmarks of the ingest path. It
// is test support: deterministic for a seed, fast, and shaped like real
// trails (key order, nesting, ids, sizes, ~10% of records mentioning
// sso.amazonaws.com outside eventSource, a fraction of a percent of
// Identity Center records).
package cloudtrailtest

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// Gen makes records. Not safe for concurrent use.
type Gen struct {
	r *rand.Rand
}

// New returns a generator seeded with seed.
func New(seed uint64) *Gen {
	return &Gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Kind names a record family the generator knows.
type Kind int

// Record families. The Identity Center ones are what a rule pack wants.
const (
	KindNoise         Kind = iota // service and human API traffic
	KindSSOPortal                 // sso.amazonaws.com portal calls
	KindSSOAdmin                  // sso.amazonaws.com admin changes
	KindSignin                    // signin.amazonaws.com
	KindSAMLReserved              // sts AssumeRoleWithSAML of an AWSReservedSSO role
	KindIdentityStore             // identitystore / sso-directory writes
	KindPutRuleSSO                // events PutRule whose eventPattern quotes "eventSource":"sso.amazonaws.com"
	KindIAMBySSO                  // iam CreateRole invoked by sso.amazonaws.com
)

// pick draws a kind with real-trail proportions.
func (g *Gen) pick() Kind {
	switch x := g.r.IntN(10000); {
	case x < 40:
		return KindSSOPortal
	case x < 50:
		return KindSSOAdmin
	case x < 75:
		return KindSignin
	case x < 95:
		return KindSAMLReserved
	case x < 100:
		return KindIdentityStore
	case x < 103:
		return KindPutRuleSSO
	case x < 115:
		return KindIAMBySSO
	}
	return KindNoise
}

type noiseCall struct{ source, name string }

var noise = []noiseCall{
	{"kms", "Decrypt"}, {"kms", "GenerateDataKey"}, {"sts", "AssumeRole"}, {"sts", "AssumeRole"},
	{"sts", "GetCallerIdentity"}, {"s3", "GetObject"}, {"s3", "PutObject"}, {"s3", "HeadObject"},
	{"ec2", "DescribeInstances"}, {"ec2", "DescribeVolumes"}, {"logs", "CreateLogStream"},
	{"lambda", "Invoke"}, {"dynamodb", "GetItem"}, {"ssm", "GetParameter"}, {"config", "PutEvaluations"},
	{"secretsmanager", "GetSecretValue"}, {"monitoring", "GetMetricData"}, {"cloudformation", "DescribeStacks"},
	{"iam", "GetRole"}, {"ecr", "GetAuthorizationToken"}, {"elasticloadbalancing", "DescribeTargetHealth"},
}

// AppendRecord appends one record of a randomly drawn kind.
func (g *Gen) AppendRecord(b []byte, t time.Time, account, region string) []byte {
	return g.AppendKind(b, g.pick(), t, account, region)
}

// AppendKind appends one record of kind k.
func (g *Gen) AppendKind(b []byte, k Kind, t time.Time, account, region string) []byte {
	src, name := "", ""
	switch k {
	case KindSSOPortal:
		src, name = "sso", []string{"ListAccounts", "ListAccountRoles", "GetRoleCredentials", "Federate"}[g.r.IntN(4)]
	case KindSSOAdmin:
		src, name = "sso", []string{"CreateAccountAssignment", "ListPermissionSets", "DescribePermissionSet", "AttachManagedPolicyToPermissionSet"}[g.r.IntN(4)]
	case KindSignin:
		src, name = "signin", []string{"ConsoleLogin", "CredentialVerification", "UserAuthentication"}[g.r.IntN(3)]
	case KindSAMLReserved:
		src, name = "sts", "AssumeRoleWithSAML"
	case KindIdentityStore:
		src, name = "identitystore", "CreateGroupMembership"
	case KindPutRuleSSO:
		src, name = "events", "PutRule"
	case KindIAMBySSO:
		src, name = "iam", "CreateRole"
	default:
		c := noise[g.r.IntN(len(noise))]
		src, name = c.source, c.name
	}
	sso := k != KindNoise || g.r.IntN(10) == 0 // humans arrive through Identity Center
	b = append(b, `{"eventVersion":"1.`...)
	b = append(b, "0891"[g.r.IntN(4)], "8901"[g.r.IntN(4)])
	b = append(b, `","userIdentity":`...)
	b = g.identity(b, k, sso, account)
	b = append(b, `,"eventTime":"`...)
	b = t.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, `","eventSource":"`...)
	b = append(b, src...)
	b = append(b, `.amazonaws.com","eventName":"`...)
	b = append(b, name...)
	b = append(b, `","awsRegion":"`...)
	b = append(b, region...)
	b = append(b, `","sourceIPAddress":"`...)
	b = g.ip(b)
	b = append(b, `","userAgent":"`...)
	b = append(b, []string{
		"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.30.3",
		"Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.144",
		"AWS Internal", "config.amazonaws.com", "lambda.amazonaws.com",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
	}[g.r.IntN(6)]...)
	b = append(b, `","requestParameters":`...)
	b = g.request(b, k, name, account, region)
	b = append(b, `,"responseElements":`...)
	b = g.response(b, name)
	b = append(b, `,"requestID":"`...)
	b = g.uuid(b)
	b = append(b, `","eventID":"`...)
	b = g.uuid(b)
	b = append(b, `","readOnly":`...)
	b = strconv.AppendBool(b, g.r.IntN(4) != 0)
	if g.r.IntN(3) == 0 {
		b = append(b, `,"resources":[{"accountId":"`...)
		b = append(b, account...)
		b = append(b, `","type":"AWS::KMS::Key","ARN":"arn:aws:kms:`...)
		b = append(b, region...)
		b = append(b, ':')
		b = append(b, account...)
		b = append(b, `:key/`...)
		b = g.uuid(b)
		b = append(b, `"}]`...)
	}
	b = append(b, `,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"`...)
	b = append(b, account...)
	b = append(b, `","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"`...)
	b = append(b, src...)
	b = append(b, '.')
	b = append(b, region...)
	b = append(b, `.amazonaws.com"}}`...)
	return b
}

func (g *Gen) identity(b []byte, k Kind, sso bool, account string) []byte {
	switch {
	case k == KindSAMLReserved:
		b = append(b, `{"type":"SAMLUser","principalId":"`...)
		b = g.alnum(b, 27)
		b = append(b, `=:jane.doe@example.com","userName":"jane.doe@example.com","identityProvider":"`...)
		b = g.alnum(b, 27)
		return append(b, `="}`...)
	case k == KindSSOPortal || k == KindSignin:
		b = append(b, `{"type":"IdentityCenterUser","accountId":"`...)
		b = append(b, account...)
		b = append(b, `","onBehalfOf":{"userId":"`...)
		b = g.uuid(b)
		b = append(b, `","identityStoreArn":"arn:aws:identitystore::`...)
		b = append(b, account...)
		return append(b, `:identitystore/d-9067c2e4a1"},"credentialId":"`+"d2c4e3b1-5a6f-4c8e-9d0a-1b2c3d4e5f60"+`"}`...)
	case k == KindIAMBySSO:
		return append(b, `{"type":"AWSService","invokedBy":"sso.amazonaws.com"}`...)
	case !sso && g.r.IntN(3) == 0:
		b = append(b, `{"type":"AWSService","invokedBy":"`...)
		b = append(b, []string{"lambda", "config", "cloudtrail", "ec2"}[g.r.IntN(4)]...)
		return append(b, `.amazonaws.com"}`...)
	}
	role, session := "svc-deployer", "i-0"
	if sso {
		role, session = "AWSReservedSSO_AdministratorAccess_7243976e43c75fc5", "jane.doe@example.com"
	}
	b = append(b, `{"type":"AssumedRole","principalId":"AROA`...)
	b = append(b, roleID(role)...)
	b = append(b, ':')
	b = append(b, session...)
	b = append(b, `","arn":"arn:aws:sts::`...)
	b = append(b, account...)
	b = append(b, `:assumed-role/`...)
	b = append(b, role...)
	b = append(b, '/')
	b = append(b, session...)
	b = append(b, `","accountId":"`...)
	b = append(b, account...)
	b = append(b, `","accessKeyId":"ASIA`...)
	b = g.upper(b, 16)
	b = append(b, `","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA`...)
	b = append(b, roleID(role)...)
	b = append(b, `","arn":"arn:aws:iam::`...)
	b = append(b, account...)
	if sso {
		b = append(b, `:role/aws-reserved/sso.amazonaws.com/`...)
	} else {
		b = append(b, `:role/`...)
	}
	b = append(b, role...)
	b = append(b, `","accountId":"`...)
	b = append(b, account...)
	b = append(b, `","userName":"`...)
	b = append(b, role...)
	b = append(b, `"},"attributes":{"creationDate":"2024-05-01T10:00:00Z","mfaAuthenticated":"false"}}}`...)
	return b
}

func (g *Gen) request(b []byte, k Kind, name, account, region string) []byte {
	switch k {
	case KindSSOPortal:
		if name == "GetRoleCredentials" {
			return append(b, `null,"serviceEventDetails":{"role_name":"AdministratorAccess","account_id":"`+"111122223333"+`"}`...)
		}
		return append(b, `null`...)
	case KindSSOAdmin:
		b = append(b, `{"instanceArn":"arn:aws:sso:::instance/ssoins-72230b4c5d6e7f80","permissionSetArn":"arn:aws:sso:::permissionSet/ssoins-72230b4c5d6e7f80/ps-`...)
		b = g.hex(b, 16)
		b = append(b, `","targetId":"`...)
		b = append(b, account...)
		b = append(b, `","targetType":"AWS_ACCOUNT","principalType":"GROUP","principalId":"`...)
		b = g.uuid(b)
		return append(b, `"}`...)
	case KindSAMLReserved:
		b = append(b, `{"sAMLAssertionID":"_`...)
		b = g.uuid(b)
		b = append(b, `","roleSessionName":"jane.doe@example.com","roleArn":"arn:aws:iam::`...)
		b = append(b, account...)
		b = append(b, `:role/aws-reserved/sso.amazonaws.com/`...)
		b = append(b, region...)
		b = append(b, `/AWSReservedSSO_AdministratorAccess_7243976e43c75fc5","principalArn":"arn:aws:iam::`...)
		b = append(b, account...)
		return append(b, `:saml-provider/AWSSSO_9882ccf00912484e_DO_NOT_DELETE","durationSeconds":43200}`...)
	case KindPutRuleSSO:
		return append(b, `{"name":"idc-watch","eventPattern":"{\"source\":[\"aws.sso\"],\"detail\":{\"eventSource\":[\"sso.amazonaws.com\"]}}","state":"ENABLED"}`...)
	case KindIAMBySSO:
		b = append(b, `{"roleName":"AWSReservedSSO_ReadOnly_0123456789abcdef","path":"/aws-reserved/sso.amazonaws.com/","assumeRolePolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::`...)
		b = append(b, account...)
		return append(b, `:saml-provider/AWSSSO_9882ccf00912484e_DO_NOT_DELETE\"},\"Action\":[\"sts:AssumeRoleWithSAML\",\"sts:TagSession\"]}]}"}`...)
	}
	switch g.r.IntN(4) {
	case 0:
		return append(b, `null`...)
	case 1:
		b = append(b, `{"bucketName":"logs-`...)
		b = append(b, account...)
		b = append(b, `","Host":"logs.s3.amazonaws.com","key":"app/2024/05/01/`...)
		b = g.hex(b, 24)
		return append(b, `.json.gz"}`...)
	case 2:
		b = append(b, `{"encryptionContext":{"aws:lambda:FunctionArn":"arn:aws:lambda:`...)
		b = append(b, region...)
		b = append(b, ':')
		b = append(b, account...)
		return append(b, `:function:ingest-handler"},"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`...)
	}
	b = append(b, `{"filterSet":{"items":[{"name":"tag:team","valueSet":{"items":[{"value":"platform"}]}}]},"maxResults":`...)
	b = strconv.AppendInt(b, int64(5+g.r.IntN(995)), 10)
	if g.r.IntN(10) != 0 {
		return append(b, '}')
	}
	b = append(b, `,"nextToken":"`...)
	if g.r.IntN(2) == 0 { // CloudTrail escapes some characters as \u escapes
		b = g.alnum(b, 40)
		return append(b, `\u003d\u003d"}`...)
	}
	b = g.alnum(b, 44)
	return append(b, `"}`...)
}

func (g *Gen) response(b []byte, name string) []byte {
	if (name == "AssumeRole" && g.r.IntN(4) == 0) || name == "AssumeRoleWithSAML" {
		b = append(b, `{"credentials":{"accessKeyId":"ASIA`...)
		b = g.upper(b, 16)
		b = append(b, `","sessionToken":"IQoJb3JpZ2luX2VjECwaCXVzLWVhc3QtMSJHMEUCIQ`...)
		b = g.alnum(b, 300+g.r.IntN(400))
		b = append(b, `","expiration":"Jul 1, 2026, 12:08:19 PM"},"assumedRoleUser":{"assumedRoleId":"AROA6EXAMPLEROLEID01:session","arn":"arn:aws:sts::111122223333:assumed-role/svc-deployer/session"}}`...)
		return b
	}
	if g.r.IntN(4) != 0 {
		return append(b, `null`...)
	}
	b = append(b, `{"requestId":"`...)
	b = g.uuid(b)
	return append(b, `","status":"SUCCEEDED"}`...)
}

// roleID is a stable fake role id: real trails repeat a few roles.
func roleID(role string) string {
	h := uint64(14695981039346656037)
	for i := 0; i < len(role); i++ {
		h = (h ^ uint64(role[i])) * 1099511628211
	}
	b := make([]byte, 17)
	for i := range b {
		b[i] = uppers[h%32]
		h = h/32 ^ h<<7
	}
	return string(b)
}
