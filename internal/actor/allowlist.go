package actor

import (
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/wildcard"
)

// Allowlist decides whether an actor is one of the configured identity
// admins. Patterns are ARNs with '*' wildcards (matched against the session
// ARN and the role ARN), or Identity Center user names / ids.
type Allowlist struct {
	entries []config.Admin
}

// NewAllowlist compiles the admins list.
func NewAllowlist(admins []config.Admin) *Allowlist {
	return &Allowlist{entries: admins}
}

// Match reports whether a is allow-listed at time t (expired entries do not
// count), and which pattern matched.
func (l *Allowlist) Match(a Actor, t time.Time) (bool, string) {
	if l == nil {
		return false, ""
	}
	for _, e := range l.entries {
		if !e.Expires.IsZero() && !t.IsZero() && t.After(e.Expires) {
			continue
		}
		if matchOne(e.Pattern, a) {
			return true, e.Pattern
		}
	}
	return false, ""
}

func matchOne(p string, a Actor) bool {
	if strings.HasPrefix(p, "arn:") {
		for _, cand := range []string{a.ARN, a.RoleARN} {
			if cand != "" && wildcard.Match(p, cand) {
				return true
			}
		}
		// A role pattern with a path (…:role/aws-reserved/sso.amazonaws.com/…)
		// must also match a rebuilt path-less role ARN.
		if a.RoleARN != "" && strings.Contains(p, ":role/") {
			if wildcard.Match(stripRolePath(p), stripRolePath(a.RoleARN)) {
				return true
			}
		}
		return false
	}
	// A user name or id: the Identity Center user behind a portal event, or
	// the session name of an AWSReservedSSO_* session (the user name).
	for _, cand := range []string{a.UserID, a.Name} {
		if cand != "" && wildcard.Match(strings.ToLower(p), strings.ToLower(cand)) {
			return true
		}
	}
	return false
}

func stripRolePath(arn string) string {
	i := strings.Index(arn, ":role/")
	if i < 0 {
		return arn
	}
	return arn[:i+len(":role/")] + lastSegment(arn)
}
