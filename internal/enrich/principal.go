package enrich

import (
	"encoding/json"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

func (e *Enricher) principalAndGroup(ev *cloudtrail.Event) {
	if pt := ev.String("requestParameters.principalType"); pt != "" {
		pid := ev.String("requestParameters.principalId")
		ev.SetDerived("portcullis.principal.type", pt)
		ev.SetDerived("portcullis.principal.id", pid)
		if pt == "GROUP" {
			name, size := e.groupInfo(pid)
			ev.SetDerived("portcullis.principal.name", name)
			ev.SetDerived("portcullis.principal.group_size", size)
			ev.SetDerived("portcullis.principal.privileged_group", e.isPrivileged(pid, name))
			ev.SetDerived("portcullis.principal.large_group", size >= e.cfg.LargeGroupSize)
		} else if u, ok := e.state.UserByID(pid); ok {
			ev.SetDerived("portcullis.principal.name", u.UserName)
		}
	}

	gid := ev.String("requestParameters.groupId")
	member := firstNonEmpty(ev.String("requestParameters.memberId.userId"), ev.String("requestParameters.member.memberId"))
	if gid == "" && ev.Name == "DeleteGroupMembership" {
		if g, u, ok := membershipByID(e.state, ev.String("requestParameters.membershipId")); ok {
			gid, member = g, u
		}
	}
	if ev.Source == idc.SourceSCIM {
		if gid == "" {
			gid = scimGroupID(ev)
		}
		if ops := scimMemberOps(ev); ops.adds {
			ev.SetDerived("portcullis.scim.adds_members", true)
			if member == "" && len(ops.members) > 0 {
				member = ops.members[0]
			}
			ev.SetDerived("portcullis.scim.members", strings.Join(ops.members, ","))
		}
	}
	if gid == "" && strings.HasSuffix(ev.Name, "Group") {
		gid = firstNonEmpty(ev.String("responseElements.groupId"), ev.String("responseElements.group.groupId"))
	}
	if gid != "" {
		name, size := e.groupInfo(gid)
		if name == "" {
			if n := ev.String("requestParameters.displayName"); known(n) {
				name = n
			}
		}
		ev.SetDerived("portcullis.group.id", gid)
		ev.SetDerived("portcullis.group.name", name)
		ev.SetDerived("portcullis.group.size", size)
		ev.SetDerived("portcullis.group.privileged", e.isPrivileged(gid, name))
	}
	if member != "" {
		ev.SetDerived("portcullis.member.user_id", member)
	}
	// The user a call is about: created user, added member, or named user.
	uid := firstNonEmpty(member, ev.String("responseElements.userId"), ev.String("responseElements.user.userId"),
		ev.String("responseElements.id"), ev.String("requestParameters.userId"))
	if ev.Name == "CreateAccountAssignment" && ev.String("requestParameters.principalType") == "USER" {
		uid = ev.String("requestParameters.principalId")
	}
	if uid != "" {
		ev.SetDerived("portcullis.user.id", uid)
	}
}

func (e *Enricher) groupInfo(id string) (name string, size int) {
	if g, ok := e.state.GroupByID(id); ok {
		name = g.DisplayName
	}
	return name, e.state.GroupSize(id)
}

func (e *Enricher) isPrivileged(id, name string) bool {
	return (id != "" && e.priv[strings.ToLower(id)]) || (name != "" && e.priv[strings.ToLower(name)])
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func (e *Enricher) sessionUse(ev *cloudtrail.Event) {
	var ps, acct string
	switch {
	case ev.Name == "GetRoleCredentials":
		ps = firstNonEmpty(ev.String("serviceEventDetails.role_name"), ev.String("requestParameters.roleName"))
		acct = firstNonEmpty(ev.String("serviceEventDetails.account_id"), ev.String("requestParameters.accountId"))
	case ev.Source == "sts.amazonaws.com" && strings.HasPrefix(ev.Name, "AssumeRoleWith"):
		role := ev.String("requestParameters.roleArn")
		ps = actor.PermissionSetFromRole(role)
		if ps == "" {
			return
		}
		if parts := strings.SplitN(role, ":", 6); len(parts) == 6 {
			acct = parts[4]
		}
	default:
		return
	}
	ev.SetDerived("portcullis.sso_role.permission_set", ps)
	ev.SetDerived("portcullis.sso_role.account", acct)
	ev.SetDerived("portcullis.sso_role.key", strings.ToLower(ps)+"|"+acct)
	ev.SetDerived("portcullis.target.sensitive", e.cfg.IsSensitive(acct))
}

type scimOps struct {
	adds    bool
	members []string
}

// scimMemberOps finds "add members" operations in a SCIM PatchGroup request,
// whatever the exact casing and nesting the record uses.
func scimMemberOps(ev *cloudtrail.Event) scimOps {
	var out scimOps
	rp, _ := ev.Get("requestParameters")
	walk(rp, 0, func(m map[string]any) {
		op := strings.ToLower(cloudtrail.Scalar(getFold(m, "op")))
		if op == "" {
			op = strings.ToLower(cloudtrail.Scalar(getFold(m, "operation")))
		}
		if op != "add" && op != "replace" {
			return
		}
		path := strings.ToLower(cloudtrail.Scalar(getFold(m, "path")))
		val := getFold(m, "value")
		ids := collectValues(val)
		if strings.Contains(path, "member") || (path == "" && len(ids) > 0) {
			out.adds = true
			out.members = append(out.members, ids...)
		}
	})
	return out
}

func scimGroupID(ev *cloudtrail.Event) string {
	for _, k := range []string{"requestParameters.id", "requestParameters.groupID", "requestParameters.group_id"} {
		if v := ev.String(k); v != "" {
			return v
		}
	}
	return ""
}

func collectValues(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, it := range x {
			out = append(out, collectValues(it)...)
		}
	case map[string]any:
		if s := cloudtrail.Scalar(getFold(x, "value")); s != "" {
			out = append(out, s)
		}
		if ms, ok := getFold(x, "members").([]any); ok {
			out = append(out, collectValues(ms)...)
		}
	}
	return out
}

func getFold(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// walk visits every object under v, depth-limited: records are hostile.
func walk(v any, depth int, fn func(map[string]any)) {
	if depth > 12 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, c := range x {
			walk(c, depth+1, fn)
		}
	case []any:
		for _, c := range x {
			walk(c, depth+1, fn)
		}
	case string:
		// SCIM bodies may arrive as JSON text inside the record.
		if depth < 4 && len(x) > 1 && (x[0] == '{' || x[0] == '[') {
			var inner any
			if json.Unmarshal([]byte(x), &inner) == nil {
				walk(inner, depth+1, fn)
			}
		}
	}
}

// membershipByID finds a membership by id. DeleteGroupMembership names only
// the membership; the scan is fine for a rare event.
func membershipByID(m *idc.Model, id string) (group, user string, ok bool) {
	if id == "" {
		return "", "", false
	}
	for g, ms := range m.Memberships {
		for _, mb := range ms {
			if mb.MembershipID == id {
				return g, mb.UserID, true
			}
		}
	}
	return "", "", false
}
