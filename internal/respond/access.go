package respond

import (
	"maps"
	"slices"
	"strings"
	"time"

	effective "github.com/portcullis-sec/portcullis/internal/access"
	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// accessPath is one way a user reaches an account: through a permission
// set, directly (Via "") or through a group (Via = group id).
type accessPath struct {
	User, Account, PS, Via string
}

// access answers who reaches what, from the model's effective access
// (computed once per plan by internal/access).
type access struct {
	m *idc.Model
	g *effective.Graph
}

func newAccess(m *idc.Model) *access {
	return &access{m: m, g: effective.Compute(m)}
}

// paths lists a user's grants, sorted by account, permission set and path
// (direct first).
func (ax *access) paths(user string) []accessPath {
	grants := ax.g.UserGrants(user)
	out := make([]accessPath, len(grants))
	for i, x := range grants {
		out[i] = accessPath{User: x.UserID, Account: x.AccountID, PS: x.PermissionSetARN, Via: x.GroupID}
	}
	return out
}

// groupsOf lists the groups a user is in, by id.
func (ax *access) groupsOf(user string) []string { return ax.g.GroupsOf(user) }

// level is what a permission set grants (LevelNone when the model does
// not hold it).
func (ax *access) level(arn string) policy.Level { return ax.g.Analysis(arn).Level }

// levelWithout is the level of a permission set once the managed policies
// in drop are detached.
func (ax *access) levelWithout(arn string, drop []string) policy.Level {
	ps, ok := ax.m.PermissionSets[arn]
	if !ok {
		return policy.LevelNone
	}
	if len(drop) == 0 {
		return ax.level(arn)
	}
	c := *ps
	c.ManagedPolicies = slices.DeleteFunc(slices.Clone(ps.ManagedPolicies), func(p string) bool {
		return slices.Contains(drop, p)
	})
	return idc.Classify(&c).Level
}

// managedLevel classifies one AWS managed policy on its own.
func managedLevel(arn string) policy.Level {
	if a, ok := policy.ManagedPolicy(arn); ok {
		return a.Level
	}
	return policy.LevelNone
}

// provisionedAccounts is where a permission set has a role: its recorded
// provisioning plus every account it is assigned in.
func (ax *access) provisionedAccounts(arn string) []string {
	var out []string
	if ps, ok := ax.m.PermissionSets[arn]; ok {
		out = append(out, ps.ProvisionedTo...)
	}
	for _, a := range ax.g.PermissionSetAssignments(arn) {
		out = append(out, a.AccountID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// adminUsers maps the config's admins to Identity Center users, the way the
// detectors identify them (actor.Allowlist): a plain entry naming the
// user's id or user name as the directory stores it, or an ARN pattern
// matching a session the user gets through one of their assignments.
func adminUsers(m *idc.Model, ax *access, cfg *config.Config, now time.Time) []string {
	if cfg == nil || len(cfg.Admins) == 0 {
		return nil
	}
	al := actor.NewAllowlist(cfg.Admins).WithDirectory(m)
	part := partition(m.InstanceARN)
	var out []string
	for _, id := range slices.Sorted(maps.Keys(m.Users)) {
		u := m.Users[id]
		cands := []actor.Actor{actor.IdentityCenterUser(u.ID)}
		for _, p := range ax.paths(id) {
			ps, ok := m.PermissionSets[p.PS]
			if !ok || u.UserName == "" {
				continue
			}
			cands = append(cands, actor.SSOSession(part, p.Account, ps.Name, u.UserName))
		}
		for _, c := range cands {
			if ok, _ := al.Match(c, now); ok {
				out = append(out, id)
				break
			}
		}
	}
	return out
}

// managementAccount is the organization's management account id, if known.
func managementAccount(m *idc.Model) string {
	if m.ManagementAccountID != "" {
		return m.ManagementAccountID
	}
	for _, id := range slices.Sorted(maps.Keys(m.Accounts)) {
		if m.Accounts[id].Management {
			return id
		}
	}
	return ""
}

// isBreakGlass reports whether a permission set is listed as break-glass.
func isBreakGlass(cfg *config.Config, ps *idc.PermissionSet) bool {
	if cfg == nil || ps == nil {
		return false
	}
	for _, b := range cfg.BreakGlassPermissionSets {
		if b == ps.ARN || strings.EqualFold(b, ps.Name) {
			return true
		}
	}
	return false
}

// isPrivilegedGroup: listed in privileged_groups, or assigned an admin or
// privileged permission set somewhere.
func isPrivilegedGroup(cfg *config.Config, ax *access, g *idc.Group) bool {
	if cfg != nil {
		for _, p := range cfg.PrivilegedGroups {
			if p == g.ID || (g.DisplayName != "" && strings.EqualFold(p, g.DisplayName)) {
				return true
			}
		}
	}
	for _, a := range ax.g.GroupAssignments(g.ID) {
		if ax.level(a.PermissionSetARN) >= policy.LevelPrivileged {
			return true
		}
	}
	return false
}
