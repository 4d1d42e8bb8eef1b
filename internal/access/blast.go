package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/config"
)

// Blast kinds.
const (
	KindUser          = "user"
	KindGroup         = "group"
	KindPermissionSet = "permission-set"
	KindAccount       = "account"
)

// Blast is what falls to whoever controls one principal, permission set or
// account.
type Blast struct {
	Kind              string   `json:"kind"`
	ID                string   `json:"id"`
	Name              string   `json:"name,omitempty"`
	Users             int      `json:"users"`           // distinct users on the paths
	Accounts          []string `json:"accounts"`        // account ids reached, sorted
	PermissionSets    int      `json:"permission_sets"` // distinct permission sets involved
	Paths             int      `json:"paths"`
	AdminPaths        int      `json:"admin_paths"`
	AdminAccounts     int      `json:"admin_accounts"` // accounts reached with admin
	SensitiveAccounts []string `json:"sensitive_accounts"`
	Notes             []string `json:"notes,omitempty"`
}

// BlastRadius measures a user (id or name), a group (id or name), a
// permission set (ARN or name) or an account. For an account: the
// management account controls everything; the delegated administrator
// account controls every account but the management account and every
// permission set not provisioned to the management account (it can assign
// those anywhere else); any other account's radius is the access into it.
func (g *Graph) BlastRadius(kind, id string, cfg *config.Config) (Blast, error) {
	b := Blast{Kind: kind, ID: id}
	var idx []int32
	var extraAccounts []int32 // accounts in reach without an existing grant
	var keep func(grant) bool // account kinds: a filter over every grant
	switch kind {
	case KindUser:
		u, err := g.user(id)
		if err != nil {
			return b, err
		}
		b.ID, b.Name = g.users[u].ID, g.users[u].UserName
		for i := g.userStart[u]; i < g.userStart[u+1]; i++ {
			idx = append(idx, i)
		}
	case KindGroup:
		gi, err := g.group(id)
		if err != nil {
			return b, err
		}
		b.ID, b.Name = g.groups[gi].ID, g.groups[gi].DisplayName
		idx = g.by().group[gi]
	case KindPermissionSet:
		p, err := g.permissionSet(id)
		if err != nil {
			return b, err
		}
		b.ID, b.Name = g.sets[p].ARN, g.sets[p].Name
		idx = g.by().ps[p]
	case KindAccount:
		a, err := g.account(id)
		if err != nil {
			return b, err
		}
		b.ID, b.Name = g.accounts[a].ID, g.accounts[a].Name
		idx, keep, extraAccounts = g.accountBlast(a, &b)
	default:
		return b, fmt.Errorf("access: blast radius of %q: want user, group, permission-set or account", kind)
	}
	seq := func(yield func(grant)) {
		if keep != nil {
			for _, x := range g.grants {
				if keep(x) {
					yield(x)
				}
			}
			return
		}
		for _, i := range idx {
			yield(g.grants[i])
		}
	}
	g.measure(&b, seq, extraAccounts, cfg)
	return b, nil
}

// accountBlast picks the grants an account's controllers command: a list
// of indexes, or a filter when the answer is most of the graph.
func (g *Graph) accountBlast(a int32, b *Blast) (idx []int32, keep func(grant) bool, reach []int32) {
	m := g.model
	acct := g.accounts[a]
	switch {
	case a == g.mgmt:
		b.Notes = append(b.Notes, "the management account administers Identity Center itself: every account and permission set")
		keep = func(grant) bool { return true }
		for i := range g.accounts {
			reach = append(reach, int32(i))
		}
	case acct.DelegatedAdmin || (m.DelegatedAdminID != "" && acct.ID == m.DelegatedAdminID):
		b.Notes = append(b.Notes, "delegated administrator for Identity Center: controls every account except the management account, and every permission set not provisioned to it; it can make any of those permission sets admin, so every account listed is within admin reach")
		if g.mgmt < 0 {
			b.Notes = append(b.Notes, "management account unknown to the model: counted as if none were excluded")
		}
		protected := make([]bool, len(g.sets))
		if g.mgmt >= 0 {
			mgmtID := g.accounts[g.mgmt].ID
			for i, ps := range g.sets {
				protected[i] = slices.Contains(ps.ProvisionedTo, mgmtID)
			}
		}
		keep = func(x grant) bool { return x.account != g.mgmt && !protected[x.ps] }
		for i := range g.accounts {
			if int32(i) != g.mgmt {
				reach = append(reach, int32(i))
			}
		}
	default:
		b.Notes = append(b.Notes, "not the management or delegated administrator account: the radius is the access into it")
		idx = g.by().account[a]
	}
	return idx, keep, reach
}

func (g *Graph) measure(b *Blast, grants func(yield func(grant)), reach []int32, cfg *config.Config) {
	acctSeen := make([]bool, len(g.accounts))
	adminSeen := make([]bool, len(g.accounts))
	psSeen := make([]bool, len(g.sets))
	userSeen := make([]bool, len(g.users))
	for _, a := range reach {
		acctSeen[a] = true
	}
	grants(func(x grant) {
		b.Paths++
		acctSeen[x.account] = true
		psSeen[x.ps] = true
		if !userSeen[x.user] {
			userSeen[x.user] = true
			b.Users++
		}
		if g.admin(x) {
			b.AdminPaths++
			adminSeen[x.account] = true
		}
	})
	b.Accounts = []string{}
	for a, ok := range acctSeen {
		if ok {
			b.Accounts = append(b.Accounts, g.accounts[a].ID)
		}
		if adminSeen[a] {
			b.AdminAccounts++
		}
	}
	for _, ok := range psSeen {
		if ok {
			b.PermissionSets++
		}
	}
	b.SensitiveAccounts = []string{}
	for _, s := range sensitive(cfg) {
		if a, ok := g.acctIdx[s]; ok && acctSeen[a] {
			b.SensitiveAccounts = append(b.SensitiveAccounts, s)
		}
	}
	slices.Sort(b.SensitiveAccounts)
}

func (g *Graph) group(s string) (int32, error) {
	if i, ok := g.groupIdx[s]; ok {
		return i, nil
	}
	if x, ok := g.model.GroupByName(s); ok {
		if i, ok := g.groupIdx[x.ID]; ok {
			return i, nil
		}
	}
	return 0, fmt.Errorf("access: no group %q in the model", s)
}

func (g *Graph) permissionSet(s string) (int32, error) {
	if i, ok := g.psIdx[s]; ok {
		return i, nil
	}
	if ps, ok := g.model.PermissionSetByName(s); ok {
		if i, ok := g.psIdx[ps.ARN]; ok {
			return i, nil
		}
	}
	for i, ps := range g.sets { // permission sets the model does not hold
		if ps.Name != "" && strings.EqualFold(ps.Name, s) {
			return int32(i), nil
		}
	}
	return 0, fmt.Errorf("access: no permission set %q in the model", s)
}
