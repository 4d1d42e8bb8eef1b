package posture

import (
	"slices"

	"github.com/portcullis-sec/portcullis/internal/access"
)

// grants is every (user, account, permission set) path, from the access
// graph, computed once per run.
func (e *env) grants() []access.Access {
	if e.paths == nil {
		e.paths = access.Compute(e.m).All().Slice()
	}
	return e.paths
}

// reach summarises the assignments of one permission set.
type reach struct {
	accounts, principals, users []string
}

func (e *env) reachOf(psARN string) reach {
	var r reach
	for _, a := range e.m.Assignments {
		if a.PermissionSetARN == psARN {
			r.accounts = appendNew(r.accounts, a.AccountID)
			r.principals = appendNew(r.principals, a.PrincipalType+":"+a.PrincipalID)
		}
	}
	for _, g := range e.grants() {
		if g.PermissionSetARN == psARN {
			r.users = appendNew(r.users, g.UserID)
		}
	}
	return r
}

// via says how a grant reaches its user.
func via(g access.Access) string {
	if g.GroupID != "" {
		return "group " + label(g.GroupName, g.GroupID)
	}
	return "direct assignment"
}

func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
