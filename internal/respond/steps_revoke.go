package respond

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Condition keys. identitystore:userId is the key AWS documents for the
// Identity Center user id on permission-set role sessions ("Use a Deny
// policy to revoke active user permissions", IAM Identity Center User
// Guide, prereqs-revoking-user-permissions); condition key names are
// case-insensitive, so identitystore:UserId in other pages is the same key.
const (
	condUserID       = "identitystore:userId"
	condTokenIssued  = "aws:TokenIssueTime"
	condPrincipalARN = "aws:PrincipalArn"
	scpMaxBytes      = 5120 // AWS Organizations' SCP size limit
	sidPrefix        = "PortcullisDeny"
)

// revokeSets are the permission sets whose live sessions must end.
func (b *builder) revokeSets() []*idc.PermissionSet {
	sc := b.sc
	arns := map[string]bool{}
	switch {
	case sc.user != nil && sc.memberGroup != nil:
		for _, a := range b.m.Assignments {
			if a.PrincipalType == "GROUP" && a.PrincipalID == sc.memberGroup.ID && sc.matches(a) {
				arns[a.PermissionSetARN] = true
			}
		}
	case sc.user != nil:
		for _, p := range b.ax.paths(sc.user.ID) {
			if sc.matches(idc.Assignment{AccountID: p.Account, PermissionSetARN: p.PS}) {
				arns[p.PS] = true
			}
		}
	case sc.group != nil:
		for _, a := range b.m.Assignments {
			if a.PrincipalType == "GROUP" && a.PrincipalID == sc.group.ID && sc.matches(a) {
				arns[a.PermissionSetARN] = true
			}
		}
	}
	if sc.ps != nil {
		if (sc.user == nil && sc.group == nil) || sc.rogue || b.hasMods(sc.ps) {
			arns[sc.ps.ARN] = true
		}
	}
	var out []*idc.PermissionSet
	for _, arn := range slices.Sorted(maps.Keys(arns)) {
		if ps, ok := b.m.PermissionSets[arn]; ok {
			out = append(out, ps)
		} else {
			b.notes = append(b.notes, fmt.Sprintf("Permission set %s is assigned but missing from the state: its sessions are not revoked by this plan.", arn))
		}
	}
	slices.SortStableFunc(out, func(x, y *idc.PermissionSet) int { return compareStrings(x.Name, y.Name) })
	return out
}

// scpTarget is one permission set (or all, name "") denied by SCP in accounts.
type scpTarget struct {
	ps       *idc.PermissionSet
	accounts []string
}

func (b *builder) revoke() error {
	sc := b.sc
	if sc.user == nil && sc.group == nil && sc.ps == nil {
		return b.revokeAccount()
	}
	var scp []scpTarget
	for _, ps := range b.revokeSets() {
		if err := b.revokeSet(ps, &scp); err != nil {
			return err
		}
	}
	if len(scp) > 0 {
		return b.scpSteps(scp)
	}
	return nil
}

// revokeAccount denies every Identity Center session in one account issued
// before now: the only containment an account alone names.
func (b *builder) revokeAccount() error {
	acct := b.sc.account
	if acct == b.mgmt {
		return fmt.Errorf("account %s is the management account: SCPs do not apply to it; contain by permission set or principal instead", acct)
	}
	if b.mode == RevokeNone {
		return nil
	}
	return b.scpSteps([]scpTarget{{accounts: []string{acct}}})
}

func (b *builder) revokeSet(ps *idc.PermissionSet, scp *[]scpTarget) error {
	b.chk.check(psARNRe, "permission set ARN", ps.ARN)
	accts := b.ax.provisionedAccounts(ps.ARN)
	for _, a := range accts {
		b.chk.check(accountRe, "account id", a)
	}
	immutable := b.in.DelegatedAdmin && b.mgmt != "" && slices.Contains(accts, b.mgmt)
	deny := b.mode != RevokeNone
	if len(accts) == 0 {
		b.notes = append(b.notes, fmt.Sprintf("Permission set %s is not provisioned to any account: it has no live sessions to revoke.", sanitize(ps.Name)))
		deny = false
	}
	useSCP := deny && (b.in.Via == ViaSCP || immutable)
	var members []string
	for _, a := range accts {
		if a != b.mgmt {
			members = append(members, a)
		}
	}
	if useSCP && len(members) > 0 {
		*scp = append(*scp, scpTarget{ps: ps, accounts: members})
	}
	provision := false
	switch {
	case deny && !useSCP:
		if err := b.inlineDeny(ps, accts, false); err != nil {
			return err
		}
		provision = true
	case deny && slices.Contains(accts, b.mgmt):
		// SCPs never apply to the management account: its role needs the
		// inline deny, from management-account credentials if we are the
		// delegated admin.
		if err := b.inlineDeny(ps, []string{b.mgmt}, immutable); err != nil {
			return err
		}
		if !immutable && !b.hasMods(ps) {
			b.provision(ps, []string{b.mgmt}, false, true)
		}
		provision = immutable
	}
	if b.persistence(ps, immutable) {
		provision = true
	}
	if provision && len(accts) > 0 {
		b.provision(ps, accts, immutable, false)
	}
	return nil
}

// denyStatement is the deny-all statement for the plan's mode.
func (b *builder) denyStatement() policy.Statement {
	st := policy.Statement{Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"}, Condition: b.denyCondition()}
	switch b.mode {
	case RevokeIssuedBefore:
		st.Sid = sidPrefix + "IssuedBefore"
	case RevokeUser:
		st.Sid = sidPrefix + "User" + alnum(b.sc.user.ID)
	case RevokeBoth:
		st.Sid = sidPrefix + "UserIssuedBefore" + alnum(b.sc.user.ID)
	}
	return st
}

func (b *builder) denyCondition() map[string]map[string]any {
	c := map[string]map[string]any{}
	if b.mode == RevokeIssuedBefore || b.mode == RevokeBoth {
		c["DateLessThan"] = map[string]any{condTokenIssued: b.now.Format(time.RFC3339)}
	}
	if b.mode == RevokeUser || b.mode == RevokeBoth {
		b.chk.check(idRe, "user id", b.sc.user.ID)
		c["StringEquals"] = map[string]any{condUserID: b.sc.user.ID}
	}
	return c
}

// alnum keeps [A-Za-z0-9]: Sids allow nothing else.
func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, s)
}

func (b *builder) whom() string {
	switch b.mode {
	case RevokeUser:
		return fmt.Sprintf("user %s's sessions (identitystore:userId %s), now and later", sanitize(b.sc.user.UserName), b.sc.user.ID)
	case RevokeBoth:
		return fmt.Sprintf("user %s's sessions issued before %s", sanitize(b.sc.user.UserName), b.now.Format(time.RFC3339))
	}
	return "every session issued before " + b.now.Format(time.RFC3339)
}

// inlineDeny merges the deny statement into the set's inline policy.
func (b *builder) inlineDeny(ps *idc.PermissionSet, accts []string, manual bool) error {
	st := b.denyStatement()
	doc, err := policy.MergeStatements([]byte(ps.InlinePolicy), []policy.Statement{st}, policy.InlinePolicyMaxBytes)
	if err != nil {
		if errors.Is(err, policy.ErrTooLarge) {
			return fmt.Errorf("permission set %s: adding the deny statement would push its inline policy over Identity Center's %d-byte limit (%w); revoke with an SCP instead (revoke via scp)", sanitize(ps.Name), policy.InlinePolicyMaxBytes, err)
		}
		return fmt.Errorf("permission set %s: merging the deny into its inline policy: %w", sanitize(ps.Name), err)
	}
	why := fmt.Sprintf("Removing access does not end sessions already issued: %s roles cannot be edited through IAM, so the deny goes into the permission set's inline policy, merged with the statements already there (none is dropped; a statement with the same Sid from an earlier run is replaced). It denies %s.",
		"AWSReservedSSO_"+sanitize(ps.Name)+"_*", b.whom())
	if manual {
		why += " As delegated admin we cannot change a permission set provisioned to the management account: run this with management-account credentials."
	} else if b.in.Via == ViaSCP {
		why += " The management account is outside every SCP, so its role gets the inline deny."
	}
	s := Step{
		Phase: PhaseRevoke, Manual: manual, touches: []string{ps.ARN},
		Title: fmt.Sprintf("Deny %s in permission set %s", b.whomShort(), sanitize(ps.Name)),
		Why:   why,
		Call: &Call{Service: SvcSSOAdmin, Operation: "PutInlinePolicyToPermissionSet", Params: map[string]any{
			"InstanceArn": b.m.InstanceARN, "PermissionSetArn": ps.ARN, "InlinePolicy": string(doc),
		}},
		Merge: &Merge{Add: []policy.Statement{st}, BaseSHA256: sha256Hex(ps.InlinePolicy)},
		Proof: []Check{
			{Kind: "cloudtrail", What: fmt.Sprintf("sso.amazonaws.com PutInlinePolicyToPermissionSet for %s (requestParameters.inlinePolicy contains Sid %s)", ps.ARN, st.Sid)},
			{Kind: "api", What: "the inline policy holds the statement", CLI: b.readCLI("GetInlinePolicyForPermissionSet", ps.ARN)},
		},
	}
	s.impacts = b.denyImpacts(ps.ARN, accts)
	b.add(s)
	return nil
}

func (b *builder) whomShort() string {
	switch b.mode {
	case RevokeUser:
		return "sessions of user " + sanitize(b.sc.user.UserName)
	case RevokeBoth:
		return "earlier sessions of user " + sanitize(b.sc.user.UserName)
	}
	return "all sessions issued before " + b.now.Format(time.RFC3339)
}

// denyImpacts: a user-keyed deny removes that user's paths through the set
// (it holds for later sessions too); a time-keyed one interrupts everyone's.
func (b *builder) denyImpacts(psARN string, accts []string) []impact {
	in := func(p accessPath) bool { return p.PS == psARN && slices.Contains(accts, p.Account) }
	if b.mode == RevokeUser {
		uid := b.sc.user.ID
		return []impact{{kind: impactRemove, match: func(p accessPath) bool { return p.User == uid && in(p) }}}
	}
	if b.mode == RevokeBoth {
		uid := b.sc.user.ID
		return []impact{{kind: impactInterrupt, match: func(p accessPath) bool { return p.User == uid && in(p) }}}
	}
	return []impact{{kind: impactInterrupt, match: in}}
}

// hasMods reports whether persistence changes apply to ps.
func (b *builder) hasMods(ps *idc.PermissionSet) bool {
	d, dur := b.mods(ps)
	return len(d) > 0 || dur != ""
}

// mods are the persistence changes for the subject permission set: managed
// policies to detach and the session duration to restore ("" = keep).
func (b *builder) mods(ps *idc.PermissionSet) ([]string, string) {
	sc := b.sc
	if sc.ps == nil || ps.ARN != sc.ps.ARN {
		return nil, ""
	}
	var detach []string
	for _, p := range ps.ManagedPolicies {
		if slices.Contains(sc.detach, p) || (sc.rogue && managedLevel(p) >= policy.LevelPrivileged) {
			detach = append(detach, p)
		}
	}
	dur := ""
	cur := time.Hour
	if ps.SessionDuration != "" {
		if d, err := config.ParseDuration(ps.SessionDuration); err == nil {
			cur = d
		}
	}
	if cur > b.cfg.MaxSessionDuration {
		dur = isoDuration(b.cfg.MaxSessionDuration)
	}
	return detach, dur
}

func isoDuration(d time.Duration) string {
	h, m := int(d/time.Hour), int((d%time.Hour)/time.Minute)
	s := "PT"
	if h > 0 {
		s += fmt.Sprintf("%dH", h)
	}
	if m > 0 || h == 0 {
		s += fmt.Sprintf("%dM", m)
	}
	return s
}
