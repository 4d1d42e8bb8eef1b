package posture

import (
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// The facts the model checks read.
var (
	psFacts       = []string{idc.FactPermissionSets}
	psGroupFacts  = []string{idc.FactPermissionSets, idc.FactMemberships}
	delegateFacts = []string{idc.FactDelegatedAdmin}
)

// Info documents a check. Ids are a contract: renaming one breaks
// suppressions and pipelines.
type Info struct {
	ID       string           `json:"id"`
	Title    string           `json:"title"`
	Severity finding.Severity `json:"severity"`
	// Needs names the input beyond the model: "", "events" or "organizations".
	Needs string `json:"needs,omitempty"`
	// Facts are what the check reads from the model that some sources
	// cannot show (idc.Fact*): with one unknown, a check that finds
	// nothing is skipped, never passed.
	Facts []string `json:"facts,omitempty"`
	Why   string   `json:"why"`
	Fix   string   `json:"fix"`
	// Doc says in Markdown what the check looks at: its line in the
	// README's table of checks (see Docs).
	Doc string `json:"doc"`
}

type check struct {
	Info
	run func(*env, *Result)
}

// Checks lists every check, in report order.
func Checks() []Info {
	cs := registry()
	out := make([]Info, len(cs))
	for i, c := range cs {
		out[i] = c.Info
	}
	return out
}

func registry() []check {
	return []check{
		{Info{ID: "posture.session-duration", Title: "Session duration above max_session_duration", Severity: finding.Medium,
			Why: "A permission-set session outlives the sign-in that made it: a stolen or phished session keeps working for the whole duration, and revoking the user does not end it.",
			Fix: "Lower the permission set's session duration (UpdatePermissionSet sessionDuration) to max_session_duration or less, then re-provision it.",
			Doc: "session duration above `max_session_duration`", Facts: psFacts}, checkSessionDuration},
		{Info{ID: "posture.admin-permission-set", Title: "Permission sets that grant admin, and how widely they are assigned", Severity: finding.Medium,
			Why: "Every assignment of an admin permission set is a path to full control of an account; the more principals and accounts, the larger the blast radius of one compromised identity.",
			Fix: "Keep admin sets few and narrowly assigned (a small admin group, sensitive accounts only through break-glass), and give day-to-day work a scoped permission set.",
			Doc: "sets granting admin (AdministratorAccess or an admin inline policy) and how widely they are assigned", Facts: psFacts}, checkAdminSets},
		{Info{ID: "posture.admin-without-boundary", Title: "Admin permission sets without a permissions boundary", Severity: finding.Medium,
			Why: "Without a boundary an admin session can rewrite IAM, Identity Center and Organizations in the account, including the controls meant to catch it.",
			Fix: "Attach a permissions boundary (PutPermissionsBoundaryToPermissionSet) that denies changes to identity, logging and guardrail resources, then re-provision.",
			Doc: "admin sets without a permissions boundary", Facts: psFacts}, checkAdminBoundary},
		{Info{ID: "posture.admin-large-group", Title: "Admin permission sets assigned to large groups", Severity: finding.High,
			Why: "A large group with admin is many phishable identities with admin; membership often comes from the IdP and changes without review in AWS.",
			Fix: "Assign admin sets to a small, reviewed group (below large_group_size) and give the large group a scoped permission set.",
			Doc: "admin sets assigned to groups of `large_group_size` or more", Facts: psGroupFacts}, checkAdminLargeGroup},
		{Info{ID: "posture.sensitive-admin-outside-admins", Title: "Admin access to sensitive accounts held by users outside the admins list", Severity: finding.High,
			Why: "Sensitive accounts (and the management account) should be reachable with admin only by the people the team has named; anyone else is a standing path attackers look for.",
			Fix: "Remove the assignment or the group membership, or add the person to admins in portcullis.yaml if the access is intended.",
			Doc: "admin in sensitive accounts held by anyone outside `admins`", Facts: psGroupFacts}, checkSensitiveAdmins},
		{Info{ID: "posture.delegated-admin", Title: "Delegated administrator account and its blast radius", Severity: finding.Medium,
			Why: "The delegated administrator can manage every permission set not provisioned to the management account: whoever can act in that account controls access to nearly every account.",
			Fix: "Treat the delegated admin account as sensitive (add it to sensitive_accounts), let only admins reach it with privileged sets, or deregister it.",
			Doc: "a delegated administrator and its blast radius", Facts: delegateFacts}, checkDelegatedAdmin},
		{Info{ID: "posture.mfa-weak-signin", Title: "Users who signed in without a phishing-resistant factor", Severity: finding.Medium, Needs: "events",
			Why: "Passwords and one-time codes are phished in real time; only WebAuthn (security keys, passkeys) binds the sign-in to the real portal. Identity Center has no API to read MFA settings, so sign-ins are the evidence.",
			Fix: "Require MFA on every sign-in and register security keys or passkeys for these users; for an external IdP enforce phishing-resistant MFA there.",
			Doc: "users who signed in without WebAuthn in the window (`additionalEventData.CredentialType`; Identity Center has no API to read MFA settings)"}, checkWeakSignin},
		{Info{ID: "posture.mfa-device-enrollment", Title: "Sign-ins that had to enroll an MFA device", Severity: finding.Medium, Needs: "events",
			Why: "DeviceEnrollmentRequired means the user had no MFA device and registered one during sign-in: whoever held the password chose the device, which is how a phished password becomes lasting access.",
			Fix: "Confirm with each user that they enrolled the device themselves, remove devices nobody recognises, and prefer security keys enrolled through an identity-verified flow.",
			Doc: "sign-ins that had to enroll a device (`DeviceEnrollmentRequired`)"}, checkDeviceEnrollment},
		{Info{ID: "posture.scp-guardrail", Title: "SCP guarding the AWSReservedSSO_* roles and the Identity Center APIs", Severity: finding.High, Needs: "organizations",
			Why: "Without a guardrail, an admin in a member account (or the delegated admin) can tamper with the roles Identity Center provisions and call sso/identitystore write APIs; an SCP is the one control the account itself cannot lift.",
			Fix: "Attach an SCP at the root that denies iam:* on arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/* and denies sso:* / identitystore:* writes except for the admin roles (Condition ArnNotLike aws:PrincipalArn).",
			Doc: "SCPs that do or do not guard the `AWSReservedSSO_*` roles and the Identity Center write APIs"}, checkSCP},
		{Info{ID: "posture.unused-assignment", Title: "Assignments unused in the evidence window", Severity: finding.Low, Needs: "events",
			Why: "Access nobody uses is pure risk: it widens the blast radius of every identity that holds it and is the kind of grant an attacker leaves behind.",
			Fix: "Remove the assignment (DeleteAccountAssignment) or move it to an on-request flow; check with the owners first.",
			Doc: "assignments with no `GetRoleCredentials` / `AssumeRoleWithSAML` in the window (least-privilege candidates)"}, checkUnused},
	}
}
