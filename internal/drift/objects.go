package drift

import (
	"fmt"
	"maps"
	"slices"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Names for people: "name (id)" where the model knows a name.

func psName(m *idc.Model, arn string) string {
	if ps, ok := m.PermissionSetByARN(arn); ok && ps.Name != "" {
		return ps.Name
	}
	return arn
}

func accountName(m *idc.Model, id string) string {
	if a, ok := m.Accounts[id]; ok {
		return a.Name
	}
	return ""
}

func accountLabel(m *idc.Model, id string) string {
	if n := accountName(m, id); n != "" {
		return n + " (" + id + ")"
	}
	return id
}

func principalName(m *idc.Model, typ, id string) string {
	switch typ {
	case "USER":
		if u, ok := m.UserByID(id); ok {
			return u.UserName
		}
	case "GROUP":
		if g, ok := m.GroupByID(id); ok {
			return g.DisplayName
		}
	}
	return ""
}

func label(name, id string) string {
	if name == "" || name == id {
		return id
	}
	return name + " (" + id + ")"
}

func assignmentObject(m *idc.Model, a idc.Assignment) Object {
	o := Object{
		Type:              "assignment",
		Key:               a.Key(),
		PermissionSetARN:  a.PermissionSetARN,
		PermissionSetName: psName(m, a.PermissionSetARN),
		AccountID:         a.AccountID,
		AccountName:       accountName(m, a.AccountID),
		PrincipalType:     a.PrincipalType,
		PrincipalID:       a.PrincipalID,
		PrincipalName:     principalName(m, a.PrincipalType, a.PrincipalID),
	}
	switch a.PrincipalType {
	case "GROUP":
		o.GroupID, o.GroupName = a.PrincipalID, o.PrincipalName
	case "USER":
		o.UserID, o.UserName = a.PrincipalID, o.PrincipalName
	}
	return o
}

// keyed is a model's assignments by key, with the keys sorted.
type keyed struct {
	set  map[string]idc.Assignment
	keys []string
}

func assignmentSet(m *idc.Model) keyed {
	set := make(map[string]idc.Assignment, len(m.Assignments))
	for _, a := range m.Assignments {
		set[a.Key()] = a
	}
	return keyed{set, slices.Sorted(maps.Keys(set))}
}

func (d *differ) assignments() {
	baseSet, baseKeys := d.baseAssign.set, d.baseAssign.keys
	curSet, curKeys := d.curAssign.set, d.curAssign.keys
	for _, k := range curKeys {
		if _, ok := baseSet[k]; !ok {
			d.add(d.assignmentAdded(curSet[k]))
		}
	}
	for _, k := range baseKeys {
		if _, ok := curSet[k]; !ok {
			d.add(d.assignmentRemoved(baseSet[k]))
		}
	}
}

func (d *differ) assignmentAdded(a idc.Assignment) Difference {
	m := d.cur
	o := assignmentObject(m, a)
	r := rate(finding.Medium)
	_, ps := d.s.level(m, a.PermissionSetARN)
	an := d.s.analysis(ps)
	r.rateLevel(an, o.PermissionSetName)
	if d.s.sensitive(m, a.AccountID) {
		r.bump("account %s is sensitive", accountLabel(m, a.AccountID))
	}
	if a.PrincipalType == "GROUP" {
		if d.s.privilegedGroup(m, a.PrincipalID) {
			r.atLeast(r.sev, "group %s is privileged", label(o.PrincipalName, a.PrincipalID))
		}
		if n, large := d.s.largeGroup(m, a.PrincipalID); large {
			if an.Level >= policy.LevelPrivEsc {
				r.bump("group %s has %d members (≥ %d)", label(o.PrincipalName, a.PrincipalID), n, d.s.cfg.LargeGroupSize)
			} else {
				r.atLeast(r.sev, "group %s has %d members (≥ %d)", label(o.PrincipalName, a.PrincipalID), n, d.s.cfg.LargeGroupSize)
			}
		}
	}
	return Difference{
		Kind: AssignmentAdded, Severity: r.sev, Object: o, Reasons: r.reasons,
		Access:  an.Level.String(),
		Summary: fmt.Sprintf("%s %s can now use %s in %s", a.PrincipalType, label(o.PrincipalName, a.PrincipalID), o.PermissionSetName, accountLabel(m, a.AccountID)),
	}
}

func (d *differ) assignmentRemoved(a idc.Assignment) Difference {
	m := d.base
	o := assignmentObject(m, a)
	r := rate(finding.Low)
	lv, ps := d.s.level(m, a.PermissionSetARN)
	if lv >= policy.LevelPrivileged {
		r.atLeast(finding.Medium, "removes %s access (lock-out or covering tracks)", lv.String())
	}
	if a.PrincipalType == "GROUP" && d.s.privilegedGroup(m, a.PrincipalID) {
		r.atLeast(finding.Medium, "group %s is privileged", label(o.PrincipalName, a.PrincipalID))
	}
	if ps != nil && d.s.breakGlass(ps) {
		r.atLeast(finding.High, "%s is a break-glass permission set", ps.Name)
	}
	return Difference{
		Kind: AssignmentRemoved, Severity: r.sev, Object: o, Reasons: r.reasons,
		Summary: fmt.Sprintf("%s %s no longer has %s in %s", a.PrincipalType, label(o.PrincipalName, a.PrincipalID), o.PermissionSetName, accountLabel(m, a.AccountID)),
	}
}

// knowsProvisioning: sources like Terraform state do not record which
// accounts a permission set is provisioned to; comparing provisioning only
// makes sense when the model does.
func knowsProvisioning(m *idc.Model) bool {
	for _, ps := range m.PermissionSets {
		if len(ps.ProvisionedTo) > 0 {
			return true
		}
	}
	return false
}

func (d *differ) provisioning() {
	if !knowsProvisioning(d.cur) {
		return
	}
	baseKnows := knowsProvisioning(d.base)
	if baseKnows {
		for _, arn := range slices.Sorted(maps.Keys(d.cur.PermissionSets)) {
			ps := d.cur.PermissionSets[arn]
			old, ok := d.base.PermissionSets[arn]
			if !ok {
				continue // a new permission set is reported as such
			}
			for _, acct := range ps.ProvisionedTo {
				if !slices.Contains(old.ProvisionedTo, acct) {
					d.add(d.provisionDiff(d.cur, ps, acct, true))
				}
			}
			for _, acct := range old.ProvisionedTo {
				if !slices.Contains(ps.ProvisionedTo, acct) {
					d.add(d.provisionDiff(d.base, old, acct, false))
				}
			}
		}
	}
	// An assignment needs the permission set provisioned to its account.
	baseSet := d.baseAssign.set
	set, keys := d.curAssign.set, d.curAssign.keys
	for _, k := range keys {
		a := set[k]
		ps, ok := d.cur.PermissionSetByARN(a.PermissionSetARN)
		if !ok || slices.Contains(ps.ProvisionedTo, a.AccountID) {
			continue
		}
		if old, ok := d.base.PermissionSetByARN(a.PermissionSetARN); ok && baseKnows && !slices.Contains(old.ProvisionedTo, a.AccountID) && inBase(baseSet, k) {
			continue // the same mismatch was already there
		}
		o := assignmentObject(d.cur, a)
		d.add(Difference{
			Kind: AssignmentNotProvisioned, Severity: finding.Low, Object: o,
			Reasons: []string{"the model says the permission set is not provisioned to this account: the assignment is stale or the model is out of date"},
			Summary: fmt.Sprintf("%s is assigned in %s but not provisioned there", o.PermissionSetName, accountLabel(d.cur, a.AccountID)),
		})
	}
}

func inBase(set map[string]idc.Assignment, key string) bool {
	_, ok := set[key]
	return ok
}

func (d *differ) provisionDiff(m *idc.Model, ps *idc.PermissionSet, acct string, added bool) Difference {
	o := Object{Type: "permission_set", Key: ps.ARN, PermissionSetARN: ps.ARN, PermissionSetName: ps.Name, AccountID: acct, AccountName: accountName(m, acct)}
	if !added {
		return Difference{Kind: ProvisioningChanged, Severity: finding.Info, Object: o, Before: "provisioned", After: "not provisioned",
			Summary: fmt.Sprintf("%s is no longer provisioned to %s", ps.Name, accountLabel(m, acct))}
	}
	r := rate(finding.Low)
	an := d.s.analysis(ps)
	if an.Level >= policy.LevelPrivileged && d.s.sensitive(m, acct) {
		r.atLeast(finding.Medium, "%s permission set in sensitive account %s", an.Level.String(), accountLabel(m, acct))
	}
	return Difference{Kind: ProvisioningChanged, Severity: r.sev, Object: o, Reasons: r.reasons, Before: "not provisioned", After: "provisioned",
		Access: an.Level.String(), Summary: fmt.Sprintf("%s is now provisioned to %s", ps.Name, accountLabel(m, acct))}
}
