package serve

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/access"
	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Graph size bounds: a view never holds the whole organization.
const (
	defaultMaxNodes = 80
	maxMaxNodes     = 400
	maxPaths        = 200
)

// GraphNode is a user, group, permission set or account in the view.
type GraphNode struct {
	ID         string `json:"id"` // kind + ":" + Ref, unique in the view
	Kind       string `json:"kind"`
	Ref        string `json:"ref"` // the object's own id (user id, group id, ARN, account id)
	Label      string `json:"label"`
	Level      string `json:"level,omitempty"`      // permission sets: admin, privileged, privesc, none
	Admin      bool   `json:"admin,omitempty"`      // on an admin path (a permission set: grants admin)
	Sensitive  bool   `json:"sensitive,omitempty"`  // account listed in sensitive_accounts
	Management bool   `json:"management,omitempty"` // the organization's management account
	Privileged bool   `json:"privileged,omitempty"` // group listed in privileged_groups
	// IdentityAdmin: a user the config's admins list allows (by user name or id).
	IdentityAdmin bool `json:"identity_admin,omitempty"`
	Center        bool `json:"center,omitempty"`
}

// GraphEdge links two nodes: member (user → group), assigned (principal
// → permission set) or grants (permission set → account).
type GraphEdge struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Target string `json:"target"`
	Kind   string `json:"kind"`
	Admin  bool   `json:"admin,omitempty"`
}

// GraphView is the bounded neighbourhood of one node.
type GraphView struct {
	Center      NodeRef         `json:"center"`
	Nodes       []GraphNode     `json:"nodes"`
	Edges       []GraphEdge     `json:"edges"`
	Grants      int             `json:"grants"`       // grants whose path goes through the center
	GrantsShown int             `json:"grants_shown"` // of those, drawn
	MaxNodes    int             `json:"max_nodes"`
	Omitted     map[string]int  `json:"omitted"` // nodes per kind left out
	Note        string          `json:"note,omitempty"`
	Paths       []access.Access `json:"paths"` // the drawn grants, admin first (at most 200)
}

type viewBuilder struct {
	v      *GraphView
	m      *idc.Model
	cfg    *config.Config
	admins *actor.Allowlist
	now    time.Time
	max    int
	nodes  map[string]int // node id -> index in v.Nodes
	edges  map[string]int
	all    map[string]map[string]bool // kind -> every ref met, drawn or not
}

// buildGraph draws the grants through one node, admin paths first, until
// maxNodes nodes are drawn; what does not fit is counted in Omitted. A
// user's groups and a group's members are drawn even without grants.
func buildGraph(g *access.Graph, cfg *config.Config, now time.Time, kind, id string, maxNodes int) (*GraphView, error) {
	m := g.Model()
	center, ok := resolveNode(m, g, kind, id)
	if !ok {
		return nil, fmt.Errorf("no %s %q in the snapshot", kind, id)
	}
	res, err := g.Through(kind, center.ID)
	if err != nil {
		return nil, err
	}
	b := &viewBuilder{
		v: &GraphView{Center: center, Nodes: []GraphNode{}, Edges: []GraphEdge{}, Grants: res.Len(), MaxNodes: maxNodes,
			Omitted: map[string]int{}, Paths: []access.Access{}},
		m: m, cfg: cfg, admins: actor.NewAllowlist(cfg.Admins), now: now, max: maxNodes, nodes: map[string]int{}, edges: map[string]int{}, all: map[string]map[string]bool{},
	}
	level := ""
	if kind == access.KindPermissionSet {
		for _, ps := range g.PermissionSets() {
			if ps.ARN == center.ID {
				level = ps.Analysis.Level.String()
			}
		}
	}
	b.node(kind, center.ID, center.Name, level, true)
	for _, adminPass := range []bool{true, false} {
		for i := range res.Len() {
			if a := res.At(i); a.Admin() == adminPass {
				b.grant(a)
			}
		}
	}
	b.memberships(kind, center.ID)
	for k, refs := range b.all {
		for ref := range refs {
			if _, drawn := b.nodes[k+":"+ref]; !drawn {
				b.v.Omitted[k]++
			}
		}
	}
	b.v.Note = omittedNote(b.v)
	return b.v, nil
}

// grant draws one path if its new nodes fit.
func (b *viewBuilder) grant(a access.Access) {
	type part struct{ kind, ref, label, level string }
	parts := []part{{access.KindUser, a.UserID, a.UserName, ""}}
	if a.Via == access.ViaGroup {
		parts = append(parts, part{access.KindGroup, a.GroupID, a.GroupName, ""})
	}
	parts = append(parts, part{access.KindPermissionSet, a.PermissionSetARN, a.PermissionSetName, a.Level.String()},
		part{access.KindAccount, a.AccountID, a.AccountName, ""})
	fresh := 0
	for _, p := range parts {
		b.seen(p.kind, p.ref)
		if _, ok := b.nodes[p.kind+":"+p.ref]; !ok {
			fresh++
		}
	}
	if len(b.v.Nodes)+fresh > b.max {
		return
	}
	ids := make([]string, len(parts))
	for i, p := range parts {
		ids[i] = b.node(p.kind, p.ref, p.label, p.level, false)
		if a.Admin() {
			b.v.Nodes[b.nodes[ids[i]]].Admin = true
		}
	}
	for i := 1; i < len(ids); i++ {
		kind := "assigned"
		switch {
		case parts[i].kind == access.KindGroup:
			kind = "member"
		case parts[i].kind == access.KindAccount:
			kind = "grants"
		}
		b.edge(ids[i-1], ids[i], kind, a.Admin())
	}
	b.v.GrantsShown++
	if len(b.v.Paths) < maxPaths {
		b.v.Paths = append(b.v.Paths, a)
	}
}

// memberships adds a user's groups or a group's members, as room allows.
func (b *viewBuilder) memberships(kind, id string) {
	if kind != access.KindUser && kind != access.KindGroup {
		return
	}
	gids := make([]string, 0, len(b.m.Memberships))
	for gid := range b.m.Memberships {
		gids = append(gids, gid)
	}
	slices.Sort(gids)
	for _, gid := range gids {
		for _, mb := range b.m.Memberships[gid] {
			if (kind == access.KindUser && mb.UserID != id) || (kind == access.KindGroup && gid != id) {
				continue
			}
			b.seen(access.KindUser, mb.UserID)
			b.seen(access.KindGroup, gid)
			un, gn := access.KindUser+":"+mb.UserID, access.KindGroup+":"+gid
			_, hasU := b.nodes[un]
			_, hasG := b.nodes[gn]
			if (!hasU || !hasG) && len(b.v.Nodes) >= b.max {
				continue
			}
			u := b.node(access.KindUser, mb.UserID, userName(b.m, mb.UserID), "", false)
			g := b.node(access.KindGroup, gid, groupName(b.m, gid), "", false)
			b.edge(u, g, "member", false)
		}
	}
}

func (b *viewBuilder) seen(kind, ref string) {
	if b.all[kind] == nil {
		b.all[kind] = map[string]bool{}
	}
	b.all[kind][ref] = true
}

// node adds a node once and returns its id.
func (b *viewBuilder) node(kind, ref, label, level string, center bool) string {
	id := kind + ":" + ref
	b.seen(kind, ref)
	if _, ok := b.nodes[id]; ok {
		return id
	}
	n := GraphNode{ID: id, Kind: kind, Ref: ref, Label: label, Level: level, Center: center}
	if n.Label == "" {
		n.Label = ref
	}
	switch kind {
	case access.KindAccount:
		n.Sensitive = slices.Contains(b.cfg.SensitiveAccounts, ref)
		if a, ok := b.m.Accounts[ref]; ok {
			n.Management = a.Management
		}
		n.Management = n.Management || ref == b.m.ManagementAccountID
	case access.KindUser:
		n.IdentityAdmin, _ = b.admins.Match(actor.Actor{UserID: ref, Name: label}, b.now)
	case access.KindGroup:
		for _, p := range b.cfg.PrivilegedGroups {
			n.Privileged = n.Privileged || p == ref || strings.EqualFold(p, label)
		}
	case access.KindPermissionSet:
		n.Admin = n.Level == policy.LevelAdmin.String()
	}
	b.nodes[id] = len(b.v.Nodes)
	b.v.Nodes = append(b.v.Nodes, n)
	return id
}

func (b *viewBuilder) edge(from, to, kind string, admin bool) {
	id := from + "->" + to
	if i, ok := b.edges[id]; ok {
		b.v.Edges[i].Admin = b.v.Edges[i].Admin || admin
		return
	}
	b.edges[id] = len(b.v.Edges)
	b.v.Edges = append(b.v.Edges, GraphEdge{ID: id, Source: from, Target: to, Kind: kind, Admin: admin})
}

// omittedNote says what the view leaves out ("12 more users, 3 more accounts").
func omittedNote(v *GraphView) string {
	var parts []string
	for _, k := range []struct{ kind, one, many string }{
		{access.KindUser, "user", "users"}, {access.KindGroup, "group", "groups"},
		{access.KindPermissionSet, "permission set", "permission sets"}, {access.KindAccount, "account", "accounts"},
	} {
		switch n := v.Omitted[k.kind]; {
		case n == 1:
			parts = append(parts, "1 more "+k.one)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d more %s", n, k.many))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("%s not shown (%d of %d grants drawn, at most %d nodes): search one of them to see its own graph.",
		strings.Join(parts, ", "), v.GrantsShown, v.Grants, v.MaxNodes)
}

// resolveNode finds a node by id or name, as access does.
func resolveNode(m *idc.Model, g *access.Graph, kind, id string) (NodeRef, bool) {
	switch kind {
	case access.KindUser:
		if u, ok := m.Users[id]; ok {
			return NodeRef{Kind: kind, ID: u.ID, Name: u.UserName}, true
		}
		if u, ok := m.UserByName(id); ok {
			return NodeRef{Kind: kind, ID: u.ID, Name: u.UserName}, true
		}
	case access.KindGroup:
		if x, ok := m.Groups[id]; ok {
			return NodeRef{Kind: kind, ID: x.ID, Name: x.DisplayName}, true
		}
		if x, ok := m.GroupByName(id); ok {
			return NodeRef{Kind: kind, ID: x.ID, Name: x.DisplayName}, true
		}
	case access.KindPermissionSet:
		for _, ps := range g.PermissionSets() {
			if ps.ARN == id || (ps.Name != "" && strings.EqualFold(ps.Name, id)) {
				return NodeRef{Kind: kind, ID: ps.ARN, Name: ps.Name}, true
			}
		}
	case access.KindAccount:
		for _, a := range m.Accounts {
			if a.ID == id || (a.Name != "" && strings.EqualFold(a.Name, id)) {
				return NodeRef{Kind: kind, ID: a.ID, Name: a.Name}, true
			}
		}
	}
	// Principals and accounts assignments name but the model lacks.
	if r, err := g.Through(kind, id); err == nil && r.Len() > 0 {
		return NodeRef{Kind: kind, ID: id}, true
	}
	return NodeRef{}, false
}

func userName(m *idc.Model, id string) string {
	if u, ok := m.Users[id]; ok && u.UserName != "" {
		return u.UserName
	}
	return id
}

func groupName(m *idc.Model, id string) string {
	if g, ok := m.Groups[id]; ok && g.DisplayName != "" {
		return g.DisplayName
	}
	return id
}
