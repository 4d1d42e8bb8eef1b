package watch

import (
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/export"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// icSources are the event sources of Identity Center's own services and
// sessions, taken whole: admin API and portal (sso), console directory and
// public identity-store API, SCIM, OIDC and sign-in (Organizations is
// narrowed to orgEvents below).
func icSources() []string {
	var out []string
	for _, s := range idc.EventSources() {
		if s.Kind != idc.KindOrganization {
			out = append(out, s.Name)
		}
	}
	return out
}

// orgEvents are the Organizations calls that change who administers
// Identity Center or what guards the accounts.
var orgEvents = []string{
	"RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator",
	"EnableAWSServiceAccess", "DisableAWSServiceAccess",
	"CreatePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy", "DetachPolicy",
	"PutResourcePolicy", "DeleteResourcePolicy",
	"LeaveOrganization", "RemoveAccountFromOrganization", "MoveAccount",
}

// Interests are the records the watcher needs whatever the rules say: the
// Identity Center services in full (the state moves forward on them), the
// Organizations calls that matter, and from STS only the SAML federation
// Identity Center permission sets use.
func Interests() []cloudtrail.Interest {
	var in []cloudtrail.Interest
	for _, s := range icSources() {
		in = append(in, cloudtrail.Interest{Source: s})
	}
	return append(in,
		cloudtrail.Interest{Source: idc.SourceOrganizations, Names: orgEvents},
		cloudtrail.Interest{Source: "sts.amazonaws.com", Names: []string{"AssumeRoleWithSAML"}},
	)
}

// EventBridgePattern is the rule pattern that feeds the watcher: Interests,
// plus what the loaded rules want (their prefilter), written by the same
// generator as rules export --format eventbridge. The rule must live in the
// Identity Center home region (and us-east-1 for Organizations and sign-in
// events).
func EventBridgePattern(rules ...cloudtrail.Interest) []byte {
	return export.Combined(append(Interests(), rules...))
}

// DefaultPrefilter keeps, from whole trail files, the records the pattern
// would have forwarded.
func DefaultPrefilter() *cloudtrail.Prefilter {
	return cloudtrail.NewPrefilter(Interests())
}
