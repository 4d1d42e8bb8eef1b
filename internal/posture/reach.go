package posture

// Who an assignment reaches. This is the one place posture expands groups;
// it stands in for internal/access (not there when this was written) and
// should be swapped for access.Compute once that lands.

import (
	"slices"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// path is one user reaching an account with a permission set.
type path struct {
	UserID     string
	AccountID  string
	PermSetARN string
	Via        string // "" direct, else the group id
}

// usersOf expands an assignment's principal to user ids.
func usersOf(m *idc.Model, a idc.Assignment) []path {
	switch a.PrincipalType {
	case "USER":
		return []path{{UserID: a.PrincipalID, AccountID: a.AccountID, PermSetARN: a.PermissionSetARN}}
	case "GROUP":
		ms := m.Memberships[a.PrincipalID]
		out := make([]path, 0, len(ms))
		for _, mb := range ms {
			out = append(out, path{UserID: mb.UserID, AccountID: a.AccountID, PermSetARN: a.PermissionSetARN, Via: a.PrincipalID})
		}
		return out
	}
	return nil
}

// reach summarises the assignments of one permission set.
type reach struct {
	accounts, principals, users []string
}

func reachOf(m *idc.Model, psARN string) reach {
	var r reach
	for _, a := range m.Assignments {
		if a.PermissionSetARN != psARN {
			continue
		}
		r.accounts = appendNew(r.accounts, a.AccountID)
		r.principals = appendNew(r.principals, a.PrincipalType+":"+a.PrincipalID)
		for _, p := range usersOf(m, a) {
			r.users = appendNew(r.users, p.UserID)
		}
	}
	return r
}

func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
