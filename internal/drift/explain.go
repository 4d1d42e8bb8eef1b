package drift

import (
	"bytes"
	"maps"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// A probe asks of one event: applied to a tiny model holding only the
// object's before-state, does it produce the object's after-state? Using
// idc.Apply keeps one authority on what each CloudTrail write means (all
// three identity-store front doors, SCIM patches, stub permission sets).
type probe struct {
	seed    func() *idc.Model
	extract func(*idc.Model) string
	target  string
	// related: an event that changes the extracted value without reaching
	// the target still touched the object (a later out-of-band edit).
	related bool
}

const present, absent = "present", "absent"

func presence(ok bool) string {
	if ok {
		return present
	}
	return absent
}

func emptySeed() *idc.Model { return idc.New("probe") }

// probesFor builds the probes for a difference: an event that passes any of
// them is a cause. A new permission set is explained by its creation and by
// the events that gave it its policies.
func probesFor(d Difference, base, cur *idc.Model) []probe {
	p, ok := probeFor(d, base, cur)
	if !ok {
		return nil
	}
	out := []probe{p}
	if ps, found := cur.PermissionSets[d.Object.PermissionSetARN]; found && d.Kind == PermissionSetAdded {
		out = append(out, contentProbes(ps)...)
	}
	return out
}

// needles are ids at least one of which appears in the raw record of any
// event that can explain d (the event names the object, or the principal,
// permission set or membership it hangs off). Checking them first keeps
// Reconcile from applying every event to every difference.
func needles(d Difference, base *idc.Model) [][]byte {
	o := d.Object
	var ids []string
	switch o.Type {
	case "assignment":
		ids = []string{o.PrincipalID, o.PermissionSetARN}
	case "membership":
		ids = []string{o.UserID, o.GroupID}
		for _, mb := range base.Memberships[o.GroupID] {
			if mb.UserID == o.UserID && mb.MembershipID != "" {
				ids = append(ids, mb.MembershipID)
			}
		}
	case "permission_set":
		ids = []string{o.PermissionSetARN}
	case "user", "group":
		ids = []string{o.Key}
	case "instance":
		if d.Kind == DelegatedAdminChanged {
			ids = []string{d.Before, d.After}
		}
	}
	var out [][]byte
	for _, id := range ids {
		if id != "" {
			out = append(out, []byte(id))
		}
	}
	return out
}

// mentions reports whether e's record names any needle (no needles, or no
// raw bytes: assume it may).
func mentions(raw []byte, ns [][]byte) bool {
	if len(ns) == 0 || raw == nil {
		return true
	}
	for _, n := range ns {
		if bytes.Contains(raw, n) {
			return true
		}
	}
	return false
}

// contentProbes: one probe per policy a permission set carries.
func contentProbes(ps *idc.PermissionSet) []probe {
	var out []probe
	has := func(f func(*idc.PermissionSet) string) probe {
		return probe{seed: emptySeed, target: present, extract: psAttr(ps.ARN, f)}
	}
	for _, p := range ps.ManagedPolicies {
		out = append(out, has(func(x *idc.PermissionSet) string { return presence(slices.Contains(x.ManagedPolicies, p)) }))
	}
	for _, r := range ps.CustomerManagedPolicies {
		out = append(out, has(func(x *idc.PermissionSet) string {
			return presence(slices.ContainsFunc(x.CustomerManagedPolicies, func(y idc.PolicyRef) bool { return refKey(y) == refKey(r) }))
		}))
	}
	if ps.InlinePolicy != "" {
		want := canonicalPolicy(ps.InlinePolicy)
		out = append(out, has(func(x *idc.PermissionSet) string { return presence(canonicalPolicy(x.InlinePolicy) == want) }))
	}
	if b := boundaryName(ps.PermissionsBoundary); b != "" {
		out = append(out, has(func(x *idc.PermissionSet) string { return presence(boundaryName(x.PermissionsBoundary) == b) }))
	}
	return out
}

// probeFor builds the main probe for a difference; ok is false for kinds no
// event can explain (a model that disagrees with itself).
func probeFor(d Difference, base, cur *idc.Model) (probe, bool) {
	o := d.Object
	switch d.Kind {
	case AssignmentAdded, AssignmentRemoved:
		a := idc.Assignment{AccountID: o.AccountID, PermissionSetARN: o.PermissionSetARN, PrincipalType: o.PrincipalType, PrincipalID: o.PrincipalID}
		seed := emptySeed
		if d.Kind == AssignmentRemoved {
			seed = func() *idc.Model { m := idc.New("probe"); m.Assignments = []idc.Assignment{a}; return m }
		}
		return probe{seed: seed, target: presence(d.Kind == AssignmentAdded), extract: func(m *idc.Model) string {
			return presence(slices.ContainsFunc(m.Assignments, func(x idc.Assignment) bool { return x.Key() == a.Key() }))
		}}, true
	case MembershipAdded, MembershipRemoved:
		seed := emptySeed
		if d.Kind == MembershipRemoved {
			seed = func() *idc.Model { return membershipSeed(base, o.GroupID, o.UserID) }
		}
		return probe{seed: seed, target: presence(d.Kind == MembershipAdded), extract: func(m *idc.Model) string {
			return presence(slices.ContainsFunc(m.Memberships[o.GroupID], func(x idc.Membership) bool { return x.UserID == o.UserID }))
		}}, true
	case UserAdded, UserRemoved, GroupAdded, GroupRemoved:
		return principalProbe(d, base), true
	case PermissionSetAdded:
		return probe{seed: emptySeed, target: present, extract: func(m *idc.Model) string {
			ps, ok := m.PermissionSets[o.PermissionSetARN]
			return presence(ok && ps.Name != "") // a stub from an attach is not a creation
		}}, true
	case PermissionSetRemoved:
		return probe{seed: psSeed(base, o.PermissionSetARN), target: absent, extract: func(m *idc.Model) string {
			_, ok := m.PermissionSets[o.PermissionSetARN]
			return presence(ok)
		}}, true
	case ManagedPolicyAttached, ManagedPolicyDetached:
		return probe{seed: psSeed(base, o.PermissionSetARN), target: presence(d.Kind == ManagedPolicyAttached), extract: psAttr(o.PermissionSetARN, func(ps *idc.PermissionSet) string {
			return presence(slices.Contains(ps.ManagedPolicies, o.PolicyARN))
		})}, true
	case CustomerPolicyAttached, CustomerPolicyDetached:
		return probe{seed: psSeed(base, o.PermissionSetARN), target: presence(d.Kind == CustomerPolicyAttached), extract: psAttr(o.PermissionSetARN, func(ps *idc.PermissionSet) string {
			return presence(slices.ContainsFunc(ps.CustomerManagedPolicies, func(r idc.PolicyRef) bool { return refKey(r) == o.PolicyName }))
		})}, true
	case InlinePolicyChanged, BoundaryAdded, BoundaryRemoved, BoundaryChanged, SessionDurationChanged, DescriptionChanged:
		attr := attribute(d.Kind)
		ps, ok := cur.PermissionSets[o.PermissionSetARN]
		if !ok {
			return probe{}, false
		}
		return probe{seed: psSeed(base, o.PermissionSetARN), target: attr(ps), related: true, extract: psAttr(o.PermissionSetARN, attr)}, true
	case ProvisioningChanged:
		return probe{seed: psSeed(base, o.PermissionSetARN), target: presence(d.After == "provisioned"), extract: psAttr(o.PermissionSetARN, func(ps *idc.PermissionSet) string {
			return presence(slices.Contains(ps.ProvisionedTo, o.AccountID))
		})}, true
	case DelegatedAdminChanged:
		return probe{
			seed:    func() *idc.Model { m := idc.New("probe"); m.DelegatedAdminID = d.Before; return m },
			target:  d.After,
			related: true,
			extract: func(m *idc.Model) string { return m.DelegatedAdminID },
		}, true
	case IdentitySourceChanged:
		return probe{
			seed:    func() *idc.Model { m := idc.New("probe"); m.IdentitySource = d.Before; return m },
			target:  d.After,
			related: true,
			extract: func(m *idc.Model) string { return m.IdentitySource },
		}, true
	}
	return probe{}, false
}

// attribute returns the permission-set field a kind is about, normalized so
// that equal meanings compare equal.
func attribute(k Kind) func(*idc.PermissionSet) string {
	switch k {
	case InlinePolicyChanged:
		return func(ps *idc.PermissionSet) string { return canonicalPolicy(ps.InlinePolicy) }
	case SessionDurationChanged:
		return func(ps *idc.PermissionSet) string {
			s := sessionOf(ps)
			if d, err := config.ParseDuration(s); err == nil {
				return d.String()
			}
			return s
		}
	case DescriptionChanged:
		return func(ps *idc.PermissionSet) string { return ps.Description }
	}
	return func(ps *idc.PermissionSet) string { return boundaryName(ps.PermissionsBoundary) }
}

// canonicalPolicy is a policy's statements in canonical form, sorted, so
// two documents that mean the same compare equal.
func canonicalPolicy(doc string) string {
	st, err := statements(doc)
	if err != nil {
		return strings.TrimSpace(doc)
	}
	keys := make([]string, len(st))
	for i, s := range st {
		keys[i] = s.key
	}
	slices.Sort(keys)
	return strings.Join(keys, "\n")
}

func psAttr(arn string, f func(*idc.PermissionSet) string) func(*idc.Model) string {
	return func(m *idc.Model) string {
		ps, ok := m.PermissionSets[arn]
		if !ok {
			return absent
		}
		return f(ps)
	}
}

// psSeed returns a model holding a copy of the base permission set (or
// nothing when the base does not have it).
func psSeed(base *idc.Model, arn string) func() *idc.Model {
	return func() *idc.Model {
		m := idc.New("probe")
		if ps, ok := base.PermissionSets[arn]; ok {
			m.PermissionSets[arn] = clonePS(ps)
		}
		return m
	}
}

func clonePS(ps *idc.PermissionSet) *idc.PermissionSet {
	c := *ps
	c.ManagedPolicies = slices.Clone(ps.ManagedPolicies)
	c.CustomerManagedPolicies = slices.Clone(ps.CustomerManagedPolicies)
	c.ProvisionedTo = slices.Clone(ps.ProvisionedTo)
	c.Tags = maps.Clone(ps.Tags)
	if ps.PermissionsBoundary != nil {
		b := *ps.PermissionsBoundary
		c.PermissionsBoundary = &b
	}
	return &c
}

// membershipSeed holds the membership with its id (DeleteGroupMembership
// names only the membership id) and the user and group (a deleted user or
// group takes its memberships along).
func membershipSeed(base *idc.Model, group, user string) *idc.Model {
	m := idc.New("probe")
	for _, mb := range base.Memberships[group] {
		if mb.UserID == user {
			m.Memberships[group] = []idc.Membership{mb}
		}
	}
	if g, ok := base.Groups[group]; ok {
		c := *g
		m.Groups[group] = &c
	}
	if u, ok := base.Users[user]; ok {
		c := *u
		m.Users[user] = &c
	}
	return m
}

func principalProbe(d Difference, base *idc.Model) probe {
	id := d.Object.Key
	isUser := d.Kind == UserAdded || d.Kind == UserRemoved
	added := d.Kind == UserAdded || d.Kind == GroupAdded
	seed := emptySeed
	if !added {
		seed = func() *idc.Model {
			m := idc.New("probe")
			if u, ok := base.Users[id]; ok && isUser {
				c := *u
				m.Users[id] = &c
			}
			if g, ok := base.Groups[id]; ok && !isUser {
				c := *g
				m.Groups[id] = &c
			}
			return m
		}
	}
	return probe{seed: seed, target: presence(added), extract: func(m *idc.Model) string {
		if isUser {
			_, ok := m.Users[id]
			return presence(ok)
		}
		_, ok := m.Groups[id]
		return presence(ok)
	}}
}
