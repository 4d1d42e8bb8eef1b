package respond

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// PhaseLift is the phase of every step of a lift plan.
const PhaseLift Phase = "lift-containment"

// DenySidPrefix starts the Sid of every statement a containment adds; a
// lift removes exactly those statements and leaves every other one.
const DenySidPrefix = sidPrefix

// LiftInput says which containment to lift, after the incident.
type LiftInput struct {
	// PermissionSet (ARN or name) and/or Account (every permission set
	// provisioned to it) scope a lift to the PortcullisDeny… statements
	// found in the state.
	PermissionSet, Account string
	// Applied is the plan an earlier contain --apply ran (from its state
	// file): the lift removes exactly the statements it added and detaches
	// and deletes the SCPs it created (CreatedSCPs).
	Applied     *ContainmentPlan
	CreatedSCPs []CreatedSCP
	Region      string
}

// CreatedSCP is a service control policy an applied plan created, and the
// targets it attached it to.
type CreatedSCP struct {
	PolicyID string
	Targets  []string
}

// Lift builds the plan that undoes a containment: for each permission set
// in scope, the PortcullisDeny… statements are removed from its inline
// policy (re-read just before the write; the policy is deleted when
// nothing else is left) and the set is re-provisioned; SCPs the
// containment created are detached and deleted. Like Plan, it is data:
// rendered, hashed, applied by apply.Run, dry run by default.
func Lift(in LiftInput, m *idc.Model, now time.Time) (*ContainmentPlan, error) {
	if m == nil {
		return nil, errors.New("lift: no Identity Center state (give --snapshot FILE or --from aws)")
	}
	if in.PermissionSet == "" && in.Account == "" && in.Applied == nil {
		return nil, errors.New("lift: say what to lift: --permission-set, --account, or --state FILE of the contain run")
	}
	if in.Region != "" && !regionRe.MatchString(in.Region) {
		return nil, fmt.Errorf("lift: region %q: not an AWS region name", in.Region)
	}
	if !instanceARNRe.MatchString(m.InstanceARN) {
		return nil, fmt.Errorf("lift: the state has no valid Identity Center instance ARN (got %q)", m.InstanceARN)
	}
	if in.Applied != nil && in.Applied.InstanceARN != m.InstanceARN {
		return nil, fmt.Errorf("lift: the applied plan is for instance %s, the state is instance %s", in.Applied.InstanceARN, m.InstanceARN)
	}
	now = now.UTC().Truncate(time.Second)
	b := &builder{in: Input{Region: in.Region}, m: m, now: now, sc: &scope{}, ax: newAccess(m), part: partition(m.InstanceARN), mgmt: managementAccount(m)}
	subject := Subject{AccountID: in.Account}
	targets, err := liftTargets(in, m, &subject, b)
	if err != nil {
		return nil, fmt.Errorf("lift: %w", err)
	}
	for _, t := range targets {
		if err := b.liftSet(t.ps, t.sids, t.exact); err != nil {
			return nil, fmt.Errorf("lift: %w", err)
		}
	}
	for _, scp := range in.CreatedSCPs {
		b.liftSCP(scp)
	}
	if in.Applied == nil && in.Account != "" {
		b.notes = append(b.notes, "SCPs an earlier contain created (portcullis-contain-…) are not looked up from the state: lift them with --state FILE of that run, or detach and delete them in AWS Organizations.")
	}
	if err := b.chk.err(); err != nil {
		return nil, fmt.Errorf("lift: %w", err)
	}
	p := &ContainmentPlan{
		Schema: PlanSchema, GeneratedAt: now, InstanceARN: m.InstanceARN, IdentityStoreID: m.IdentityStoreID,
		Region: in.Region, Subject: subject, Options: Options{Revoke: RevokeNone, Via: "auto", Lift: true},
		Steps: b.steps, Notes: b.notes,
	}
	if len(p.Steps) == 0 {
		p.Notes = append(p.Notes, "Nothing to lift: no PortcullisDeny statement and no SCP of an earlier containment in scope.")
	}
	if err := p.finish(in.Region); err != nil {
		return nil, fmt.Errorf("lift: %w", err)
	}
	if p.State, err = digestState(p, m); err != nil {
		return nil, fmt.Errorf("lift: %w", err)
	}
	if p.Hash, err = p.ComputeHash(); err != nil {
		return nil, err
	}
	return p, nil
}

type liftTarget struct {
	ps    *idc.PermissionSet
	sids  []string
	exact bool // the Sids come from the applied plan, not the prefix
}

// liftTargets are the permission sets to clean and the Sids to remove.
func liftTargets(in LiftInput, m *idc.Model, subject *Subject, b *builder) ([]liftTarget, error) {
	bySet := map[string]*liftTarget{}
	add := func(ps *idc.PermissionSet, sids []string, exact bool) {
		t, ok := bySet[ps.ARN]
		if !ok {
			t = &liftTarget{ps: ps, exact: exact}
			bySet[ps.ARN] = t
		}
		t.sids = append(t.sids, sids...)
	}
	if in.Applied != nil {
		subject.FindingID, subject.Rule = in.Applied.Subject.FindingID, in.Applied.Subject.Rule
		for _, st := range in.Applied.Steps {
			if st.Merge == nil || st.Call == nil {
				continue
			}
			arn, _ := st.Call.Params["PermissionSetArn"].(string)
			ps, ok := m.PermissionSets[arn]
			if !ok {
				b.notes = append(b.notes, fmt.Sprintf("Permission set %s of the applied plan is gone from the state: nothing to lift there.", arn))
				continue
			}
			var sids []string
			for _, s := range st.Merge.Add {
				sids = append(sids, s.Sid)
			}
			add(ps, sids, true)
		}
	}
	if in.Account != "" && !accountRe.MatchString(in.Account) {
		return nil, fmt.Errorf("account %q: want a 12-digit account id", in.Account)
	}
	var scoped []*idc.PermissionSet
	if in.PermissionSet != "" {
		ps, err := findPermissionSet(m, in.PermissionSet)
		if err != nil {
			return nil, err
		}
		subject.PermissionSetARN, subject.PermissionSetName = ps.ARN, ps.Name
		scoped = append(scoped, ps)
	} else if in.Account != "" {
		for _, arn := range slices.Sorted(maps.Keys(m.PermissionSets)) {
			if slices.Contains(b.ax.provisionedAccounts(arn), in.Account) {
				scoped = append(scoped, m.PermissionSets[arn])
			}
		}
	}
	for _, ps := range scoped {
		if in.Account != "" && !slices.Contains(b.ax.provisionedAccounts(ps.ARN), in.Account) {
			return nil, fmt.Errorf("permission set %s is not provisioned to account %s", sanitize(ps.Name), in.Account)
		}
		sids, err := denySids(ps.InlinePolicy)
		if err != nil {
			return nil, fmt.Errorf("permission set %s: inline policy: %w", sanitize(ps.Name), err)
		}
		if len(sids) == 0 {
			b.notes = append(b.notes, fmt.Sprintf("Permission set %s holds no %s… statement.", sanitize(ps.Name), DenySidPrefix))
			continue
		}
		add(ps, sids, false)
	}
	var out []liftTarget
	for _, arn := range slices.Sorted(maps.Keys(bySet)) {
		t := bySet[arn]
		slices.Sort(t.sids)
		t.sids = slices.Compact(t.sids)
		out = append(out, *t)
	}
	slices.SortStableFunc(out, func(x, y liftTarget) int { return compareStrings(x.ps.Name, y.ps.Name) })
	return out, nil
}

// liftSet removes the statements from ps's inline policy and provisions it.
func (b *builder) liftSet(ps *idc.PermissionSet, sids []string, exact bool) error {
	b.chk.check(psARNRe, "permission set ARN", ps.ARN)
	rest, removed, err := RemoveStatements(ps.InlinePolicy, sids)
	if err != nil {
		return fmt.Errorf("permission set %s: %w", sanitize(ps.Name), err)
	}
	if len(removed) == 0 {
		b.notes = append(b.notes, fmt.Sprintf("Permission set %s no longer holds the statements %s: nothing to remove there.", sanitize(ps.Name), strings.Join(sids, ", ")))
		return nil
	}
	which := "the " + DenySidPrefix + "… statements"
	if exact {
		which = "the statements the applied plan added"
	}
	merge := &Merge{Remove: removed, BaseSHA256: sha256Hex(ps.InlinePolicy)}
	st := Step{
		Phase: PhaseLift, touches: []string{ps.ARN}, Merge: merge,
		Title: fmt.Sprintf("Remove %s from the inline policy of %s", strings.Join(removed, ", "), sanitize(ps.Name)),
		Why: fmt.Sprintf("After the incident, %s (%s) go, and every other statement of the inline policy stays as it is; the policy is re-read just before the write, so changes since the state was read are kept.",
			which, strings.Join(removed, ", ")),
		Call: &Call{Service: SvcSSOAdmin, Operation: "PutInlinePolicyToPermissionSet", Params: map[string]any{
			"InstanceArn": b.m.InstanceARN, "PermissionSetArn": ps.ARN, "InlinePolicy": rest,
		}},
		Proof: []Check{
			{Kind: "cloudtrail", What: fmt.Sprintf("sso.amazonaws.com PutInlinePolicyToPermissionSet or DeleteInlinePolicyFromPermissionSet for %s", ps.ARN)},
			{Kind: "api", What: "the inline policy holds no " + strings.Join(removed, ", "), CLI: b.readCLI("GetInlinePolicyForPermissionSet", ps.ARN)},
		},
	}
	if rest == "" {
		st.Title = fmt.Sprintf("Delete the inline policy of %s (it holds only %s)", sanitize(ps.Name), strings.Join(removed, ", "))
		st.Why = fmt.Sprintf("After the incident, %s go; the inline policy held nothing else, so it is deleted (an inline policy cannot be empty). The policy is re-read just before the call: if it gained other statements since, the step stops instead.", which)
		st.Call = &Call{Service: SvcSSOAdmin, Operation: "DeleteInlinePolicyFromPermissionSet", Params: map[string]any{
			"InstanceArn": b.m.InstanceARN, "PermissionSetArn": ps.ARN,
		}}
	}
	b.add(st)
	accts := b.ax.provisionedAccounts(ps.ARN)
	if len(accts) == 0 {
		b.notes = append(b.notes, fmt.Sprintf("Permission set %s is not provisioned to any account: no provisioning needed.", sanitize(ps.Name)))
		return nil
	}
	b.add(Step{
		Phase: PhaseLift, touches: []string{ps.ARN},
		Title: fmt.Sprintf("Provision permission set %s to the %d account(s) it is provisioned to", sanitize(ps.Name), len(accts)),
		Why:   "The AWSReservedSSO roles in member accounts keep the deny until the changed permission set is provisioned; after it, new sessions work again.",
		Call: &Call{Service: SvcSSOAdmin, Operation: "ProvisionPermissionSet", Params: map[string]any{
			"InstanceArn": b.m.InstanceARN, "PermissionSetArn": ps.ARN, "TargetType": "ALL_PROVISIONED_ACCOUNTS",
		}, Outputs: []string{"RequestId"}},
		Wait: &Wait{Service: SvcSSOAdmin, Operation: "DescribePermissionSetProvisioningStatus",
			Params: map[string]any{"InstanceArn": b.m.InstanceARN}, RequestParam: "ProvisionPermissionSetRequestId"},
		Proof: []Check{
			{Kind: "cloudtrail", What: fmt.Sprintf("sso.amazonaws.com ProvisionPermissionSet for %s; in each account iam.amazonaws.com PutRolePolicy or DeleteRolePolicy on AWSReservedSSO_%s_* with invokedBy sso.amazonaws.com", ps.ARN, sanitize(ps.Name))},
			{Kind: "api", What: "DescribePermissionSetProvisioningStatus reports SUCCEEDED (Apply waits for it)"},
		},
	})
	return nil
}

// liftSCP detaches an SCP a containment created from its targets and
// deletes it.
func (b *builder) liftSCP(scp CreatedSCP) {
	if !scpIDRe.MatchString(scp.PolicyID) {
		b.chk.errs = append(b.chk.errs, fmt.Sprintf("policy id %q is not an SCP id (p-…)", scp.PolicyID))
		return
	}
	for _, t := range scp.Targets {
		b.chk.check(accountRe, "account id", t)
		b.add(Step{
			Phase: PhaseLift,
			Title: fmt.Sprintf("Detach the containment SCP %s from account %s", scp.PolicyID, t),
			Why:   "The SCP denies the contained Identity Center sessions in the account; detached, it no longer applies. Needs management-account (or Organizations delegated-admin) credentials.",
			Call:  &Call{Service: SvcOrganizations, Operation: "DetachPolicy", Params: map[string]any{"PolicyId": scp.PolicyID, "TargetId": t}},
			Proof: []Check{
				{Kind: "cloudtrail", What: "organizations.amazonaws.com DetachPolicy (requestParameters.policyId " + scp.PolicyID + ", targetId " + t + ")"},
				{Kind: "api", What: "the SCP is no longer listed", CLI: cliRead(SvcOrganizations, "ListPoliciesForTarget", b.in.Region, "TargetId", t, "Filter", "SERVICE_CONTROL_POLICY")},
			},
		})
	}
	b.add(Step{
		Phase: PhaseLift,
		Title: "Delete the containment SCP " + scp.PolicyID,
		Why:   "portcullis created it for the containment; once detached everywhere nothing uses it (Organizations refuses to delete an attached policy).",
		Call:  &Call{Service: SvcOrganizations, Operation: "DeletePolicy", Params: map[string]any{"PolicyId": scp.PolicyID}},
		Proof: []Check{{Kind: "cloudtrail", What: "organizations.amazonaws.com DeletePolicy (requestParameters.policyId " + scp.PolicyID + ")"}},
	})
}
