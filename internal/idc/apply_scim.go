package idc

import (
	"fmt"
	"regexp"
	"strings"
)

// memberFilter matches a SCIM path that names one member:
// members[value eq "<user id>"].
var memberFilter = regexp.MustCompile(`^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$`)

// patchGroup applies a SCIM PatchGroup (RFC 7644 PatchOp): members added or
// removed, and a display name replaced. CloudTrail logs the SCIM body under
// requestParameters.httpBody; the group id is the request's path
// parameter. Both are looked up under the spellings seen so far.
func (a *applier) patchGroup() (bool, error) {
	gid, err := a.first("requestParameters.groupId", "requestParameters.id")
	if err != nil {
		return false, err
	}
	opsPath := ""
	for _, p := range []string{"requestParameters.httpBody.Operations", "requestParameters.httpBody.operations", "requestParameters.Operations", "requestParameters.operations"} {
		if a.present(p) {
			opsPath = p
			break
		}
	}
	if opsPath == "" {
		return false, a.fail("requestParameters.httpBody.Operations", "missing")
	}
	v, _ := a.ev.Get(opsPath)
	ops, ok := v.([]any)
	if !ok {
		return false, a.fail(opsPath, "want a list, got %T", v)
	}
	changed := false
	for i, o := range ops {
		field := fmt.Sprintf("%s.%d", opsPath, i)
		op, ok := o.(map[string]any)
		if !ok {
			return false, a.fail(field, "want an object, got %T", o)
		}
		name, _ := op["op"].(string)
		path, _ := op["path"].(string)
		c, err := a.patchOp(gid, strings.ToLower(name), strings.TrimSpace(path), op["value"], field)
		if err != nil {
			return false, err
		}
		changed = changed || c
	}
	return changed, nil
}

func (a *applier) patchOp(gid, op, path string, value any, field string) (bool, error) {
	if m := memberFilter.FindStringSubmatch(path); m != nil {
		if op != "remove" {
			return false, a.fail(field+".op", "%q on a member filter", op)
		}
		return a.m.removeMember(gid, m[1]), nil
	}
	switch strings.ToLower(path) {
	case "members":
		ids, err := a.memberValues(value, field+".value")
		if err != nil {
			return false, err
		}
		changed := false
		switch op {
		case "add":
			for _, u := range ids {
				changed = a.m.addMember(gid, u, "", a.src) || changed
			}
		case "remove":
			if value == nil { // no value: every member goes
				for _, mb := range append([]Membership(nil), a.m.Memberships[gid]...) {
					changed = a.m.removeMember(gid, mb.UserID) || changed
				}
			}
			for _, u := range ids {
				changed = a.m.removeMember(gid, u) || changed
			}
		case "replace":
			keep := map[string]bool{}
			for _, u := range ids {
				keep[u] = true
				changed = a.m.addMember(gid, u, "", a.src) || changed
			}
			for _, mb := range append([]Membership(nil), a.m.Memberships[gid]...) {
				if !keep[mb.UserID] {
					changed = a.m.removeMember(gid, mb.UserID) || changed
				}
			}
		default:
			return false, a.fail(field+".op", "unknown op %q", op)
		}
		return changed, nil
	case "displayname":
		s, _ := value.(string)
		return a.renameGroup(gid, s), nil
	case "externalid":
		return false, nil
	case "":
		// A replace without a path carries attributes in value.
		obj, ok := value.(map[string]any)
		if !ok {
			return false, a.fail(field+".value", "want an object, got %T", value)
		}
		changed := false
		if s, ok := obj["displayName"].(string); ok {
			changed = a.renameGroup(gid, s)
		}
		if mv, ok := obj["members"]; ok {
			c, err := a.patchOp(gid, op, "members", mv, field+".value.members")
			if err != nil {
				return false, err
			}
			changed = changed || c
		}
		return changed, nil
	}
	return false, nil
}

// memberValues reads [{"value": "<user id>"}, …].
func (a *applier) memberValues(v any, field string) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, a.fail(field, "want a list of {value}, got %T", v)
	}
	ids := make([]string, 0, len(list))
	for i, x := range list {
		obj, ok := x.(map[string]any)
		if !ok {
			return nil, a.fail(fmt.Sprintf("%s.%d", field, i), "want {value}, got %T", x)
		}
		s, _ := obj["value"].(string)
		if s == "" {
			return nil, a.fail(fmt.Sprintf("%s.%d.value", field, i), "missing")
		}
		ids = append(ids, s)
	}
	return ids, nil
}

func (a *applier) renameGroup(gid, name string) bool {
	if !known(name) {
		return false
	}
	ix := a.m.index()
	g, ok := a.m.Groups[gid]
	if !ok {
		g = &Group{ID: gid}
		a.m.Groups[gid] = g
		a.m.touch(FactGroup, gid)
	}
	if g.DisplayName == name {
		return false
	}
	ix.dropGroup(g)
	g.DisplayName = name
	g.Source = a.src
	ix.addGroup(g)
	a.m.touch(FactGroup, gid)
	return true
}
