package access

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Access is one resolved grant: a user reaches an account with a
// permission set, directly or through a group.
type Access struct {
	UserID            string       `json:"user_id"`
	UserName          string       `json:"user_name,omitempty"`
	AccountID         string       `json:"account_id"`
	AccountName       string       `json:"account_name,omitempty"`
	PermissionSetARN  string       `json:"permission_set_arn"`
	PermissionSetName string       `json:"permission_set_name,omitempty"`
	Level             policy.Level `json:"level"`
	Via               string       `json:"via"` // ViaDirect | ViaGroup
	GroupID           string       `json:"group_id,omitempty"`
	GroupName         string       `json:"group_name,omitempty"`
}

// Admin reports whether the grant is an admin path.
func (a Access) Admin() bool { return a.Level >= policy.LevelAdmin }

// Result is a selection of grants of one graph, in graph order.
type Result struct {
	g   *Graph
	idx []int32
	all bool
}

// Len is the number of grants selected.
func (r *Result) Len() int {
	if r.all {
		return len(r.g.grants)
	}
	return len(r.idx)
}

// At resolves the i-th grant.
func (r *Result) At(i int) Access { return r.g.resolve(r.grant(i)) }

// grant is the i-th grant, unresolved.
func (r *Result) grant(i int) grant {
	if !r.all {
		i = int(r.idx[i])
	}
	return r.g.grants[i]
}

// Slice resolves every grant selected.
func (r *Result) Slice() []Access {
	out := make([]Access, r.Len())
	for i := range out {
		out[i] = r.At(i)
	}
	return out
}

func (g *Graph) resolve(x grant) Access {
	u, acct, ps := g.users[x.user], g.accounts[x.account], &g.sets[x.ps]
	a := Access{UserID: u.ID, UserName: u.UserName, AccountID: acct.ID, AccountName: acct.Name,
		PermissionSetARN: ps.ARN, PermissionSetName: ps.Name, Level: ps.Analysis.Level, Via: ViaDirect}
	if x.group >= 0 {
		grp := g.groups[x.group]
		a.Via, a.GroupID, a.GroupName = ViaGroup, grp.ID, grp.DisplayName
	}
	return a
}

func (g *Graph) admin(x grant) bool { return g.isAdmin[x.ps] }

func (g *Graph) filter(idx []int32, keep func(grant) bool) *Result {
	out := make([]int32, 0, len(idx))
	for _, i := range idx {
		if keep(g.grants[i]) {
			out = append(out, i)
		}
	}
	return &Result{g: g, idx: out}
}

// account resolves an account id or name.
func (g *Graph) account(s string) (int32, error) {
	if i, ok := g.acctIdx[s]; ok {
		return i, nil
	}
	for i, a := range g.accounts {
		if a.Name != "" && strings.EqualFold(a.Name, s) {
			return int32(i), nil
		}
	}
	return 0, fmt.Errorf("access: no account %q in the model", s)
}

// WhoCanReach lists every grant into an account (id or name); with
// adminOnly, the admin paths only.
func (g *Graph) WhoCanReach(account string, adminOnly bool) (*Result, error) {
	a, err := g.account(account)
	if err != nil {
		return nil, err
	}
	return g.filter(g.by().account[a], func(x grant) bool { return !adminOnly || g.admin(x) }), nil
}

// user resolves a user id or user name.
func (g *Graph) user(s string) (int32, error) {
	if i, ok := g.userIdx[s]; ok {
		return i, nil
	}
	if u, ok := g.model.UserByName(s); ok {
		if i, ok := g.userIdx[u.ID]; ok {
			return i, nil
		}
	}
	return 0, fmt.Errorf("access: no user %q in the model", s)
}

// WhatCanReach lists every grant a user (id or user name) holds.
func (g *Graph) WhatCanReach(user string) (*Result, error) {
	u, err := g.user(user)
	if err != nil {
		return nil, err
	}
	idx := make([]int32, 0, g.userStart[u+1]-g.userStart[u])
	for i := g.userStart[u]; i < g.userStart[u+1]; i++ {
		idx = append(idx, i)
	}
	return &Result{g: g, idx: idx}, nil
}

// UserInAccount lists a user's grants into one account (id or name);
// with adminOnly, the admin paths only.
func (g *Graph) UserInAccount(user, account string, adminOnly bool) (*Result, error) {
	a, err := g.account(account)
	if err != nil {
		return nil, err
	}
	r, err := g.WhatCanReach(user)
	if err != nil {
		return nil, err
	}
	return g.filter(r.idx, func(x grant) bool { return x.account == a && (!adminOnly || g.admin(x)) }), nil
}

// AdminPathsIntoSensitive lists admin paths into the accounts the
// configuration marks sensitive.
func (g *Graph) AdminPathsIntoSensitive(cfg *config.Config) *Result {
	var idx []int32
	for _, id := range sensitive(cfg) {
		if a, ok := g.acctIdx[id]; ok {
			idx = append(idx, g.by().account[a]...)
		}
	}
	slices.Sort(idx)
	return g.filter(idx, g.admin)
}

func sensitive(cfg *config.Config) []string {
	if cfg == nil {
		return nil
	}
	return cfg.SensitiveAccounts
}

// GroupRisk is a group whose members all hold admin somewhere.
type GroupRisk struct {
	GroupID        string   `json:"group_id"`
	GroupName      string   `json:"group_name,omitempty"`
	Size           int      `json:"size"`
	AdminAccounts  []string `json:"admin_accounts"`
	PermissionSets []string `json:"permission_sets"` // names (ARN when unnamed) of its admin sets
}

// LargeAdminGroups lists groups with an admin assignment and more members
// than cfg.LargeGroupSize, largest first.
func (g *Graph) LargeAdminGroups(cfg *config.Config) []GroupRisk {
	limit := config.DefaultLargeGroupSize
	if cfg != nil && cfg.LargeGroupSize > 0 {
		limit = cfg.LargeGroupSize
	}
	var out []GroupRisk
	for gi, assigned := range g.groupAssign {
		if int(g.groupSize[gi]) <= limit {
			continue
		}
		var accts, sets []string
		for _, ai := range assigned {
			p := g.pairs[ai]
			ps := &g.sets[p.ps]
			if ps.Analysis.Level < policy.LevelAdmin {
				continue
			}
			accts = append(accts, g.accounts[p.account].ID)
			sets = append(sets, cmp.Or(ps.Name, ps.ARN))
		}
		if len(accts) == 0 {
			continue
		}
		slices.Sort(accts)
		slices.Sort(sets)
		grp := g.groups[gi]
		out = append(out, GroupRisk{GroupID: grp.ID, GroupName: grp.DisplayName, Size: int(g.groupSize[gi]),
			AdminAccounts: slices.Compact(accts), PermissionSets: slices.Compact(sets)})
	}
	slices.SortFunc(out, func(a, b GroupRisk) int {
		return cmp.Or(cmp.Compare(b.Size, a.Size), strings.Compare(a.GroupID, b.GroupID))
	})
	return out
}
