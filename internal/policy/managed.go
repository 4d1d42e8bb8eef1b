package policy

import (
	"encoding/json"
	"slices"
	"strings"
)

// managed describes an AWS managed policy by a condensed document of our own: the statements
// that decide its level, not AWS's full text (which changes, and is long). ManagedPolicy runs
// the same analysis on it, so levels, services and escalations are consistent with Analyze.
//
// Sources: the AWS Managed Policy Reference (docs.aws.amazon.com/aws-managed-policy), versions
// current in early 2026 for AdministratorAccess, PowerUserAccess (v12), IAMFullAccess (v2),
// AWSOrganizationsFullAccess, AWSSSOMasterAccountAdministrator, AWSSSOMemberAccountAdministrator,
// AWSSSODirectoryAdministrator and AWSOrganizationsReadOnlyAccess. SystemAdministrator,
// AWSLambda_FullAccess and the read-only policies are condensed from knowledge, not from a
// fetched document; what matters for them (which roles they may pass) is stated in note.
type managed struct {
	note string // one sentence on what the policy is and why it ranks so
	doc  string // condensed statements
}

// managedPolicies is keyed by the ARN's path and name after "policy/". Read-only.
var managedPolicies = map[string]managed{
	"AdministratorAccess": {
		note: "full access to every service and resource",
		doc:  `[{"Effect":"Allow","Action":"*","Resource":"*"}]`,
	},
	"PowerUserAccess": {
		note: "every service except IAM, Organizations and Account management, which still fully controls sso, identitystore and sts; it escalates in practice through existing service roles and account-level actions",
		doc: `[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},
			{"Effect":"Allow","Action":["account:GetAccountInformation","account:GetPrimaryEmail","account:ListRegions",
			"iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles",
			"organizations:DescribeEffectivePolicy","organizations:DescribeOrganization"],"Resource":"*"}]`,
	},
	"IAMFullAccess": {
		note: "full control of IAM (plus read-only Organizations)",
		doc:  `[{"Effect":"Allow","Action":["iam:*","organizations:Describe*","organizations:List*"],"Resource":"*"}]`,
	},
	"AWSOrganizationsFullAccess": {
		note: "full control of AWS Organizations (plus account contact and region settings)",
		doc: `[{"Effect":"Allow","Action":"organizations:*","Resource":"*"},
			{"Effect":"Allow","Action":["account:PutAlternateContact","account:PutContactInformation","account:EnableRegion","account:DisableRegion"],"Resource":"*"},
			{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"organizations.amazonaws.com"}}}]`,
	},
	"AWSSSOMasterAccountAdministrator": {
		note: "full control of Identity Center (sso, identitystore) for the management account and every member account",
		doc:  ssoAdminDoc + `,{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO","Condition":{"StringLike":{"iam:PassedToService":"sso.amazonaws.com"}}}]`,
	},
	"AWSSSOMemberAccountAdministrator": {
		note: "full control of Identity Center (sso, identitystore) except what is provisioned to the management account; still assigns any permission set to any member account",
		doc:  ssoAdminDoc + `]`,
	},
	"AWSSSODirectoryAdministrator": {
		note: "full control of the Identity Center directory (users, groups, memberships)",
		doc:  `[{"Effect":"Allow","Action":["sso-directory:*","identitystore:*","identitystore-auth:*","sso:ListDirectoryAssociations"],"Resource":"*"}]`,
	},
	"job-function/SystemAdministrator": {
		note: "broad operations access that may pass only roles named ec2-sysadmin-*, lambda-sysadmin-*, ecr-sysadmin-* and rds-monitoring-role; escalates to whatever those roles hold",
		doc: `[{"Effect":"Allow","Action":["ec2:*","lambda:*","cloudformation:*","ssm:*","s3:*","cloudwatch:*","logs:*","iam:GetRole","iam:ListRoles"],"Resource":"*"},
			{"Effect":"Allow","Action":"iam:PassRole","Resource":["arn:aws:iam::*:role/rds-monitoring-role","arn:aws:iam::*:role/ec2-sysadmin-*","arn:aws:iam::*:role/ecr-sysadmin-*","arn:aws:iam::*:role/lambda-sysadmin-*"]}]`,
	},
	"AWSLambda_FullAccess": {
		note: "full control of Lambda, and may pass any role to Lambda",
		doc: `[{"Effect":"Allow","Action":["lambda:*","cloudformation:DescribeStacks","logs:*"],"Resource":"*"},
			{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}}]`,
	},
	"ReadOnlyAccess": {
		note: "read-only access to every service",
		doc:  `[{"Effect":"Allow","Action":["*:Describe*","*:Get*","*:List*","*:BatchGet*"],"Resource":"*"}]`,
	},
	"job-function/ViewOnlyAccess": {
		note: "lists and describes resources, without reading their content",
		doc:  `[{"Effect":"Allow","Action":["*:Describe*","*:List*"],"Resource":"*"}]`,
	},
	"SecurityAudit": {
		note: "reads security configuration",
		doc:  `[{"Effect":"Allow","Action":["*:Describe*","*:Get*","*:List*"],"Resource":"*"}]`,
	},
	"IAMReadOnlyAccess": {
		note: "read-only IAM",
		doc:  `[{"Effect":"Allow","Action":["iam:Generate*","iam:Get*","iam:List*","iam:Simulate*"],"Resource":"*"}]`,
	},
	"AWSSSOReadOnly": {
		note: "read-only Identity Center",
		doc:  `[{"Effect":"Allow","Action":["sso:Describe*","sso:Get*","sso:List*","sso-directory:Describe*","sso-directory:List*","identitystore:Describe*","identitystore:List*","organizations:Describe*","organizations:List*"],"Resource":"*"}]`,
	},
	"AWSSSODirectoryReadOnly": {
		note: "read-only Identity Center directory",
		doc:  `[{"Effect":"Allow","Action":["sso-directory:Search*","sso-directory:Describe*","sso-directory:List*","identitystore:Describe*","identitystore:List*"],"Resource":"*"}]`,
	},
	"AWSOrganizationsReadOnlyAccess": {
		note: "read-only Organizations",
		doc:  `[{"Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"}]`,
	},
}

// ssoAdminDoc is what the two AWSSSO*AccountAdministrator policies share (open list).
const ssoAdminDoc = `[{"Effect":"Allow","Action":["sso:*","sso-directory:*","identitystore:*","identitystore-auth:*",
	"ds:DescribeDirectories","ds:AuthorizeApplication","ds:UnauthorizeApplication","ds:DescribeTrusts","ds:CreateAlias",
	"iam:ListPolicies","organizations:EnableAWSServiceAccess","organizations:Describe*","organizations:List*"],"Resource":"*"},
	{"Effect":"Allow","Action":["organizations:RegisterDelegatedAdministrator","organizations:DeregisterDelegatedAdministrator"],"Resource":"*",
	"Condition":{"StringEquals":{"organizations:ServicePrincipal":"sso.amazonaws.com"}}}`

// ManagedPolicy reports what a known AWS managed policy grants, for an ARN in any partition
// (arn:aws:, arn:aws-cn:, arn:aws-us-gov:), including paths such as job-function/.
// ok is false for any other ARN: its content is unknown here.
func ManagedPolicy(arn string) (a Analysis, ok bool) {
	name, ok := managedName(arn)
	if !ok {
		return Analysis{}, false
	}
	m, ok := managedPolicies[name]
	if !ok {
		return Analysis{}, false
	}
	var stmts []Statement
	if err := json.Unmarshal([]byte(m.doc), &stmts); err != nil {
		return Analysis{}, false // a broken table entry; TestManagedTableParses catches it
	}
	a = AnalyzeStatements(stmts)
	short := name[strings.LastIndexByte(name, '/')+1:]
	reasons := []string{"AWS managed policy " + short + ": " + m.note}
	for _, r := range a.Reasons {
		reasons = append(reasons, short+" "+r)
	}
	a.Reasons = reasons
	return a, true
}

// ManagedPolicyNames lists the path-qualified names ManagedPolicy knows, sorted.
func ManagedPolicyNames() []string {
	out := make([]string, 0, len(managedPolicies))
	for n := range managedPolicies {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// managedName extracts "path/Name" from arn:<partition>:iam::aws:policy/path/Name.
func managedName(arn string) (string, bool) {
	for _, part := range partitions {
		prefix := "arn:" + part + ":iam::aws:policy/"
		if rest, ok := strings.CutPrefix(arn, prefix); ok && rest != "" {
			return rest, true
		}
	}
	return "", false
}
