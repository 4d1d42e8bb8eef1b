package respond

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

const managementCreds = " As delegated admin we cannot change a permission set provisioned to the management account: run this with management-account credentials."

// persistence adds the detach and session-duration steps for ps; it
// reports whether any was added (they need a provisioning).
func (b *builder) persistence(ps *idc.PermissionSet, manual bool) bool {
	detach, dur := b.mods(ps)
	for _, p := range b.sc.detach {
		if ps.ARN == b.sc.ps.ARN && !slices.Contains(ps.ManagedPolicies, p) {
			b.notes = append(b.notes, fmt.Sprintf("Managed policy %s is not attached to %s in the state: nothing to detach.", p, sanitize(ps.Name)))
		}
	}
	extra := ""
	if manual {
		extra = managementCreds
	}
	for _, p := range detach {
		b.chk.check(policyARNRe, "managed policy ARN", p)
		why := "The policy gives the permission set admin or privileged access the attacker added; sessions issued after the provisioning no longer get it."
		if b.sc.rogue {
			why = "The permission set is rogue: strip its admin/privileged managed policies at once. " + remainingAccess(ps, detach)
		}
		b.add(Step{
			Phase: PhasePersistence, Manual: manual, touches: []string{ps.ARN}, detaches: []string{p},
			Title: fmt.Sprintf("Detach %s from permission set %s", p, sanitize(ps.Name)),
			Why:   why + extra,
			Call: &Call{Service: SvcSSOAdmin, Operation: "DetachManagedPolicyFromPermissionSet", Params: map[string]any{
				"InstanceArn": b.m.InstanceARN, "PermissionSetArn": ps.ARN, "ManagedPolicyArn": p,
			}},
			Proof: []Check{
				{Kind: "cloudtrail", What: fmt.Sprintf("sso.amazonaws.com DetachManagedPolicyFromPermissionSet (managedPolicyArn %s), then iam.amazonaws.com DetachRolePolicy on AWSReservedSSO_%s_* (invokedBy sso.amazonaws.com) in each account after provisioning", p, sanitize(ps.Name))},
				{Kind: "api", What: "the policy is no longer listed", CLI: b.readCLI("ListManagedPoliciesInPermissionSet", ps.ARN)},
			},
			impacts: []impact{{kind: impactInterrupt, match: func(x accessPath) bool { return x.PS == ps.ARN }}},
		})
	}
	if dur != "" {
		cur := ps.SessionDuration
		if cur == "" {
			cur = "PT1H"
		}
		b.add(Step{
			Phase: PhasePersistence, Manual: manual, touches: []string{ps.ARN},
			Title: fmt.Sprintf("Restore the session duration of %s from %s to %s", sanitize(ps.Name), sanitize(cur), dur),
			Why:   fmt.Sprintf("A long session (%s) keeps stolen credentials alive; %s is the configured maximum (max_session_duration).%s", sanitize(cur), dur, extra),
			Call: &Call{Service: SvcSSOAdmin, Operation: "UpdatePermissionSet", Params: map[string]any{
				"InstanceArn": b.m.InstanceARN, "PermissionSetArn": ps.ARN, "SessionDuration": dur,
			}},
			Proof: []Check{
				{Kind: "cloudtrail", What: fmt.Sprintf("sso.amazonaws.com UpdatePermissionSet with requestParameters.sessionDuration %s", dur)},
				{Kind: "api", What: "SessionDuration is " + dur, CLI: b.readCLI("DescribePermissionSet", ps.ARN)},
			},
			impacts: []impact{{kind: impactInterrupt, match: func(x accessPath) bool { return x.PS == ps.ARN }}},
		})
	}
	if ps.ARN == b.sc.psARN() && !b.sc.rogue && strings.TrimSpace(ps.InlinePolicy) != "" {
		if lvl := inlineLevel(ps.InlinePolicy); lvl >= policy.LevelPrivileged {
			b.notes = append(b.notes, fmt.Sprintf("The inline policy of %s grants %s access. portcullis never rewrites existing statements: review it and remove the attacker's statements by hand.", sanitize(ps.Name), lvl))
		}
	}
	return len(detach) > 0 || dur != ""
}

// remainingAccess says what ps still grants once detach is gone, so no
// step calls a set harmless while an admin statement remains in it: the
// inline policy (never rewritten by a plan), managed policies that stay,
// and customer-managed policies, which cannot be read from here.
func remainingAccess(ps *idc.PermissionSet, detach []string) string {
	var still []string
	if lvl := inlineLevel(ps.InlinePolicy); lvl >= policy.LevelPrivileged {
		still = append(still, fmt.Sprintf("its inline policy grants %s access (portcullis never rewrites existing statements)", lvl))
	}
	for _, p := range ps.ManagedPolicies {
		if !slices.Contains(detach, p) && managedLevel(p) >= policy.LevelPrivileged {
			still = append(still, fmt.Sprintf("managed policy %s grants %s access", p, managedLevel(p)))
		}
	}
	if len(ps.CustomerManagedPolicies) > 0 || ps.PermissionsBoundary != nil {
		still = append(still, "its customer-managed policies cannot be read from Identity Center and may grant more")
	}
	if len(still) == 0 {
		return "Then no admin or privileged access is left in it, even before it is deleted."
	}
	return "It still grants access after this step: " + strings.Join(still, "; ") + ". That lasts until the set is deleted."
}

func (sc *scope) psARN() string {
	if sc.ps == nil {
		return ""
	}
	return sc.ps.ARN
}

func inlineLevel(doc string) policy.Level {
	a, err := policy.Analyze([]byte(doc))
	if err != nil {
		return policy.LevelNone
	}
	return a.Level
}

// provision pushes the changed permission set to its accounts and waits.
func (b *builder) provision(ps *idc.PermissionSet, accts []string, manual, perAccount bool) {
	extra := ""
	if manual {
		extra = managementCreds
	}
	mk := func(targetType, target, title string) {
		params := map[string]any{"InstanceArn": b.m.InstanceARN, "PermissionSetArn": ps.ARN, "TargetType": targetType}
		if target != "" {
			params["TargetId"] = target
		}
		b.add(Step{
			Phase: PhaseRevoke, Manual: manual, touches: []string{ps.ARN},
			Title: title,
			Why:   "A permission set change reaches the AWSReservedSSO roles in member accounts only when it is provisioned; the deny takes effect on the next request of each live session." + extra,
			Call:  &Call{Service: SvcSSOAdmin, Operation: "ProvisionPermissionSet", Params: params, Outputs: []string{"RequestId"}},
			Wait: &Wait{Service: SvcSSOAdmin, Operation: "DescribePermissionSetProvisioningStatus",
				Params: map[string]any{"InstanceArn": b.m.InstanceARN}, RequestParam: "ProvisionPermissionSetRequestId"},
			Proof: []Check{
				{Kind: "cloudtrail", What: fmt.Sprintf("sso.amazonaws.com ProvisionPermissionSet for %s; in each account iam.amazonaws.com PutRolePolicy / DetachRolePolicy on AWSReservedSSO_%s_* with invokedBy sso.amazonaws.com", ps.ARN, sanitize(ps.Name))},
				{Kind: "cloudtrail", What: fmt.Sprintf("afterwards, calls by the contained sessions (userIdentity.arn …:assumed-role/AWSReservedSSO_%s_…/<user>) fail with errorCode AccessDenied (explicit deny in an identity-based policy)", sanitize(ps.Name))},
				{Kind: "api", What: "DescribePermissionSetProvisioningStatus reports SUCCEEDED (Apply waits for it)"},
			},
		})
	}
	if perAccount || b.in.ProvisionPerAccount {
		for _, a := range accts {
			mk("AWS_ACCOUNT", a, fmt.Sprintf("Provision permission set %s to account %s", sanitize(ps.Name), a))
		}
		return
	}
	mk("ALL_PROVISIONED_ACCOUNTS", "", fmt.Sprintf("Provision permission set %s to the %d account(s) it is provisioned to", sanitize(ps.Name), len(accts)))
}

// scpSteps creates one SCP denying the targets' role sessions and attaches
// it to their accounts.
func (b *builder) scpSteps(targets []scpTarget) error {
	var patterns, names, accts []string
	for _, t := range targets {
		name := "*"
		if t.ps != nil {
			if !psNameRe.MatchString(t.ps.Name) {
				return fmt.Errorf("permission set name %q does not match AWS's pattern: refusing to build an SCP pattern from it", t.ps.Name)
			}
			name = t.ps.Name + "_????????????????" // the role suffix is 16 hex digits
			names = append(names, t.ps.Name)
		} else {
			names = append(names, "every permission set")
		}
		base := "arn:" + b.part + ":iam::*:role/aws-reserved/sso.amazonaws.com/"
		// Newer instances put the region in the role path.
		patterns = append(patterns, base+"AWSReservedSSO_"+name, base+"*/AWSReservedSSO_"+name)
		accts = append(accts, t.accounts...)
	}
	slices.Sort(accts)
	accts = slices.Compact(accts)
	cond := b.denyCondition()
	cond["ArnLike"] = map[string]any{condPrincipalARN: patterns}
	st := policy.Statement{Sid: sidPrefix + "IdentityCenterSessions", Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"}, Condition: cond}
	doc, err := policy.MergeStatements(nil, []policy.Statement{st}, scpMaxBytes)
	if err != nil {
		if errors.Is(err, policy.ErrTooLarge) {
			return fmt.Errorf("the SCP would exceed AWS Organizations' %d-character limit (%w): contain fewer permission sets at a time", scpMaxBytes, err)
		}
		return fmt.Errorf("build SCP: %w", err)
	}
	desc := truncate("portcullis containment "+b.now.Format(time.RFC3339)+": deny Identity Center sessions of "+sanitize(strings.Join(names, ", ")), 512)
	var touches []string
	for _, t := range targets {
		if t.ps != nil {
			touches = append(touches, t.ps.ARN)
		}
	}
	create := b.add(Step{
		Phase: PhaseRevoke, touches: touches,
		Title: "Create an SCP denying " + b.whomShort() + " of " + sanitize(strings.Join(names, ", ")),
		Why: scpReason(targets) + ": for the AWSReservedSSO_<name>_* roles (aws:PrincipalArn) it denies " + b.whom() +
			". Needs management-account (or Organizations delegated-admin) credentials and SCPs enabled on the root; a target holds at most 5 SCPs; SCPs never apply to the management account.",
		Call: &Call{Service: SvcOrganizations, Operation: "CreatePolicy", Params: map[string]any{
			"Type": "SERVICE_CONTROL_POLICY", "Name": "portcullis-contain-" + b.now.Format("20060102T150405Z"),
			"Description": desc, "Content": string(doc),
		}, Outputs: []string{"PolicyId"}},
		Proof: []Check{{Kind: "cloudtrail", What: "organizations.amazonaws.com CreatePolicy (requestParameters.type SERVICE_CONTROL_POLICY, name portcullis-contain-…)"}},
	})
	for _, a := range accts {
		acct := a
		var imp []impact
		for _, t := range targets {
			if !slices.Contains(t.accounts, acct) {
				continue
			}
			ps := ""
			if t.ps != nil {
				ps = t.ps.ARN
			}
			kind := impactInterrupt
			if b.mode == RevokeUser {
				kind = impactRemove
			}
			uid := ""
			if b.mode == RevokeUser || b.mode == RevokeBoth {
				uid = b.sc.user.ID
			}
			imp = append(imp, impact{kind: kind, match: func(x accessPath) bool {
				return x.Account == acct && (ps == "" || x.PS == ps) && (uid == "" || x.User == uid)
			}})
		}
		b.add(Step{
			Phase: PhaseRevoke, touches: touches,
			Title: "Attach the SCP to account " + acct,
			Why:   "The SCP takes effect on the next request of every session in the account it is attached to.",
			Call: &Call{Service: SvcOrganizations, Operation: "AttachPolicy",
				Params: map[string]any{"PolicyId": "<PolicyId of " + create + ">", "TargetId": acct},
				Refs:   map[string]Ref{"PolicyId": {Step: create, Output: "PolicyId"}}},
			Proof: []Check{
				{Kind: "cloudtrail", What: "organizations.amazonaws.com AttachPolicy (requestParameters.targetId " + acct + ")"},
				{Kind: "cloudtrail", What: "afterwards, calls by the contained sessions in " + acct + " fail with errorCode AccessDenied (explicit deny in a service control policy)"},
				{Kind: "api", What: "the SCP is attached", CLI: cliRead(SvcOrganizations, "ListPoliciesForTarget", b.in.Region, "TargetId", acct, "Filter", "SERVICE_CONTROL_POLICY")},
			},
			impacts: imp,
		})
	}
	return nil
}

func scpReason(targets []scpTarget) string {
	if len(targets) == 1 && targets[0].ps == nil {
		return "An account alone names no permission set, so a service control policy ends every Identity Center session in it (yours too: sign in again afterwards)"
	}
	return "Where the permission set cannot be changed, a service control policy ends the sessions instead"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// readCLI is a read-only command about a permission set, for proofs.
func (b *builder) readCLI(op, psARN string) string {
	return cliRead(SvcSSOAdmin, op, b.in.Region, "InstanceArn", b.m.InstanceARN, "PermissionSetArn", psARN)
}

// cliRead renders a read-only AWS CLI command from name/value pairs.
func cliRead(service, op, region string, kv ...string) string {
	parts := []string{"aws", service, kebab(op)}
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, "--"+kebab(kv[i]), shq(kv[i+1]))
	}
	if region != "" {
		parts = append(parts, "--region", shq(region))
	}
	return strings.Join(parts, " ")
}
