// Package access computes effective access: every (user, account,
// permission set) an Identity Center model grants, with the path (a direct
// assignment or a group), and how strong the permission set is. It answers
// the questions responders and auditors ask of it (who reaches this
// account, what does this user reach, what is the blast radius of that
// group) and writes the answers as a table, JSON, CSV or Graphviz DOT.
//
// It is the one place group memberships are expanded: drift, posture and
// containment ask an Index (memberships and assignments, indexed) or a
// Graph (the grants) instead of walking the model themselves.
package access

import (
	"slices"
	"sync"

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

// grant is one path, as indexes into the Index's tables. Kept small: a
// large organization has millions.
type grant struct {
	user, account, ps, group int32 // group is -1 for a direct assignment
}

// PermissionSet is a permission set with its classification.
type PermissionSet struct {
	*idc.PermissionSet
	Analysis policy.Analysis
}

// Graph is the effective access of one model: its Index expanded into
// grants, with indexes that make each question a walk over its own grants
// only. It is read-only once built and safe for concurrent use.
type Graph struct {
	*Index

	grants    []grant // sorted by user, account, permission set, group
	userStart []int32 // grants of user u are grants[userStart[u]:userStart[u+1]]
	// by indexes grants by account, group and permission set, on the first
	// question that needs it: listing every grant does not.
	by func() *byKey
}

// byKey lists grant indexes, in grant order, per account, per group (the
// grants held through it) and per permission set.
type byKey struct {
	account, group, ps [][]int32
}

// Compute builds the graph: every direct assignment, and every group
// assignment expanded to the group's members (see NewIndex for what the
// model does not hold).
func Compute(m *idc.Model) *Graph {
	return NewIndex(m).Expand()
}

// Expand computes the grants of an index.
func (x *Index) Expand() *Graph {
	g := &Graph{Index: x}
	// Size everything first: a large organization has millions of grants,
	// and growing slices by appending would copy them again and again.
	total := 0
	for u := range x.users {
		total += len(x.userAssign[u])
		for _, gi := range x.userGroups[u] {
			total += len(x.groupAssign[gi])
		}
	}
	g.grants = make([]grant, 0, total)
	g.userStart = make([]int32, len(x.users)+1)
	var buf []grant
	for u := range x.users {
		buf = buf[:0]
		for _, ai := range x.userAssign[u] {
			p := x.pairs[ai]
			buf = append(buf, grant{int32(u), p.account, p.ps, -1})
		}
		for _, gi := range x.userGroups[u] {
			for _, ai := range x.groupAssign[gi] {
				p := x.pairs[ai]
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
		buf = slices.Compact(buf) // the same assignment listed twice
		g.userStart[u] = int32(len(g.grants))
		g.grants = append(g.grants, buf...)
	}
	g.userStart[len(x.users)] = int32(len(g.grants))

	g.by = sync.OnceValue(func() *byKey {
		return &byKey{
			account: invert(g.grants, len(x.accounts), func(v grant) int32 { return v.account }),
			group:   invert(g.grants, len(x.groups), func(v grant) int32 { return v.group }),
			ps:      invert(g.grants, len(x.sets), func(v grant) int32 { return v.ps }),
		}
	})
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

// Len is the number of grants (user, account, permission set, path).
func (g *Graph) Len() int { return len(g.grants) }

// All is every grant, sorted by user, account, permission set and path.
func (g *Graph) All() *Result { return &Result{g: g, all: true} }

// UserGrants lists the grants of the user with exactly that id, sorted by
// account, permission set and path (direct first).
func (g *Graph) UserGrants(userID string) []Access {
	u, ok := g.userIdx[userID]
	if !ok {
		return nil
	}
	out := make([]Access, 0, g.userStart[u+1]-g.userStart[u])
	for i := g.userStart[u]; i < g.userStart[u+1]; i++ {
		out = append(out, g.resolve(g.grants[i]))
	}
	return out
}
