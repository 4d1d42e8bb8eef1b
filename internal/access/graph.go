// Package access computes effective access: every (user, account,
// permission set) an Identity Center model grants, with the path (a direct
// assignment or a group), and how strong the permission set is. It answers
// the questions responders and auditors ask of it (who reaches this
// account, what does this user reach, what is the blast radius of that
// group) and writes the answers as a table, JSON, CSV or Graphviz DOT.
package access

import (
	"cmp"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Schema versions the JSON output.
const Schema = "portcullis.access/v1"

// Via values: how a user holds a grant.
const (
	ViaDirect = "direct"
	ViaGroup  = "group"
)

// grant is one path, as indexes into the Graph's tables. Kept small: a
// large organization has millions.
type grant struct {
	user, account, ps, group int32 // group is -1 for a direct assignment
}

// PermissionSet is a permission set with its classification.
type PermissionSet struct {
	*idc.PermissionSet
	Analysis policy.Analysis
}

// Graph is the effective access of one model, with indexes that make each
// question a walk over its own grants only. It is read-only once built and
// safe for concurrent use.
type Graph struct {
	model    *idc.Model
	users    []*idc.User
	accounts []*idc.Account
	sets     []PermissionSet
	groups   []*idc.Group

	userIdx, acctIdx, psIdx, groupIdx map[string]int32

	grants    []grant   // sorted by user, account, permission set, group
	userStart []int32   // grants of user u are grants[userStart[u]:userStart[u+1]]
	byAccount [][]int32 // grant indexes per account
	byGroup   [][]int32 // grant indexes held through each group
	byPS      [][]int32 // grant indexes per permission set
	// groupAssign lists each group's (account, permission set) pairs.
	groupAssign [][]pair
	groupSize   []int32
	isAdmin     []bool // per permission set, so hot loops avoid the Analysis
	mgmt        int32  // management account index, -1 if unknown
}

type pair struct{ account, ps int32 }

// Compute builds the graph. Group assignments expand to the group's
// members. Principals, accounts and permission sets that assignments or
// memberships name but the model does not hold are kept as bare ids, so
// nothing an assignment grants is dropped; Model.Validate reports them.
func Compute(m *idc.Model) *Graph {
	g := &Graph{model: m, mgmt: -1}
	g.tables()

	userAssign := make([][]pair, len(g.users))
	g.groupAssign = make([][]pair, len(g.groups))
	for _, a := range m.Assignments {
		acct, ok1 := g.acctIdx[a.AccountID]
		ps, ok2 := g.psIdx[a.PermissionSetARN]
		if !ok1 || !ok2 {
			continue // an empty id: nothing to reach
		}
		p := pair{acct, ps}
		switch a.PrincipalType {
		case "USER":
			if u, ok := g.userIdx[a.PrincipalID]; ok {
				userAssign[u] = append(userAssign[u], p)
			}
		case "GROUP":
			if gi, ok := g.groupIdx[a.PrincipalID]; ok {
				g.groupAssign[gi] = append(g.groupAssign[gi], p)
			}
		}
	}
	userGroups := make([][]int32, len(g.users))
	g.groupSize = make([]int32, len(g.groups))
	for gid, ms := range m.Memberships {
		gi, ok := g.groupIdx[gid]
		if !ok {
			continue
		}
		g.groupSize[gi] = int32(len(ms))
		for _, mb := range ms {
			if u, ok := g.userIdx[mb.UserID]; ok {
				userGroups[u] = append(userGroups[u], gi)
			}
		}
	}

	// Size everything first: a large organization has millions of grants,
	// and growing slices by appending would copy them again and again.
	total := 0
	for u := range g.users {
		total += len(userAssign[u])
		for _, gi := range userGroups[u] {
			total += len(g.groupAssign[gi])
		}
	}
	g.grants = make([]grant, 0, total)
	g.userStart = make([]int32, len(g.users)+1)
	var buf []grant
	for u := range g.users {
		buf = buf[:0]
		for _, p := range userAssign[u] {
			buf = append(buf, grant{int32(u), p.account, p.ps, -1})
		}
		for _, gi := range userGroups[u] {
			for _, p := range g.groupAssign[gi] {
				buf = append(buf, grant{int32(u), p.account, p.ps, gi})
			}
		}
		slices.SortFunc(buf, func(a, b grant) int {
			if a.account != b.account {
				return int(a.account - b.account)
			}
			if a.ps != b.ps {
				return int(a.ps - b.ps)
			}
			return int(a.group - b.group)
		})
		buf = slices.Compact(buf) // the same group listed twice in a membership
		g.userStart[u] = int32(len(g.grants))
		g.grants = append(g.grants, buf...)
	}
	g.userStart[len(g.users)] = int32(len(g.grants))

	g.byAccount = invert(g.grants, len(g.accounts), func(x grant) int32 { return x.account })
	g.byPS = invert(g.grants, len(g.sets), func(x grant) int32 { return x.ps })
	g.byGroup = invert(g.grants, len(g.groups), func(x grant) int32 { return x.group })
	return g
}

// invert lists grant indexes per key (in grant order) in one backing
// array: a count pass, then a fill pass. Keys below 0 are skipped.
func invert(grants []grant, n int, key func(grant) int32) [][]int32 {
	count := make([]int32, n)
	total := 0
	for _, x := range grants {
		if k := key(x); k >= 0 {
			count[k]++
			total++
		}
	}
	flat := make([]int32, total)
	out := make([][]int32, n)
	off := int32(0)
	for k, c := range count {
		out[k] = flat[off : off : off+c]
		off += c
	}
	for i, x := range grants {
		if k := key(x); k >= 0 {
			out[k] = append(out[k], int32(i))
		}
	}
	return out
}

// tables numbers users, accounts, permission sets and groups in display
// order (name, then id), so every output is sorted without further work.
func (g *Graph) tables() {
	m := g.model
	userIDs := keys(m.Users)
	groupIDs := keys(m.Groups)
	acctIDs := keys(m.Accounts)
	psARNs := keys(m.PermissionSets)
	for _, a := range m.Assignments {
		acctIDs = append(acctIDs, a.AccountID)
		psARNs = append(psARNs, a.PermissionSetARN)
		switch a.PrincipalType {
		case "USER":
			userIDs = append(userIDs, a.PrincipalID)
		case "GROUP":
			groupIDs = append(groupIDs, a.PrincipalID)
		}
	}
	for gid, ms := range m.Memberships {
		groupIDs = append(groupIDs, gid)
		for _, mb := range ms {
			userIDs = append(userIDs, mb.UserID)
		}
	}

	for _, id := range uniq(userIDs) {
		u, ok := m.Users[id]
		if !ok {
			u = &idc.User{ID: id}
		}
		g.users = append(g.users, u)
	}
	slices.SortFunc(g.users, func(a, b *idc.User) int {
		return cmp.Or(strings.Compare(a.UserName, b.UserName), strings.Compare(a.ID, b.ID))
	})
	for _, id := range uniq(groupIDs) {
		x, ok := m.Groups[id]
		if !ok {
			x = &idc.Group{ID: id}
		}
		g.groups = append(g.groups, x)
	}
	slices.SortFunc(g.groups, func(a, b *idc.Group) int {
		return cmp.Or(strings.Compare(a.DisplayName, b.DisplayName), strings.Compare(a.ID, b.ID))
	})
	for _, id := range uniq(acctIDs) {
		a, ok := m.Accounts[id]
		if !ok {
			a = &idc.Account{ID: id}
		}
		g.accounts = append(g.accounts, a)
	}
	slices.SortFunc(g.accounts, func(a, b *idc.Account) int { return strings.Compare(a.ID, b.ID) })
	for _, arn := range uniq(psARNs) {
		ps, ok := m.PermissionSets[arn]
		var an policy.Analysis
		if ok {
			an = idc.Classify(ps)
		} else {
			ps = &idc.PermissionSet{ARN: arn}
			an.Reasons = []string{"permission set not in the model: its policies are unknown"}
		}
		g.sets = append(g.sets, PermissionSet{PermissionSet: ps, Analysis: an})
	}
	slices.SortFunc(g.sets, func(a, b PermissionSet) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ARN, b.ARN))
	})

	g.userIdx = make(map[string]int32, len(g.users))
	for i, u := range g.users {
		g.userIdx[u.ID] = int32(i)
	}
	g.groupIdx = make(map[string]int32, len(g.groups))
	for i, x := range g.groups {
		g.groupIdx[x.ID] = int32(i)
	}
	g.acctIdx = make(map[string]int32, len(g.accounts))
	for i, a := range g.accounts {
		g.acctIdx[a.ID] = int32(i)
		if a.ID == m.ManagementAccountID || a.Management {
			g.mgmt = int32(i)
		}
	}
	g.psIdx = make(map[string]int32, len(g.sets))
	g.isAdmin = make([]bool, len(g.sets))
	for i, ps := range g.sets {
		g.psIdx[ps.ARN] = int32(i)
		g.isAdmin[i] = ps.Analysis.Level >= policy.LevelAdmin
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func uniq(s []string) []string {
	slices.Sort(s)
	s = slices.Compact(s)
	if len(s) > 0 && s[0] == "" {
		s = s[1:] // an empty id names nothing
	}
	return s
}

// Model returns the model the graph was computed from.
func (g *Graph) Model() *idc.Model { return g.model }

// PermissionSets lists every permission set with its classification.
func (g *Graph) PermissionSets() []PermissionSet { return slices.Clone(g.sets) }

// Len is the number of grants (user, account, permission set, path).
func (g *Graph) Len() int { return len(g.grants) }

// All is every grant, sorted by user, account, permission set and path.
func (g *Graph) All() *Result { return &Result{g: g, all: true} }
