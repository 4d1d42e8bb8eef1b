package enrich

import (
	"fmt"
	"slices"
	"strings"
)

// FieldType is the type of a derived field's value, as rules compare it.
type FieldType string

const (
	TypeString     FieldType = "string"
	TypeBool       FieldType = "bool"
	TypeNumber     FieldType = "number"
	TypeStringList FieldType = "string list"
)

// Field documents one derived field: enrichment sets it under
// "portcullis." and rules match on it like on any record field.
type Field struct {
	Name string
	Type FieldType
	Doc  string // one line
}

// fields is every derived field Enrich can set. A rule naming a
// portcullis.* field that is not here fails to load (a misspelling would
// otherwise never match), and the README table is generated from it.
var fields = []Field{
	{"portcullis.actor.arn", TypeString, "the caller's ARN (session ARN for an assumed role)"},
	{"portcullis.actor.type", TypeString, "normalised caller kind: IAMUser, AssumedRole, IdentityCenterSession, IdentityCenterUser, SAMLUser, Root, AWSService …"},
	{"portcullis.actor.name", TypeString, "human name: user name, session name, Identity Center user name"},
	{"portcullis.actor.user_id", TypeString, "Identity Center user id of a portal or OIDC caller"},
	{"portcullis.actor.role_arn", TypeString, "the role behind an assumed-role session"},
	{"portcullis.actor.permission_set", TypeString, "permission set behind an AWSReservedSSO_* session"},
	{"portcullis.actor.allowlisted", TypeBool, "the caller matches an unexpired entry of the config's admins"},
	{"portcullis.actor.allowlist_pattern", TypeString, "the admins entry it matched"},
	{"portcullis.actor.service", TypeBool, "an AWS service acting on its own (invokedBy, service-linked roles)"},
	{"portcullis.actor.key", TypeString, "stable caller identity for correlation windows and failure counts"},
	{"portcullis.idc.family", TypeString, "Identity Center service family of the event source: sso, directory or scim"},
	{"portcullis.idc.write", TypeBool, "an administrative Identity Center write (not a read, portal call or service side effect)"},
	{"portcullis.success", TypeBool, "the call succeeded (no errorCode)"},
	{"portcullis.permission_set.arn", TypeString, "permission set the call names"},
	{"portcullis.permission_set.name", TypeString, "its name, from the state or the CreatePermissionSet request"},
	{"portcullis.permission_set.level", TypeString, "what it grants now: none, privesc, privileged or admin"},
	{"portcullis.permission_set.admin", TypeBool, "it grants admin"},
	{"portcullis.permission_set.privileged", TypeBool, "it grants admin or full control of a sensitive service"},
	{"portcullis.permission_set.break_glass", TypeBool, "it is one of the config's break_glass_permission_sets"},
	{"portcullis.policy.known", TypeBool, "the attached managed policy is known, or the inline or member-account policy document was read"},
	{"portcullis.policy.level", TypeString, "what the attached, inline or member-account policy grants: none, privesc, privileged or admin"},
	{"portcullis.policy.admin", TypeBool, "the policy grants admin"},
	{"portcullis.policy.privileged", TypeBool, "the policy grants admin or full control of a sensitive service"},
	{"portcullis.policy.escalation", TypeBool, "the policy grants at least a known privilege-escalation action"},
	{"portcullis.policy.reasons", TypeString, "why, joined with \"; \""},
	{"portcullis.policy.error", TypeString, "why the inline or member-account policy could not be read"},
	{"portcullis.session.hours", TypeNumber, "session duration the call sets, in hours"},
	{"portcullis.session.exceeds_max", TypeBool, "longer than the config's max_session_duration"},
	{"portcullis.session.error", TypeString, "why the session duration could not be read"},
	{"portcullis.target.account", TypeString, "account the call targets"},
	{"portcullis.target.all_accounts", TypeBool, "the call targets every provisioned account"},
	{"portcullis.target.sensitive", TypeBool, "the target account (or a session's account) is in sensitive_accounts"},
	{"portcullis.target.management", TypeBool, "the target account is the organization's management account"},
	{"portcullis.target.name", TypeString, "the target account's name, from the state"},
	{"portcullis.grant.key", TypeString, "permission set name (lower case) and account of a grant: what fresh-grant use joins on"},
	{"portcullis.principal.type", TypeString, "USER or GROUP the call assigns"},
	{"portcullis.principal.id", TypeString, "its id"},
	{"portcullis.principal.name", TypeString, "its user or group name, from the state"},
	{"portcullis.principal.group_size", TypeNumber, "members of the group principal"},
	{"portcullis.principal.privileged_group", TypeBool, "the group principal is in privileged_groups"},
	{"portcullis.principal.large_group", TypeBool, "the group principal has at least large_group_size members"},
	{"portcullis.scim.adds_members", TypeBool, "a SCIM PatchGroup adds members"},
	{"portcullis.scim.members", TypeString, "the user ids it adds, comma-separated"},
	{"portcullis.group.id", TypeString, "group the call is about"},
	{"portcullis.group.name", TypeString, "its display name, from the state or the request"},
	{"portcullis.group.size", TypeNumber, "its member count"},
	{"portcullis.group.privileged", TypeBool, "it is in privileged_groups"},
	{"portcullis.member.user_id", TypeString, "user added to or removed from the group"},
	{"portcullis.user.id", TypeString, "user the call is about: created, added, assigned or named"},
	{"portcullis.sso_role.permission_set", TypeString, "permission set of the role a session uses (GetRoleCredentials, AssumeRoleWithSAML)"},
	{"portcullis.sso_role.account", TypeString, "account of that role"},
	{"portcullis.sso_role.key", TypeString, "permission set name (lower case) and account of the session: what fresh-grant use joins on"},
	{"portcullis.settings.kind", TypeString, "instance setting an UpdateSsoConfiguration or MFA call changes: session, mfa or empty"},
	{"portcullis.mfa.change", TypeString, "what an MFA settings change does: relaxed, strengthened or unknown"},
	{"portcullis.mfa.self", TypeBool, "an MFA device deletion is the caller's own"},
	{"portcullis.mfa.target_user", TypeString, "user whose MFA device is deleted"},
	{"portcullis.portal.max_auth_age_hours", TypeNumber, "access portal session length the change sets, in hours (-1: unreadable)"},
	{"portcullis.portal.extended_session_providers", TypeString, "application providers an UpdateSsoConfiguration lets keep extended (up to 90-day) sessions, comma-separated"},
	{"portcullis.permission_set.tag_change", TypeString, "what TagResource / UntagResource does to a permission set's tags: +key=value, -key"},
	// Applications and trusted token issuers (apps.go).
	{"portcullis.app.arn", TypeString, "application the call names (applicationArn, CreateApplication's new ARN, CreateTokenWithIAM's clientId)"},
	{"portcullis.app.provider", TypeString, "its application provider ARN, from CreateApplication earlier in the run"},
	{"portcullis.app.custom", TypeBool, "a customer managed application (provider …/custom or …/custom-saml), not an AWS managed one"},
	{"portcullis.app.name", TypeString, "its name, from CreateApplication"},
	{"portcullis.app.account_access", TypeBool, "the application holds the sso:account:access scope (or this call gives or uses it)"},
	{"portcullis.app.grant_type", TypeString, "grant a PutApplicationGrant adds: jwt-bearer, refresh_token, token-exchange, authorization_code"},
	{"portcullis.app.grant_issuers", TypeString, "issuer URLs of the trusted token issuers a jwt-bearer grant authorises (those seen created)"},
	{"portcullis.app.grant_untrusted_issuer", TypeBool, "one of those issuers is not in trusted_token_issuers"},
	{"portcullis.app.actor_policy.principals", TypeString, "AWS principals an application's actor policy lets mint tokens (PutApplicationAuthenticationMethod)"},
	{"portcullis.app.actor_policy.wildcard", TypeBool, "the actor policy allows the principal *"},
	{"portcullis.app.actor_policy.foreign", TypeBool, "the actor policy names an account outside the organization"},
	{"portcullis.app.actor_policy.foreign_accounts", TypeString, "those accounts, comma-separated"},
	{"portcullis.app.actor_policy.error", TypeString, "why the actor policy could not be read"},
	{"portcullis.app.token_application", TypeString, "application whose CreateTokenWithIAM token (sso:account:access) this portal call uses: by credential id, else by user within the token's life"},
	{"portcullis.tti.issuer", TypeString, "issuer URL of the trusted token issuer the call names (from the request or its creation)"},
	{"portcullis.tti.trusted", TypeBool, "that issuer is in the config's trusted_token_issuers"},
	{"portcullis.tti.issuers_declared", TypeBool, "the config declares trusted_token_issuers"},
	// Instances and instance-wide settings (scope.go).
	{"portcullis.instance.org_instance_known", TypeBool, "CreateInstance / StartSSO while the state already knows the organization's instance"},
	{"portcullis.instance.org_instance", TypeBool, "DeleteInstance names the organization's instance the state knows"},
	{"portcullis.instance.changes", TypeString, "what UpdateInstance changes: permission sets enabled, encryption key, name"},
	{"portcullis.instance.foreign_key", TypeBool, "UpdateInstance encrypts with a KMS key of another account"},
	{"portcullis.abac.attributes", TypeString, "ABAC attribute mapping the call sets: key=source, …"},
	{"portcullis.abac.changes", TypeString, "what changed against the last mapping seen: +key, -key, key: old → new"},
	{"portcullis.abac.remapped", TypeBool, "an existing attribute key now reads another source"},
	// Member-account policies referenced by name (policyref.go).
	{"portcullis.policy_ref.name", TypeString, "path and name of the customer managed policy an iam call writes"},
	{"portcullis.policy_ref.version", TypeString, "policy version the call creates or makes the default"},
	{"portcullis.policy_ref.referenced", TypeBool, "a permission set provisioned to that account (or whose provisioning is unknown) references the policy by name, as a policy or a boundary"},
	{"portcullis.policy_ref.permission_sets", TypeString, "those permission sets, comma-separated"},
	{"portcullis.policy_ref.boundary", TypeBool, "one of them uses it as its permissions boundary"},
	{"portcullis.policy_ref.provisioned", TypeBool, "one of them is known to be provisioned to that account"},
	{"portcullis.policy_ref.effective", TypeBool, "the document becomes the policy's default version now"},
}

// Fields returns every derived field, in documentation order.
func Fields() []Field { return slices.Clone(fields) }

// LookupField returns the derived field called name.
func LookupField(name string) (Field, bool) {
	i := slices.IndexFunc(fields, func(f Field) bool { return f.Name == name })
	if i < 0 {
		return Field{}, false
	}
	return fields[i], true
}

// FieldsDoc renders the derived fields as a Markdown table (the README's).
func FieldsDoc() string {
	var b strings.Builder
	b.WriteString("| field | type | meaning |\n|---|---|---|\n")
	for _, f := range fields {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, f.Type, strings.ReplaceAll(f.Doc, "|", "\\|"))
	}
	return b.String()
}
