package drift

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

func membershipObject(m *idc.Model, group, user string) Object {
	o := Object{Type: "membership", Key: group + "|" + user, GroupID: group, UserID: user}
	o.GroupName = principalName(m, "GROUP", group)
	o.UserName = principalName(m, "USER", user)
	return o
}

func (d *differ) memberships() {
	base, cur := d.s.index(d.base), d.s.index(d.cur)
	for _, g := range cur.Groups() {
		for _, u := range sorted(cur.Members(g)) {
			if !base.IsMember(g, u) {
				d.add(d.membershipAdded(g, u))
			}
		}
	}
	for _, g := range base.Groups() {
		for _, u := range sorted(base.Members(g)) {
			if !cur.IsMember(g, u) {
				d.add(d.membershipRemoved(g, u))
			}
		}
	}
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

func (d *differ) membershipAdded(g, u string) Difference {
	m := d.cur
	o := membershipObject(m, g, u)
	r := rate(finding.Low)
	n, top, sensAdmin := d.s.groupReach(m, g)
	if n > 0 {
		r.atLeast(finding.Medium, "group %s holds %d assignment(s)", label(o.GroupName, g), n)
	}
	if top >= policy.LevelPrivileged {
		r.atLeast(finding.High, "group %s grants %s access", label(o.GroupName, g), top.String())
	}
	if sensAdmin != "" {
		r.bump("group %s has admin in sensitive account %s", label(o.GroupName, g), accountLabel(m, sensAdmin))
	}
	if d.s.privilegedGroup(m, g) {
		r.atLeast(finding.High, "group %s is privileged", label(o.GroupName, g))
	}
	return Difference{Kind: MembershipAdded, Severity: r.sev, Object: o, Reasons: r.reasons, Access: top.String(),
		Summary: fmt.Sprintf("user %s added to group %s", label(o.UserName, u), label(o.GroupName, g))}
}

func (d *differ) membershipRemoved(g, u string) Difference {
	m := d.base
	o := membershipObject(m, g, u)
	r := rate(finding.Info)
	if _, top, _ := d.s.groupReach(m, g); top >= policy.LevelPrivileged {
		r.atLeast(finding.Low, "group %s granted %s access", label(o.GroupName, g), top.String())
	}
	if d.s.privilegedGroup(m, g) {
		r.atLeast(finding.Low, "group %s is privileged", label(o.GroupName, g))
	}
	return Difference{Kind: MembershipRemoved, Severity: r.sev, Object: o, Reasons: r.reasons,
		Summary: fmt.Sprintf("user %s removed from group %s", label(o.UserName, u), label(o.GroupName, g))}
}

func (d *differ) principals() {
	for _, id := range slices.Sorted(maps.Keys(d.cur.Users)) {
		if _, ok := d.base.Users[id]; ok {
			continue
		}
		u := d.cur.Users[id]
		r := rate(finding.Low)
		if u.ExternalID != "" {
			r.atLeast(r.sev, "provisioned from the identity provider (external id %s)", u.ExternalID)
		}
		d.add(Difference{Kind: UserAdded, Severity: r.sev, Reasons: r.reasons,
			Object:  Object{Type: "user", Key: id, UserID: id, UserName: u.UserName},
			Summary: fmt.Sprintf("user %s created", label(u.UserName, id))})
	}
	for _, id := range slices.Sorted(maps.Keys(d.base.Users)) {
		if _, ok := d.cur.Users[id]; ok {
			continue
		}
		u := d.base.Users[id]
		d.add(Difference{Kind: UserRemoved, Severity: finding.Info,
			Object:  Object{Type: "user", Key: id, UserID: id, UserName: u.UserName},
			Summary: fmt.Sprintf("user %s deleted", label(u.UserName, id))})
	}
	for _, id := range slices.Sorted(maps.Keys(d.cur.Groups)) {
		if _, ok := d.base.Groups[id]; ok {
			continue
		}
		g := d.cur.Groups[id]
		r := rate(finding.Low)
		if d.s.privilegedGroup(d.cur, id) {
			r.atLeast(finding.Medium, "group %s is privileged", label(g.DisplayName, id))
		}
		d.add(Difference{Kind: GroupAdded, Severity: r.sev, Reasons: r.reasons,
			Object:  Object{Type: "group", Key: id, GroupID: id, GroupName: g.DisplayName},
			Summary: fmt.Sprintf("group %s created", label(g.DisplayName, id))})
	}
	for _, id := range slices.Sorted(maps.Keys(d.base.Groups)) {
		if _, ok := d.cur.Groups[id]; ok {
			continue
		}
		g := d.base.Groups[id]
		r := rate(finding.Low)
		if d.s.privilegedGroup(d.base, id) {
			r.atLeast(finding.Medium, "group %s is privileged", label(g.DisplayName, id))
		}
		d.add(Difference{Kind: GroupRemoved, Severity: r.sev, Reasons: r.reasons,
			Object:  Object{Type: "group", Key: id, GroupID: id, GroupName: g.DisplayName},
			Summary: fmt.Sprintf("group %s deleted", label(g.DisplayName, id))})
	}
}

// instance compares organization-level facts. A value absent from the base
// is only drift when both models come from the same kind of source (a
// Terraform baseline does not know the delegated admin).
func (d *differ) instance() {
	sameSource := d.base.From == d.cur.From
	if b, c := d.base.DelegatedAdminID, d.cur.DelegatedAdminID; b != c && (b != "" || sameSource) {
		r := rate(finding.High)
		if c != "" {
			r.atLeast(r.sev, "account %s can now administer Identity Center for every account but the management account", accountLabel(d.cur, c))
		}
		d.add(Difference{Kind: DelegatedAdminChanged, Severity: r.sev, Reasons: r.reasons, Before: b, After: c,
			Object:  Object{Type: "instance", Key: cmp.Or(d.cur.InstanceARN, d.base.InstanceARN), AccountID: c},
			Summary: fmt.Sprintf("delegated administrator changed from %s to %s", orNone(b), orNone(c))})
	}
	if b, c := d.base.IdentitySource, d.cur.IdentitySource; b != c && b != "" && c != "" {
		d.add(Difference{Kind: IdentitySourceChanged, Severity: finding.High, Before: b, After: c,
			Reasons: []string{"whoever controls the identity source controls every Identity Center user"},
			Object:  Object{Type: "instance", Key: cmp.Or(d.cur.InstanceARN, d.base.InstanceARN)},
			Summary: fmt.Sprintf("identity source changed from %s to %s", b, c)})
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
