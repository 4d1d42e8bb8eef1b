package actor

import (
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/wildcard"
)

// Allowlist decides whether an actor is one of the configured identity
// admins. Patterns are ARNs with '*' wildcards (matched against the session
// ARN and the role ARN), or Identity Center user names / ids, which match
// only identities Identity Center vouches for (see plainCandidates).
type Allowlist struct {
	entries []config.Admin
	dir     Directory
}

// Directory is what the allow-list asks of the Identity Center state: the
// user an id belongs to, as the identity store holds it. *idc.Model is one.
type Directory interface {
	UserByID(id string) (*idc.User, bool)
}

// NewAllowlist compiles the admins list.
func NewAllowlist(admins []config.Admin) *Allowlist {
	return &Allowlist{entries: admins}
}

// WithDirectory returns a copy of l that resolves Identity Center user ids
// to user names through d, so a user-name entry matches the user's portal
// events. Without one, a user-name entry matches only AWSReservedSSO_*
// sessions.
func (l *Allowlist) WithDirectory(d Directory) *Allowlist {
	if l == nil {
		return nil
	}
	c := *l
	c.dir = d
	return &c
}

// Match reports whether a is allow-listed at time t (expired entries do not
// count), and which pattern matched.
func (l *Allowlist) Match(a Actor, t time.Time) (bool, string) {
	if l == nil {
		return false, ""
	}
	var plain []string // computed once, on the first plain entry
	plainDone := false
	for _, e := range l.entries {
		if !e.Expires.IsZero() && !t.IsZero() && t.After(e.Expires) {
			continue
		}
		if strings.HasPrefix(e.Pattern, "arn:") {
			if matchARN(e.Pattern, a) {
				return true, e.Pattern
			}
			continue
		}
		if !plainDone {
			plain, plainDone = l.plainCandidates(a), true
		}
		for _, cand := range plain {
			if wildcard.Match(e.Pattern, cand) {
				return true, e.Pattern
			}
		}
	}
	return false, ""
}

// plainCandidates are the names a plain (non-ARN) entry may match: only
// what Identity Center vouches for, compared exactly as the directory
// stores it. An IAM user name, a federated user name, the session name of
// any other role and a legacy "Unknown" identity's userName are chosen by
// the caller (or typed at a sign-in prompt) and prove nothing.
func (l *Allowlist) plainCandidates(a Actor) []string {
	switch a.Type {
	case KindIDCUser:
		if a.UserID == "" {
			return nil
		}
		out := []string{a.UserID}
		if l.dir != nil {
			if u, ok := l.dir.UserByID(a.UserID); ok && u.UserName != "" {
				out = append(out, u.UserName)
			}
		}
		return out
	case KindSSOSession:
		// Identity Center sets the session name of the roles it provisions
		// to the user name; the role name is read from the session ARN
		// itself, never from a name field.
		if s := ssoSessionName(a.ARN); s != "" {
			return []string{s}
		}
	}
	return nil
}

// ssoSessionName returns SESSION from …:assumed-role/AWSReservedSSO_…/SESSION,
// or "" for any other ARN.
func ssoSessionName(arn string) string {
	i := strings.Index(arn, ":assumed-role/")
	if i < 0 {
		return ""
	}
	role, session, ok := strings.Cut(arn[i+len(":assumed-role/"):], "/")
	if !ok || !strings.HasPrefix(role, ssoRolePrefix) || strings.Contains(session, "/") {
		return ""
	}
	return session
}

func matchARN(p string, a Actor) bool {
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

// IdentityCenterUser is the actor of a user's own Identity Center calls
// (portal, sign-in), as the state knows the user.
func IdentityCenterUser(userID string) Actor {
	return Actor{Type: KindIDCUser, UserID: userID}
}

// SSOSession is the actor of the session Identity Center opens when the
// user (userName as the directory stores it) signs in to account with the
// permission set. The role's 16-hex suffix is unknown from the state: a
// pattern with '*' there (as admins lists use) still matches.
func SSOSession(partition, account, permissionSet, userName string) Actor {
	role := ssoRolePrefix + permissionSet + "_0000000000000000"
	return Actor{
		Type:          KindSSOSession,
		Name:          userName,
		ARN:           "arn:" + partition + ":sts::" + account + ":assumed-role/" + role + "/" + userName,
		RoleARN:       "arn:" + partition + ":iam::" + account + ":role/aws-reserved/sso.amazonaws.com/" + role,
		Account:       account,
		PermissionSet: permissionSet,
	}
}

func stripRolePath(arn string) string {
	i := strings.Index(arn, ":role/")
	if i < 0 {
		return arn
	}
	return arn[:i+len(":role/")] + lastSegment(arn)
}
