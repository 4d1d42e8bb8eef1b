package idc

import "slices"

// CloudTrail event sources of Identity Center activity. The same effect
// can come through several of them (a group membership through the
// console, the public API or SCIM), so whatever reads Identity Center
// events takes its list from EventSources, never its own copy.
const (
	// SourceSSO logs the sso-admin API (instance, permission sets,
	// assignments), the access portal (GetRoleCredentials, ListAccounts …)
	// and OIDC CreateToken.
	SourceSSO = "sso.amazonaws.com"
	// SourceDirectory logs the console's identity-store calls
	// (AddMemberToGroup, CreateUser …).
	SourceDirectory = "sso-directory.amazonaws.com"
	// SourceIdentityStore logs the public identitystore API
	// (CreateGroupMembership, CreateUser …).
	SourceIdentityStore = "identitystore.amazonaws.com"
	// SourceSCIM logs an identity provider's SCIM provisioning (PatchGroup
	// carries membership changes).
	SourceSCIM = "identitystore-scim.amazonaws.com"
	// SourceOAuth logs CreateTokenWithIAM (trusted token issuers).
	SourceOAuth = "sso-oauth.amazonaws.com"
	// SourceSignin logs sign-ins (CredentialChallenge,
	// CredentialVerification, UserAuthentication).
	SourceSignin = "signin.amazonaws.com"
	// SourceOrganizations logs who is the delegated administrator
	// (RegisterDelegatedAdministrator for sso.amazonaws.com).
	SourceOrganizations = "organizations.amazonaws.com"
)

// SourceKind says what an event source's records can do to the model.
type SourceKind uint8

const (
	// KindService is one of Identity Center's own services: its writes
	// change permission sets, assignments, users, groups or memberships.
	KindService SourceKind = iota + 1
	// KindOrganization is Organizations: its writes change who administers
	// Identity Center.
	KindOrganization
	// KindSession is sign-in and tokens: who got in; nothing changes.
	KindSession
)

// EventSource is one CloudTrail eventSource of Identity Center activity.
type EventSource struct {
	Name string // the eventSource value
	// Family is a short label; the console directory and the public
	// identity-store API share "directory" (same store, two front doors).
	Family string
	Kind   SourceKind
}

var eventSources = []EventSource{
	{SourceSSO, "sso", KindService},
	{SourceDirectory, "directory", KindService},
	{SourceIdentityStore, "directory", KindService},
	{SourceSCIM, "scim", KindService},
	{SourceOAuth, "oauth", KindSession},
	{SourceSignin, "signin", KindSession},
	{SourceOrganizations, "organizations", KindOrganization},
}

// EventSources lists every event source of Identity Center activity, in
// the order above. The slice is the caller's.
func EventSources() []EventSource { return slices.Clone(eventSources) }

// ModelSources are the event sources whose writes Model.Apply reads:
// Identity Center's services and Organizations. Records from any other
// source never change a model.
func ModelSources() []string {
	var out []string
	for _, s := range eventSources {
		if s.Kind == KindService || s.Kind == KindOrganization {
			out = append(out, s.Name)
		}
	}
	return out
}
