package watch

import (
	"encoding/json"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// icSources are the EventBridge sources of Identity Center's own services,
// taken whole: admin API and portal (sso), console directory and public
// identity-store API, SCIM, OIDC and sign-in.
func icSources() []string {
	return []string{"aws.sso", "aws.sso-directory", "aws.identitystore", "aws.identitystore-scim", "aws.sso-oauth", "aws.signin"}
}

// orgEvents are the Organizations calls that change who administers
// Identity Center or what guards the accounts.
func orgEvents() []string {
	return []string{
		"RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator",
		"EnableAWSServiceAccess", "DisableAWSServiceAccess",
		"CreatePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy", "DetachPolicy",
		"PutResourcePolicy", "DeleteResourcePolicy",
		"LeaveOrganization", "RemoveAccountFromOrganization", "MoveAccount",
	}
}

// Member-account IAM calls on what Identity Center depends on: customer
// managed policies permission sets reference by name, its SAML provider,
// and (failed) edits of its protected AWSReservedSSO roles. IAM logs to
// us-east-1 of each member account, so these reach a watcher through the
// organization trail or an EventBridge rule in each account.
var (
	iamPolicyEvents = []string{"CreatePolicy", "CreatePolicyVersion", "SetDefaultPolicyVersion", "DeletePolicy",
		"CreateSAMLProvider", "UpdateSAMLProvider", "DeleteSAMLProvider"}
	iamRoleEvents = []string{"PutRolePolicy", "AttachRolePolicy", "DetachRolePolicy", "DeleteRolePolicy", "UpdateAssumeRolePolicy",
		"UpdateRole", "UpdateRoleDescription", "TagRole", "UntagRole", "DeleteRole", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary"}
)

// EventBridgePattern is the rule pattern that feeds the watcher: CloudTrail
// API calls (and console sign-ins) from the Identity Center services in
// full, the Organizations calls that matter, from STS only the SAML
// federation that Identity Center permission sets use, and the IAM calls
// above. The rule must live
// in the Identity Center home region (and us-east-1 for Organizations and
// sign-in events).
func EventBridgePattern() []byte {
	p := map[string]any{
		"detail-type": []string{"AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"},
		"$or": []any{
			map[string]any{"source": icSources()},
			map[string]any{"source": []string{"aws.organizations"}, "detail": map[string]any{"eventName": orgEvents()}},
			map[string]any{"source": []string{"aws.sts"}, "detail": map[string]any{"eventName": []string{"AssumeRoleWithSAML"}}},
			map[string]any{"source": []string{"aws.iam"}, "detail": map[string]any{"eventName": iamPolicyEvents}},
			map[string]any{"source": []string{"aws.iam"}, "detail": map[string]any{"eventName": iamRoleEvents,
				"errorCode": []string{"UnmodifiableEntity", "UnmodifiableEntityException"}}},
		},
	}
	b, _ := json.MarshalIndent(p, "", "  ") // maps of strings always marshal
	return append(b, '\n')
}

// DefaultPrefilter keeps, from whole trail files, the records the pattern
// would have forwarded.
func DefaultPrefilter() *cloudtrail.Prefilter {
	var in []cloudtrail.Interest
	for _, s := range icSources() {
		in = append(in, cloudtrail.Interest{Source: s[len("aws."):] + ".amazonaws.com"})
	}
	in = append(in,
		cloudtrail.Interest{Source: "organizations.amazonaws.com", Names: orgEvents()},
		cloudtrail.Interest{Source: "sts.amazonaws.com", Names: []string{"AssumeRoleWithSAML"}},
		cloudtrail.Interest{Source: "iam.amazonaws.com", Names: iamPolicyEvents},
		cloudtrail.Interest{Source: "iam.amazonaws.com", Names: iamRoleEvents, Contains: []string{"UnmodifiableEntity"}},
	)
	return cloudtrail.NewPrefilter(in)
}
