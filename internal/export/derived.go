package export

import (
	"strings"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// derivedPrefix marks the fields portcullis computes (internal/enrich).
const derivedPrefix = "portcullis."

func isDerived(field string) bool { return strings.HasPrefix(field, derivedPrefix) }

// derivedWhy says what a derived field needs that a query or a pattern over
// the record does not have. Longest prefix wins; a field added later gets
// the general reason until it is listed here.
func derivedWhy(field string) string {
	best, why := "", "computed by portcullis enrichment, not a field of the record"
	for p, w := range derivedReasons {
		if strings.HasPrefix(field, p) && len(p) > len(best) {
			best, why = p, w
		}
	}
	return why
}

var derivedReasons = map[string]string{
	"portcullis.actor.":                  "needs actor normalisation across userIdentity shapes (Identity Center users, AssumedRole sessions, AWS service callers)",
	"portcullis.actor.allowlisted":       "needs the admins allow-list applied to the normalised actor",
	"portcullis.actor.allowlist_pattern": "needs the admins allow-list applied to the normalised actor",
	"portcullis.idc.":                    "needs actor normalisation (portal users and AWS service callers are not administrative writes)",
	"portcullis.policy.":                 "needs the policy analyser (managed policy catalogue, inline policy parsing)",
	"portcullis.permission_set.":         "needs the Identity Center model (what the permission set grants now)",
	"portcullis.session.":                "needs ISO-8601 duration parsing against the config's max_session_duration",
	"portcullis.target.":                 "needs the config's sensitive accounts and the Identity Center model",
	"portcullis.grant.":                  "needs permission set names from the Identity Center model",
	"portcullis.sso_role.":               "needs the AWSReservedSSO role name parsed into a permission set and account",
	"portcullis.principal.":              "needs the Identity Center model (users, groups and their sizes)",
	"portcullis.group.":                  "needs the Identity Center model (group names, sizes) and the config's privileged groups",
	"portcullis.member.":                 "needs the membership call's request read across the three identity-store APIs",
	"portcullis.user.":                   "needs the user id read across the identity-store APIs and SCIM",
	"portcullis.scim.":                   "needs the SCIM PatchGroup operations parsed",
	"portcullis.settings.":               "needs the instance settings change parsed",
	"portcullis.mfa.":                    "needs the MFA settings change parsed and compared with the caller",
	"portcullis.portal.":                 "needs the portal session setting parsed",
	"portcullis.success":                 "only true/false comparisons are written (errorCode absent or empty)",
}

// boolLeaf reports the boolean a derived-field leaf compares with, when it
// is the plain "field: true|false" both formats can lower.
func boolLeaf(l *leaf) (bool, bool) {
	if l.fm.Op != sigma.OpEquals || l.fm.Expand || len(l.values) != 1 || l.values[0].Type != sigma.Bool {
		return false, false
	}
	return strings.EqualFold(l.values[0].Text, "true"), true
}

// allowlist splits the config's admins into what a query can test on the
// record's ARNs and what only portcullis can decide.
type allowlist struct {
	arns     []string // ARN patterns without expiry: '*' any run, '?' one character
	residue  []string // why the rest cannot be decided from the ARNs
	noAdmins bool     // nobody is allow-listed: allowlisted is always false
}

func newAllowlist(cfg *config.Config) allowlist {
	a := allowlist{noAdmins: len(cfg.Admins) == 0}
	names, expiring := 0, 0
	for _, e := range cfg.Admins {
		switch {
		case !strings.HasPrefix(e.Pattern, "arn:"):
			names++
		case !e.Expires.IsZero():
			expiring++
		default:
			a.arns = append(a.arns, e.Pattern)
		}
	}
	if names > 0 {
		a.residue = append(a.residue, "Identity Center user names and ids")
	}
	if expiring > 0 {
		a.residue = append(a.residue, "entries with an expiry date")
	}
	if !a.noAdmins {
		// The engine also matches role patterns against a role ARN it
		// rebuilds from the session ARN, with or without the role path.
		a.residue = append(a.residue, "role ARNs rebuilt from session ARNs")
	}
	return a
}

func (a allowlist) why() string {
	return "admins entries matched on the caller's ARN only; " + strings.Join(a.residue, ", ") + " need portcullis"
}
