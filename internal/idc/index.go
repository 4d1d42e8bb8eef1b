package idc

import (
	"maps"
	"slices"
	"strings"
)

// index holds the O(1) lookups the rule engine uses for enrichment. Names
// are indexed exactly and case-folded (Identity Center compares user and
// group names case-insensitively).
type index struct {
	psByName    map[string]*PermissionSet
	psByFold    map[string]*PermissionSet
	groupByName map[string]*Group
	groupByFold map[string]*Group
	userByName  map[string]*User
	userByFold  map[string]*User
	// membershipID -> (group, user), for DeleteGroupMembership.
	membership map[string]memberRef
	// assignment keys present, for idempotent Create/DeleteAccountAssignment.
	assignment map[string]int
	// policyRefs: customer managed policy (path, folded name) -> ARNs of
	// permission sets referencing it, as a policy or a boundary (policyref.go).
	policyRefs map[string][]string
}

type memberRef struct{ group, user string }

// Index (re)builds the lookup indexes. Apply keeps them current; call
// Index after changing the exported maps or slices directly (collectors do,
// once, when they finish). Lookups build the index under the model's lock
// when it is missing (a model from Read or Load, or filled by hand), so the
// first lookup pays for it and concurrent lookups are safe.
func (m *Model) Index() {
	m.mu.Lock()
	m.idx = m.buildIndex()
	m.mu.Unlock()
}

func (m *Model) index() *index {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.idx == nil {
		m.idx = m.buildIndex()
	}
	return m.idx
}

func (m *Model) buildIndex() *index {
	ix := &index{
		psByName:    make(map[string]*PermissionSet, len(m.PermissionSets)),
		psByFold:    make(map[string]*PermissionSet, len(m.PermissionSets)),
		groupByName: make(map[string]*Group, len(m.Groups)),
		groupByFold: make(map[string]*Group, len(m.Groups)),
		userByName:  make(map[string]*User, len(m.Users)),
		userByFold:  make(map[string]*User, len(m.Users)),
		membership:  map[string]memberRef{},
		assignment:  make(map[string]int, len(m.Assignments)),
		policyRefs:  map[string][]string{},
	}
	// Visit in key order so that duplicate names resolve the same way on
	// every run.
	for _, k := range slices.Sorted(maps.Keys(m.PermissionSets)) {
		ix.addPS(m.PermissionSets[k])
		ix.addPolicyRefs(m.PermissionSets[k])
	}
	for _, k := range slices.Sorted(maps.Keys(m.Groups)) {
		ix.addGroup(m.Groups[k])
	}
	for _, k := range slices.Sorted(maps.Keys(m.Users)) {
		ix.addUser(m.Users[k])
	}
	for g, ms := range m.Memberships {
		for _, mb := range ms {
			if mb.MembershipID != "" {
				ix.membership[mb.MembershipID] = memberRef{g, mb.UserID}
			}
		}
	}
	for i, a := range m.Assignments {
		ix.assignment[a.Key()] = i
	}
	return ix
}

func putFirst[V any](m map[string]V, k string, v V) {
	if k == "" {
		return
	}
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

func (ix *index) addPS(ps *PermissionSet) {
	putFirst(ix.psByName, ps.Name, ps)
	putFirst(ix.psByFold, strings.ToLower(ps.Name), ps)
}

func (ix *index) dropPS(ps *PermissionSet) {
	dropIf(ix.psByName, ps.Name, ps)
	dropIf(ix.psByFold, strings.ToLower(ps.Name), ps)
}

func (ix *index) addGroup(g *Group) {
	putFirst(ix.groupByName, g.DisplayName, g)
	putFirst(ix.groupByFold, strings.ToLower(g.DisplayName), g)
}

func (ix *index) dropGroup(g *Group) {
	dropIf(ix.groupByName, g.DisplayName, g)
	dropIf(ix.groupByFold, strings.ToLower(g.DisplayName), g)
}

func (ix *index) addUser(u *User) {
	putFirst(ix.userByName, u.UserName, u)
	putFirst(ix.userByFold, strings.ToLower(u.UserName), u)
}

func (ix *index) dropUser(u *User) {
	dropIf(ix.userByName, u.UserName, u)
	dropIf(ix.userByFold, strings.ToLower(u.UserName), u)
}

func dropIf[V comparable](m map[string]V, k string, v V) {
	if cur, ok := m[k]; ok && cur == v {
		delete(m, k)
	}
}

// PermissionSetByARN returns the permission set with that ARN.
func (m *Model) PermissionSetByARN(arn string) (*PermissionSet, bool) {
	ps, ok := m.PermissionSets[arn]
	return ps, ok
}

// PermissionSetByName returns the permission set with that name (exact,
// then case-insensitive). It also accepts the name of the role a permission
// set becomes in member accounts (AWSReservedSSO_<Name>_<hex>) or that
// role's ARN, so an AssumedRole actor resolves to its permission set.
func (m *Model) PermissionSetByName(name string) (*PermissionSet, bool) {
	ix := m.index()
	if ps, ok := ix.psByName[name]; ok {
		return ps, true
	}
	if ps, ok := ix.psByFold[strings.ToLower(name)]; ok {
		return ps, true
	}
	if n, ok := PermissionSetNameFromRole(name); ok {
		if ps, ok := ix.psByName[n]; ok {
			return ps, true
		}
	}
	return nil, false
}

// PermissionSetNameFromRole extracts <Name> from a role name or ARN of the
// form AWSReservedSSO_<Name>_<16 hex> (also inside an assumed-role ARN).
// Names may themselves contain underscores, so the hex suffix is cut at the
// last underscore.
func PermissionSetNameFromRole(s string) (string, bool) {
	const prefix = "AWSReservedSSO_"
	i := strings.Index(s, prefix)
	if i < 0 {
		return "", false
	}
	s = s[i+len(prefix):]
	if j := strings.IndexByte(s, '/'); j >= 0 { // assumed-role/.../session
		s = s[:j]
	}
	j := strings.LastIndexByte(s, '_')
	if j <= 0 || !isHex(s[j+1:]) {
		return "", false
	}
	return s[:j], true
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// GroupByID returns the group with that id.
func (m *Model) GroupByID(id string) (*Group, bool) {
	g, ok := m.Groups[id]
	return g, ok
}

// GroupByName returns the group with that display name (exact, then
// case-insensitive).
func (m *Model) GroupByName(name string) (*Group, bool) {
	ix := m.index()
	if g, ok := ix.groupByName[name]; ok {
		return g, true
	}
	g, ok := ix.groupByFold[strings.ToLower(name)]
	return g, ok
}

// GroupSize is the number of members of a group (0 if unknown).
func (m *Model) GroupSize(id string) int {
	return len(m.Memberships[id])
}

// UserByID returns the user with that id.
func (m *Model) UserByID(id string) (*User, bool) {
	u, ok := m.Users[id]
	return u, ok
}

// UserByName returns the user with that user name (exact, then
// case-insensitive).
func (m *Model) UserByName(name string) (*User, bool) {
	ix := m.index()
	if u, ok := ix.userByName[name]; ok {
		return u, true
	}
	u, ok := ix.userByFold[strings.ToLower(name)]
	return u, ok
}

// Learn records a permission set or group name that a read call revealed,
// keeping the indexes current (no rebuild). Known objects with a name are
// left alone; it reports whether anything changed.
func (m *Model) Learn(ps *PermissionSet, g *Group) bool {
	ix := m.index()
	changed := false
	if ps != nil && ps.ARN != "" && ps.Name != "" {
		if cur, ok := m.PermissionSets[ps.ARN]; !ok {
			m.PermissionSets[ps.ARN] = ps
			ix.addPS(ps)
			changed = true
		} else if cur.Name == "" {
			cur.Name = ps.Name
			ix.addPS(cur)
			changed = true
		}
		if changed {
			m.touch(FactPermissionSet, ps.ARN)
		}
	}
	if g != nil && g.ID != "" && g.DisplayName != "" {
		if cur, ok := m.Groups[g.ID]; !ok {
			m.Groups[g.ID] = g
			ix.addGroup(g)
			m.touch(FactGroup, g.ID)
			changed = true
		} else if cur.DisplayName == "" {
			cur.DisplayName = g.DisplayName
			ix.addGroup(cur)
			m.touch(FactGroup, g.ID)
			changed = true
		}
	}
	return changed
}
