package drift

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// permissionSets pairs permission sets by ARN. A set without an ARN (a
// Terraform plan before apply) pairs by name instead.
func (d *differ) permissionSets() {
	matched := map[string]bool{} // base keys paired
	for _, key := range slices.Sorted(maps.Keys(d.cur.PermissionSets)) {
		ps := d.cur.PermissionSets[key]
		bkey := key
		if _, ok := d.base.PermissionSets[key]; !ok || ps.ARN == "" {
			bkey = d.pairByName(ps, matched)
		}
		if bkey == "" {
			d.add(d.psAdded(ps))
			continue
		}
		matched[bkey] = true
		d.psChanged(d.base.PermissionSets[bkey], ps)
	}
	for _, key := range slices.Sorted(maps.Keys(d.base.PermissionSets)) {
		if !matched[key] {
			d.add(d.psRemoved(d.base.PermissionSets[key]))
		}
	}
}

// pairByName returns the key of an unpaired base set with the same name,
// when either side has no ARN.
func (d *differ) pairByName(ps *idc.PermissionSet, matched map[string]bool) string {
	for _, key := range slices.Sorted(maps.Keys(d.base.PermissionSets)) {
		old := d.base.PermissionSets[key]
		if !matched[key] && (old.ARN == "" || ps.ARN == "") && old.Name == ps.Name {
			return key
		}
	}
	return ""
}

func psObject(ps *idc.PermissionSet) Object {
	return Object{Type: "permission_set", Key: cmp.Or(ps.ARN, ps.Name), PermissionSetARN: ps.ARN, PermissionSetName: ps.Name}
}

func (d *differ) psAdded(ps *idc.PermissionSet) Difference {
	an := d.s.analysis(ps)
	r := rate(finding.Low)
	r.rateLevel(an, ps.Name)
	if dur, err := config.ParseDuration(sessionOf(ps)); err == nil && dur > d.s.cfg.MaxSessionDuration {
		r.atLeast(finding.Medium, "session duration %s is above max_session_duration %s", sessionOf(ps), shortDuration(d.s.cfg.MaxSessionDuration))
	}
	return Difference{Kind: PermissionSetAdded, Severity: r.sev, Object: psObject(ps), Reasons: r.reasons,
		Access: an.Level.String(), GrantsAdmin: an.Level >= policy.LevelAdmin,
		Summary: fmt.Sprintf("permission set %s created (%s access)", ps.Name, an.Level.String())}
}

func (d *differ) psRemoved(ps *idc.PermissionSet) Difference {
	r := rate(finding.Low)
	if n := len(d.s.index(d.base).PermissionSetAssignments(ps.ARN)); n > 0 {
		r.atLeast(finding.Medium, "it had %d assignment(s)", n)
	}
	if d.s.breakGlass(ps) {
		r.atLeast(finding.High, "%s is a break-glass permission set", ps.Name)
	}
	return Difference{Kind: PermissionSetRemoved, Severity: r.sev, Object: psObject(ps), Reasons: r.reasons,
		Summary: fmt.Sprintf("permission set %s deleted", ps.Name)}
}

// reprovision notes that provisioned accounts keep the old definition until
// the permission set is provisioned again.
func reprovision(r *rating, ps *idc.PermissionSet) {
	if n := len(ps.ProvisionedTo); n > 0 {
		r.atLeast(r.sev, "provisioned to %d account(s): they keep the old definition until re-provisioned", n)
	}
}

// escalation raises a rating for a change that leaves the set granting
// level, worse when the set is assigned in sensitive accounts.
func (d *differ) escalation(r *rating, ps *idc.PermissionSet, lv policy.Level, what string, reasons []string) {
	switch {
	case lv >= policy.LevelAdmin:
		r.atLeast(finding.High, "%s grants admin%s", what, because(reasons))
	case lv >= policy.LevelPrivileged:
		r.atLeast(finding.High, "%s is privileged%s", what, because(reasons))
	case lv >= policy.LevelPrivEsc:
		r.atLeast(finding.Medium, "%s allows privilege escalation%s", what, because(reasons))
	default:
		return
	}
	if s := d.s.sensitiveAssignments(d.cur, ps.ARN); len(s) > 0 && lv >= policy.LevelPrivileged {
		r.bump("%s is assigned in sensitive account(s) %s", ps.Name, strings.Join(s, ", "))
	}
}

func (d *differ) psChanged(old, ps *idc.PermissionSet) {
	obj := psObject(ps)
	after := d.s.analysis(ps)
	before := d.s.analysis(old)

	for _, p := range ps.ManagedPolicies {
		if slices.Contains(old.ManagedPolicies, p) {
			continue
		}
		r := rate(finding.Low)
		pa, known := policy.ManagedPolicy(p)
		if known {
			d.escalation(r, ps, pa.Level, "policy "+policyName(p), pa.Reasons)
		} else {
			r.atLeast(r.sev, "%s is not a managed policy portcullis knows", policyName(p))
		}
		reprovision(r, ps)
		o := obj
		o.PolicyARN = p
		d.add(Difference{Kind: ManagedPolicyAttached, Severity: r.sev, Object: o, Reasons: r.reasons,
			Access: after.Level.String(), GrantsAdmin: known && pa.Level >= policy.LevelAdmin,
			Summary: fmt.Sprintf("%s attached to permission set %s", policyName(p), ps.Name)})
	}
	for _, p := range old.ManagedPolicies {
		if slices.Contains(ps.ManagedPolicies, p) {
			continue
		}
		r := rate(finding.Info)
		if d.s.breakGlass(ps) {
			r.atLeast(finding.Medium, "%s is a break-glass permission set", ps.Name)
		}
		o := obj
		o.PolicyARN = p
		d.add(Difference{Kind: ManagedPolicyDetached, Severity: r.sev, Object: o, Reasons: r.reasons,
			Summary: fmt.Sprintf("%s detached from permission set %s", policyName(p), ps.Name)})
	}
	d.customerRefs(old, ps, obj)
	d.inline(old, ps, obj, before, after)
	d.boundary(old, ps, obj, after)
	d.session(old, ps, obj, after)
	if old.Description != ps.Description {
		d.add(Difference{Kind: DescriptionChanged, Severity: finding.Info, Object: obj, Before: old.Description, After: ps.Description,
			Summary: fmt.Sprintf("description of %s changed", ps.Name)})
	}
}

func refKey(r idc.PolicyRef) string {
	p := r.Path
	if p == "" {
		p = "/"
	}
	return p + r.Name
}

func (d *differ) customerRefs(old, ps *idc.PermissionSet, obj Object) {
	has := func(list []idc.PolicyRef, k string) bool {
		return slices.ContainsFunc(list, func(r idc.PolicyRef) bool { return refKey(r) == k })
	}
	for _, ref := range ps.CustomerManagedPolicies {
		if has(old.CustomerManagedPolicies, refKey(ref)) {
			continue
		}
		r := rate(finding.Medium)
		r.atLeast(r.sev, "customer managed policy content lives in each account and is not analysed")
		reprovision(r, ps)
		o := obj
		o.PolicyName = refKey(ref)
		d.add(Difference{Kind: CustomerPolicyAttached, Severity: r.sev, Object: o, Reasons: r.reasons,
			Summary: fmt.Sprintf("customer managed policy %s attached to permission set %s", refKey(ref), ps.Name)})
	}
	for _, ref := range old.CustomerManagedPolicies {
		if has(ps.CustomerManagedPolicies, refKey(ref)) {
			continue
		}
		o := obj
		o.PolicyName = refKey(ref)
		d.add(Difference{Kind: CustomerPolicyDetached, Severity: finding.Info, Object: o,
			Summary: fmt.Sprintf("customer managed policy %s detached from permission set %s", refKey(ref), ps.Name)})
	}
}

func (d *differ) inline(old, ps *idc.PermissionSet, obj Object, before, after policy.Analysis) {
	pd := DiffPolicies(old.InlinePolicy, ps.InlinePolicy)
	if pd.Empty() {
		return
	}
	r := rate(finding.Low)
	grantsAdmin := false
	var verb string
	switch {
	case strings.TrimSpace(ps.InlinePolicy) == "":
		verb = "removed"
	default:
		verb = fmt.Sprintf("changed (+%d/-%d statement(s))", len(pd.Added), len(pd.Removed))
		if strings.TrimSpace(old.InlinePolicy) == "" {
			verb = fmt.Sprintf("added (%d statement(s))", len(pd.Added))
		}
		na, err := policy.Analyze([]byte(ps.InlinePolicy))
		if err != nil {
			r.atLeast(finding.Medium, "the new inline policy cannot be analysed: %v", err)
			break
		}
		grantsAdmin = na.Level >= policy.LevelAdmin
		oa, oerr := policy.Analyze([]byte(old.InlinePolicy))
		if oerr != nil || strings.TrimSpace(old.InlinePolicy) == "" || na.Level > oa.Level {
			d.escalation(r, ps, na.Level, "the new inline policy", na.Reasons)
		}
	}
	if after.Level > before.Level {
		r.atLeast(r.sev, "%s went from %s to %s access", ps.Name, before.Level.String(), after.Level.String())
	}
	reprovision(r, ps)
	summary := fmt.Sprintf("inline policy of %s %s", ps.Name, verb)
	if grantsAdmin {
		summary += "; it grants admin"
	}
	d.add(Difference{Kind: InlinePolicyChanged, Severity: r.sev, Object: obj, Reasons: r.reasons, Policy: pd,
		Access: after.Level.String(), GrantsAdmin: grantsAdmin, Summary: summary})
}

func boundaryName(b *idc.PolicyRef) string {
	if b == nil {
		return ""
	}
	if b.ManagedPolicyARN != "" {
		return b.ManagedPolicyARN
	}
	return refKey(*b)
}

func (d *differ) boundary(old, ps *idc.PermissionSet, obj Object, after policy.Analysis) {
	b, c := boundaryName(old.PermissionsBoundary), boundaryName(ps.PermissionsBoundary)
	switch {
	case b == c:
		return
	case b == "":
		d.add(Difference{Kind: BoundaryAdded, Severity: finding.Info, Object: obj, After: c,
			Summary: fmt.Sprintf("permissions boundary %s set on %s", c, ps.Name)})
	case c == "":
		r := rate(finding.Medium)
		if after.Level >= policy.LevelPrivileged {
			r.atLeast(finding.High, "%s has %s access and nothing bounds it now", ps.Name, after.Level.String())
		}
		reprovision(r, ps)
		d.add(Difference{Kind: BoundaryRemoved, Severity: r.sev, Object: obj, Reasons: r.reasons, Before: b, Access: after.Level.String(),
			Summary: fmt.Sprintf("permissions boundary %s removed from %s", b, ps.Name)})
	default:
		r := rate(finding.Medium)
		reprovision(r, ps)
		d.add(Difference{Kind: BoundaryChanged, Severity: r.sev, Object: obj, Reasons: r.reasons, Before: b, After: c, Access: after.Level.String(),
			Summary: fmt.Sprintf("permissions boundary of %s changed from %s to %s", ps.Name, b, c)})
	}
}

func sessionOf(ps *idc.PermissionSet) string {
	if ps.SessionDuration == "" {
		return "PT1H" // Identity Center's default
	}
	return ps.SessionDuration
}

func (d *differ) session(old, ps *idc.PermissionSet, obj Object, after policy.Analysis) {
	b, c := sessionOf(old), sessionOf(ps)
	if b == c {
		return
	}
	bd, errB := config.ParseDuration(b)
	cd, errC := config.ParseDuration(c)
	if errB == nil && errC == nil && bd == cd {
		return // PT60M == PT1H
	}
	r := rate(finding.Low)
	switch {
	case errC != nil:
		r.atLeast(finding.Medium, "session duration %q cannot be read", c)
	case errB == nil && cd < bd:
		r = rate(finding.Info)
	case cd > d.s.cfg.MaxSessionDuration:
		r.atLeast(finding.Medium, "%s is above max_session_duration %s", c, shortDuration(d.s.cfg.MaxSessionDuration))
		if after.Level >= policy.LevelAdmin {
			r.atLeast(finding.High, "%s grants admin: a stolen session lasts longer", ps.Name)
		}
	}
	d.add(Difference{Kind: SessionDurationChanged, Severity: r.sev, Object: obj, Reasons: r.reasons, Before: b, After: c,
		Summary: fmt.Sprintf("session duration of %s changed from %s to %s", ps.Name, b, c)})
}

// shortDuration prints 4h rather than 4h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// policyName is the short name of a managed policy ARN.
func policyName(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
