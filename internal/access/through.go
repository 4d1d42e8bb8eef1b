package access

import "fmt"

// Through lists the grants whose path goes through one node: a user's
// grants, the grants held through a group, every grant of a permission set,
// or every grant into an account (id or name, as BlastRadius takes them).
// The web view draws the graph around a node from it; unlike BlastRadius
// it never widens an account to what its administrators control.
func (g *Graph) Through(kind, id string) (*Result, error) {
	switch kind {
	case KindUser:
		return g.WhatCanReach(id)
	case KindGroup:
		gi, err := g.group(id)
		if err != nil {
			return nil, err
		}
		return &Result{g: g, idx: g.by().group[gi]}, nil
	case KindPermissionSet:
		p, err := g.permissionSet(id)
		if err != nil {
			return nil, err
		}
		return &Result{g: g, idx: g.by().ps[p]}, nil
	case KindAccount:
		return g.WhoCanReach(id, false)
	}
	return nil, fmt.Errorf("access: grants through %q: want user, group, permission-set or account", kind)
}
