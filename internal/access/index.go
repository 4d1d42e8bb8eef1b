package access

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Index is what effective access is computed from, without expanding it:
// a model's users, accounts, permission sets (classified) and groups, its
// assignments indexed by principal and by permission set, and its
// memberships indexed both ways. Drift and containment ask it who is in a
// group, what a group or permission set is assigned and how strong a
// permission set is; Compute expands it into grants. It is read-only once
// built and safe for concurrent use.
type Index struct {
	model    *idc.Model
	users    []*idc.User
	accounts []*idc.Account
	sets     []PermissionSet
	groups   []*idc.Group

	userIdx, acctIdx, psIdx, groupIdx map[string]int32

	// pairs is each model assignment's (account, permission set); -1 when
	// it names none.
	pairs []pair
	// Assignment indexes (into model.Assignments, in model order) per user
	// (direct), per group and per permission set.
	userAssign, groupAssign, psAssign [][]int32
	userGroups                        [][]int32 // groups per user, each once, by group id
	groupMembers                      [][]int32 // users per group, each once, in membership order
	groupSize                         []int32   // membership entries per group
	isAdmin                           []bool    // per permission set, so hot loops avoid the Analysis
	mgmt                              int32     // management account index, -1 if unknown
}

type pair struct{ account, ps int32 }

// NewIndex indexes a model. Principals, accounts and permission sets that
// assignments or memberships name but the model does not hold are kept as
// bare ids (a permission set the model lacks is classified as unknown), so
// nothing an assignment grants is dropped; Model.Validate reports them.
func NewIndex(m *idc.Model) *Index {
	x := &Index{model: m, mgmt: -1}
	x.tables()
	x.pairs = make([]pair, len(m.Assignments))
	x.userAssign = make([][]int32, len(x.users))
	x.groupAssign = make([][]int32, len(x.groups))
	x.psAssign = make([][]int32, len(x.sets))
	for i, a := range m.Assignments {
		acct, ok1 := x.acctIdx[a.AccountID]
		ps, ok2 := x.psIdx[a.PermissionSetARN]
		if !ok1 || !ok2 {
			x.pairs[i] = pair{-1, -1}
			continue // an empty id: nothing to reach
		}
		x.pairs[i] = pair{acct, ps}
		x.psAssign[ps] = append(x.psAssign[ps], int32(i))
		switch a.PrincipalType {
		case "USER":
			if u, ok := x.userIdx[a.PrincipalID]; ok {
				x.userAssign[u] = append(x.userAssign[u], int32(i))
			}
		case "GROUP":
			if gi, ok := x.groupIdx[a.PrincipalID]; ok {
				x.groupAssign[gi] = append(x.groupAssign[gi], int32(i))
			}
		}
	}
	x.userGroups = make([][]int32, len(x.users))
	x.groupMembers = make([][]int32, len(x.groups))
	x.groupSize = make([]int32, len(x.groups))
	seen := make([]int32, len(x.users)) // last group (index+1) each user was added to
	for _, gid := range slices.Sorted(maps.Keys(m.Memberships)) {
		gi, ok := x.groupIdx[gid]
		if !ok {
			continue
		}
		ms := m.Memberships[gid]
		x.groupSize[gi] = int32(len(ms))
		for _, mb := range ms {
			u, ok := x.userIdx[mb.UserID]
			if !ok || seen[u] == gi+1 {
				continue // the same user listed twice
			}
			seen[u] = gi + 1
			x.groupMembers[gi] = append(x.groupMembers[gi], u)
			x.userGroups[u] = append(x.userGroups[u], gi)
		}
	}
	return x
}

// tables numbers users, accounts, permission sets and groups in display
// order (name, then id), so every output is sorted without further work.
func (x *Index) tables() {
	m := x.model
	// Ids the model names without holding the object: looked up first, so
	// the common case (assignments naming known objects) adds nothing to sort.
	userIDs := keys(m.Users)
	groupIDs := keys(m.Groups)
	acctIDs := keys(m.Accounts)
	psARNs := keys(m.PermissionSets)
	for _, a := range m.Assignments {
		acctIDs = addMissing(acctIDs, m.Accounts, a.AccountID)
		psARNs = addMissing(psARNs, m.PermissionSets, a.PermissionSetARN)
		switch a.PrincipalType {
		case "USER":
			userIDs = addMissing(userIDs, m.Users, a.PrincipalID)
		case "GROUP":
			groupIDs = addMissing(groupIDs, m.Groups, a.PrincipalID)
		}
	}
	for gid, ms := range m.Memberships {
		groupIDs = addMissing(groupIDs, m.Groups, gid)
		for _, mb := range ms {
			userIDs = addMissing(userIDs, m.Users, mb.UserID)
		}
	}

	for _, id := range uniq(userIDs) {
		u, ok := m.Users[id]
		if !ok {
			u = &idc.User{ID: id}
		}
		x.users = append(x.users, u)
	}
	slices.SortFunc(x.users, func(a, b *idc.User) int {
		return cmp.Or(strings.Compare(a.UserName, b.UserName), strings.Compare(a.ID, b.ID))
	})
	for _, id := range uniq(groupIDs) {
		g, ok := m.Groups[id]
		if !ok {
			g = &idc.Group{ID: id}
		}
		x.groups = append(x.groups, g)
	}
	slices.SortFunc(x.groups, func(a, b *idc.Group) int {
		return cmp.Or(strings.Compare(a.DisplayName, b.DisplayName), strings.Compare(a.ID, b.ID))
	})
	for _, id := range uniq(acctIDs) {
		a, ok := m.Accounts[id]
		if !ok {
			a = &idc.Account{ID: id}
		}
		x.accounts = append(x.accounts, a)
	}
	slices.SortFunc(x.accounts, func(a, b *idc.Account) int { return strings.Compare(a.ID, b.ID) })
	for _, arn := range uniq(psARNs) {
		ps, ok := m.PermissionSets[arn]
		var an policy.Analysis
		if ok {
			an = idc.Classify(ps)
		} else {
			ps = &idc.PermissionSet{ARN: arn}
			an.Reasons = []string{"permission set not in the model: its policies are unknown"}
		}
		x.sets = append(x.sets, PermissionSet{PermissionSet: ps, Analysis: an})
	}
	slices.SortFunc(x.sets, func(a, b PermissionSet) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ARN, b.ARN))
	})

	x.userIdx = make(map[string]int32, len(x.users))
	for i, u := range x.users {
		x.userIdx[u.ID] = int32(i)
	}
	x.groupIdx = make(map[string]int32, len(x.groups))
	for i, g := range x.groups {
		x.groupIdx[g.ID] = int32(i)
	}
	x.acctIdx = make(map[string]int32, len(x.accounts))
	for i, a := range x.accounts {
		x.acctIdx[a.ID] = int32(i)
		if a.ID == m.ManagementAccountID || a.Management {
			x.mgmt = int32(i)
		}
	}
	x.psIdx = make(map[string]int32, len(x.sets))
	x.isAdmin = make([]bool, len(x.sets))
	for i, ps := range x.sets {
		x.psIdx[ps.ARN] = int32(i)
		x.isAdmin[i] = ps.Analysis.Level >= policy.LevelAdmin
	}
}

// keys sizes the slice once: the model's maps hold up to 100,000 entries.
func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// addMissing appends id to ids when the model map does not hold it.
func addMissing[V any](ids []string, held map[string]V, id string) []string {
	if _, ok := held[id]; ok {
		return ids
	}
	return append(ids, id)
}

func uniq(s []string) []string {
	slices.Sort(s)
	s = slices.Compact(s)
	if len(s) > 0 && s[0] == "" {
		s = s[1:] // an empty id names nothing
	}
	return s
}

// Model returns the model the index was built from.
func (x *Index) Model() *idc.Model { return x.model }

// PermissionSets lists every permission set with its classification.
func (x *Index) PermissionSets() []PermissionSet { return slices.Clone(x.sets) }

// Analysis is what the permission set with that ARN grants. A set the
// model does not hold grants LevelNone, with a reason saying so; an ARN
// nothing names gives the zero Analysis.
func (x *Index) Analysis(psARN string) policy.Analysis {
	if i, ok := x.psIdx[psARN]; ok {
		return x.sets[i].Analysis
	}
	return policy.Analysis{}
}

// Members lists the ids of a group's members, each once, in membership
// order.
func (x *Index) Members(groupID string) []string {
	gi, ok := x.groupIdx[groupID]
	if !ok {
		return nil
	}
	out := make([]string, len(x.groupMembers[gi]))
	for i, u := range x.groupMembers[gi] {
		out[i] = x.users[u].ID
	}
	return out
}

// GroupsOf lists the ids of the groups a user is a member of, sorted.
func (x *Index) GroupsOf(userID string) []string {
	u, ok := x.userIdx[userID]
	if !ok {
		return nil
	}
	out := make([]string, len(x.userGroups[u]))
	for i, gi := range x.userGroups[u] {
		out[i] = x.groups[gi].ID
	}
	return out
}

// IsMember reports whether a user is a member of a group.
func (x *Index) IsMember(groupID, userID string) bool {
	u, ok1 := x.userIdx[userID]
	gi, ok2 := x.groupIdx[groupID]
	return ok1 && ok2 && slices.Contains(x.userGroups[u], gi)
}

// Groups lists the id of every group the model names (held, assigned or
// with members), sorted.
func (x *Index) Groups() []string {
	out := make([]string, len(x.groups))
	for i, g := range x.groups {
		out[i] = g.ID
	}
	slices.Sort(out)
	return out
}

// GroupAssignments lists a group's assignments, in model order.
func (x *Index) GroupAssignments(groupID string) []idc.Assignment {
	gi, ok := x.groupIdx[groupID]
	if !ok {
		return nil
	}
	return x.assignments(x.groupAssign[gi])
}

// PermissionSetAssignments lists the assignments of a permission set (to
// users and groups), in model order.
func (x *Index) PermissionSetAssignments(psARN string) []idc.Assignment {
	p, ok := x.psIdx[psARN]
	if !ok {
		return nil
	}
	return x.assignments(x.psAssign[p])
}

func (x *Index) assignments(idx []int32) []idc.Assignment {
	out := make([]idc.Assignment, len(idx))
	for i, ai := range idx {
		out[i] = x.model.Assignments[ai]
	}
	return out
}
