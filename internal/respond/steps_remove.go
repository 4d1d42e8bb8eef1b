package respond

import (
	"fmt"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

func (b *builder) psName(arn string) string {
	if ps, ok := b.m.PermissionSets[arn]; ok {
		return sanitize(ps.Name)
	}
	return arn
}

func (b *builder) principalName(typ, id string) string {
	if typ == "USER" {
		if u, ok := b.m.Users[id]; ok && u.UserName != "" {
			return "user " + sanitize(u.UserName)
		}
		return "user " + id
	}
	if g, ok := b.m.Groups[id]; ok && g.DisplayName != "" {
		return "group " + sanitize(g.DisplayName)
	}
	return "group " + id
}

// deleteAssignment removes one assignment and waits for the deletion.
func (b *builder) deleteAssignment(a idc.Assignment) {
	b.chk.check(accountRe, "account id", a.AccountID)
	b.chk.check(psARNRe, "permission set ARN", a.PermissionSetARN)
	b.chk.check(idRe, "principal id", a.PrincipalID)
	if a.PrincipalType != "USER" && a.PrincipalType != "GROUP" {
		b.chk.errs = append(b.chk.errs, fmt.Sprintf("principal type %q is neither USER nor GROUP", a.PrincipalType))
	}
	manual := b.in.DelegatedAdmin && a.AccountID == b.mgmt
	why := "The assignment gives the principal a way to sign in to the account with this permission set. Deletion is asynchronous: wait until DescribeAccountAssignmentDeletionStatus reports SUCCEEDED."
	if b.sc.rogue {
		why = "Every assignment of a rogue permission set goes, so the set can be deleted. Deletion is asynchronous: wait until DescribeAccountAssignmentDeletionStatus reports SUCCEEDED."
	}
	if manual {
		why += " As delegated admin we cannot manage access to the management account: run this with management-account credentials."
	}
	who := b.principalName(a.PrincipalType, a.PrincipalID)
	typ, pid, acct, ps := a.PrincipalType, a.PrincipalID, a.AccountID, a.PermissionSetARN
	b.add(Step{
		Phase: PhaseAssignments, Manual: manual, touches: []string{ps},
		Title: fmt.Sprintf("Delete the assignment of %s to %s in account %s", who, b.psName(ps), acct),
		Why:   why,
		Call: &Call{Service: SvcSSOAdmin, Operation: "DeleteAccountAssignment", Params: map[string]any{
			"InstanceArn": b.m.InstanceARN, "TargetId": acct, "TargetType": "AWS_ACCOUNT",
			"PermissionSetArn": ps, "PrincipalType": typ, "PrincipalId": pid,
		}, Outputs: []string{"RequestId"}},
		Wait: &Wait{Service: SvcSSOAdmin, Operation: "DescribeAccountAssignmentDeletionStatus",
			Params: map[string]any{"InstanceArn": b.m.InstanceARN}, RequestParam: "AccountAssignmentDeletionRequestId"},
		Proof: []Check{
			{Kind: "cloudtrail", What: fmt.Sprintf("sso.amazonaws.com DeleteAccountAssignment (requestParameters.targetId %s, principalId %s, permissionSetArn %s)", acct, pid, ps)},
			{Kind: "cloudtrail", What: fmt.Sprintf("if it was the set's last assignment in %s: iam.amazonaws.com DeleteRole of AWSReservedSSO_%s_* there, by AWSServiceRoleForSSO (invokedBy sso.amazonaws.com)", acct, b.psName(ps))},
			{Kind: "api", What: "the principal is no longer listed", CLI: cliRead(SvcSSOAdmin, "ListAccountAssignments", b.in.Region, "InstanceArn", b.m.InstanceARN, "AccountId", acct, "PermissionSetArn", ps)},
		},
		impacts: []impact{{kind: impactRemove, match: func(p accessPath) bool {
			if p.Account != acct || p.PS != ps {
				return false
			}
			if typ == "GROUP" {
				return p.Via == pid
			}
			return p.Via == "" && p.User == pid
		}}},
	})
}

// removeMemberships deletes the user's memberships; a membership id the
// state lacks is looked up first.
func (b *builder) removeMemberships(ms []membership) {
	if len(ms) == 0 {
		return
	}
	b.chk.check(identityStoreRe, "identity store id", b.m.IdentityStoreID)
	for _, mb := range ms {
		b.chk.check(idRe, "group id", mb.group.ID)
		b.chk.check(idRe, "user id", mb.user.ID)
		gname, uname := sanitize(groupLabel(mb.group)), sanitize(userLabel(mb.user))
		del := &Call{Service: SvcIdentityStore, Operation: "DeleteGroupMembership", Params: map[string]any{
			"IdentityStoreId": b.m.IdentityStoreID, "MembershipId": mb.id,
		}}
		if mb.id == "" {
			look := b.add(Step{
				Phase: PhaseMemberships,
				Title: fmt.Sprintf("Look up the membership id of %s in group %s", uname, gname),
				Why:   "DeleteGroupMembership needs the membership id, which the state does not have.",
				Call: &Call{Service: SvcIdentityStore, Operation: "GetGroupMembershipId", Params: map[string]any{
					"IdentityStoreId": b.m.IdentityStoreID, "GroupId": mb.group.ID, "MemberId": map[string]string{"UserId": mb.user.ID},
				}, Outputs: []string{"MembershipId"}},
			})
			del.Params["MembershipId"] = "<MembershipId of " + look + ">"
			del.Refs = map[string]Ref{"MembershipId": {Step: look, Output: "MembershipId"}}
		} else {
			b.chk.check(idRe, "membership id", mb.id)
		}
		why := "Membership of a privileged group is a path to its permission sets in every account the group is assigned."
		if b.sc.subject.External {
			why += " The identity is provisioned from an external IdP: also remove it there (next step), or SCIM adds it back on the next sync."
		}
		uid, gid := mb.user.ID, mb.group.ID
		b.add(Step{
			Phase: PhaseMemberships,
			Title: fmt.Sprintf("Remove %s from group %s", uname, gname),
			Why:   why,
			Call:  del,
			Proof: []Check{
				{Kind: "cloudtrail", What: fmt.Sprintf("identitystore.amazonaws.com DeleteGroupMembership (requestParameters.membershipId of %s in %s)", uid, gid)},
				{Kind: "cloudtrail", What: fmt.Sprintf("no later identitystore-scim.amazonaws.com PatchGroup adding %s back to %s", uid, gid)},
				{Kind: "api", What: "the group is no longer listed", CLI: cliRead(SvcIdentityStore, "ListGroupMembershipsForMember", b.in.Region, "IdentityStoreId", b.m.IdentityStoreID, "MemberId", "UserId="+uid)},
			},
			impacts: []impact{{kind: impactRemove, match: func(p accessPath) bool { return p.User == uid && p.Via == gid }}},
		})
	}
}

func groupLabel(g *idc.Group) string {
	if g.DisplayName != "" {
		return g.DisplayName + " (" + g.ID + ")"
	}
	return g.ID
}

func userLabel(u *idc.User) string {
	if u.UserName != "" {
		return u.UserName + " (" + u.ID + ")"
	}
	return u.ID
}

// identityProvider adds the steps only a person can take for an identity
// that comes from an external IdP.
func (b *builder) identityProvider(ms []membership) {
	sc := b.sc
	if !sc.subject.External {
		return
	}
	if sc.user != nil {
		var groups []string
		for _, mb := range ms {
			groups = append(groups, groupLabel(mb.group))
		}
		what := "disable the user or reset its credentials and MFA"
		if len(groups) > 0 {
			what = "remove the user from " + strings.Join(groups, ", ") + ", and " + what
		}
		b.add(Step{
			Phase: PhaseMemberships, Manual: true,
			Title: fmt.Sprintf("In the identity provider: %s for %s", sanitize(what), sanitize(userLabel(sc.user))),
			Why:   "The identity is provisioned by SCIM from an external IdP (external id or external_idp identity source): SCIM re-adds users and memberships on its next sync unless the IdP changes too.",
			Proof: []Check{
				{Kind: "console", What: "the IdP's audit log shows the change"},
				{Kind: "cloudtrail", What: "identitystore-scim.amazonaws.com PatchGroup / PatchUser calls that match the change, and none re-adding the access"},
			},
		})
	}
	b.add(Step{
		Phase: PhaseMemberships, Manual: true,
		Title: "Rotate the SCIM access token (console only)",
		Why: "A SCIM bearer token can create users and set group memberships; an attacker who holds it can provision the access back. There is no API for it: in the IAM Identity Center console choose Settings > Identity source > Actions > Manage provisioning, note the current token id under Access tokens, generate a new token (at most two exist: delete an unused one first), " +
			"configure the new token in the IdP and test provisioning, then delete the old token.",
		Proof: []Check{
			{Kind: "cloudtrail", What: "CreateBearerToken and DeleteBearerToken by a known admin"},
			{Kind: "cloudtrail", What: "identitystore-scim.amazonaws.com calls keep succeeding (the IdP uses the new token)"},
		},
	})
}

// deletePermissionSet deletes a rogue set once none of its assignments is
// left (Identity Center refuses to delete a provisioned set).
func (b *builder) deletePermissionSet(dels []idc.Assignment) {
	sc := b.sc
	if !sc.rogue {
		return
	}
	ps := sc.ps
	left := 0
	for _, a := range b.m.Assignments {
		if a.PermissionSetARN != ps.ARN {
			continue
		}
		gone := false
		for _, d := range dels {
			gone = gone || d.Key() == a.Key()
		}
		if !gone {
			left++
		}
	}
	if left > 0 {
		b.notes = append(b.notes, fmt.Sprintf("Permission set %s is not deleted: %d of its assignments are outside this plan's filters. Contain it without --account to delete it.", sanitize(ps.Name), left))
		return
	}
	manual := b.in.DelegatedAdmin && b.mgmt != "" && containsString(b.ax.provisionedAccounts(ps.ARN), b.mgmt)
	extra := ""
	if manual {
		extra = managementCreds
	}
	arn := ps.ARN
	b.add(Step{
		Phase: PhasePersistence, Manual: manual, touches: []string{arn},
		Title: "Delete the rogue permission set " + sanitize(ps.Name),
		Why:   "A rogue permission set is persistence: anyone who can assign it regains its access in one call. Its assignments are gone (the deletions above waited for SUCCEEDED), so Identity Center has removed its roles; it refuses (ConflictException) while any assignment is left." + extra,
		Call:  &Call{Service: SvcSSOAdmin, Operation: "DeletePermissionSet", Params: map[string]any{"InstanceArn": b.m.InstanceARN, "PermissionSetArn": arn}},
		Proof: []Check{
			{Kind: "cloudtrail", What: "sso.amazonaws.com DeletePermissionSet (requestParameters.permissionSetArn " + arn + ")"},
			{Kind: "api", What: "answers ResourceNotFoundException", CLI: b.readCLI("DescribePermissionSet", arn)},
		},
		impacts: []impact{{kind: impactRemove, match: func(p accessPath) bool { return p.PS == arn }}},
	})
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
