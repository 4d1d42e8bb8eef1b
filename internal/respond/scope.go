package respond

import (
	"fmt"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// scope is the Input resolved against the state.
type scope struct {
	user        *idc.User
	group       *idc.Group // principal is a group
	memberGroup *idc.Group // with a user: remove only this membership
	ps          *idc.PermissionSet
	account     string
	rogue       bool
	detach      []string
	subject     Subject
}

// ruleAction says what a finding's rule asks containment to do.
type ruleAction struct {
	principal  bool // contain the target principal
	membership bool
	rogue      bool // the permission set is attacker-made
	detach     bool // detach targets.policy_arn
	note       string
}

// ruleActions covers the rule pack's ids (a contract). Rules absent here
// fall back to whatever targets the finding carries.
var ruleActions = map[string]ruleAction{
	"idc.assignment.created":                      {principal: true},
	"idc.session.fresh-assignment-used":           {principal: true},
	"idc.directory.privileged-group-member-added": {principal: true, membership: true},
	"idc.chain.backdoor-user":                     {principal: true},
	"idc.directory.user-created":                  {principal: true},
	"idc.directory.group-created":                 {principal: true},
	"idc.permission-set.created":                  {rogue: true},
	"idc.chain.backdoor-permission-set":           {rogue: true},
	"idc.permission-set.admin-policy-attached":    {detach: true},
	"idc.permission-set.session-duration-raised":  {},
	"idc.permission-set.provisioned":              {},
	"idc.permission-set.privileged-inline-policy": {},
	"idc.permission-set.boundary-removed":         {note: "The permissions boundary of this permission set was removed: re-attach it (aws sso-admin put-permissions-boundary-to-permission-set, then provision-permission-set)."},
}

// fromFinding fills the Input fields the caller left empty.
func fromFinding(in Input, f *finding.Finding) (Input, []string, error) {
	t := f.Targets
	act, known := ruleActions[f.Rule]
	var notes []string
	if !known {
		if f.Rule == "idc.assignment.deleted" {
			return in, nil, fmt.Errorf("finding %s (rule %s) records a removal: there is no grant to contain; contain the actor instead (--principal)", f.ID, f.Rule)
		}
		act = ruleAction{principal: true}
	}
	if in.Principal == "" && act.principal {
		switch {
		case act.membership && t.UserID != "":
			in.Principal = t.UserID
		case t.PrincipalID != "":
			in.Principal = t.PrincipalID
		case t.UserID != "":
			in.Principal = t.UserID
		case t.GroupID != "" && f.Rule == "idc.directory.group-created":
			in.Principal = t.GroupID
		}
	}
	if in.Group == "" && act.membership {
		in.Group = t.GroupID
	}
	if in.PermissionSet == "" {
		in.PermissionSet = t.PermissionSetARN
		if in.PermissionSet == "" {
			in.PermissionSet = t.PermissionSetName
		}
	}
	if in.Account == "" {
		in.Account = t.AccountID
	}
	if act.rogue {
		in.DeletePermissionSet = true
	}
	if act.detach && t.PolicyARN != "" && strings.Contains(t.PolicyARN, ":policy/") {
		in.DetachPolicies = append(in.DetachPolicies, t.PolicyARN)
	}
	if act.note != "" {
		notes = append(notes, act.note)
	}
	if f.Actor.UserID != "" && f.Actor.UserID != in.Principal && !f.Actor.Allowlisted {
		notes = append(notes, fmt.Sprintf("The change was made by %s (Identity Center user %s). If that identity is compromised, contain it too: portcullis contain --principal %s", sanitize(actorName(f.Actor)), f.Actor.UserID, f.Actor.UserID))
	}
	if in.Principal == "" && in.PermissionSet == "" && in.Account == "" {
		return in, nil, fmt.Errorf("finding %s (rule %s) names no principal, permission set or account to contain", f.ID, f.Rule)
	}
	return in, notes, nil
}

func actorName(a finding.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.ARN
}

// resolve looks every named object up in the state.
func resolve(in Input, m *idc.Model) (*scope, error) {
	sc := &scope{account: in.Account, rogue: in.DeletePermissionSet, detach: in.DetachPolicies}
	if f := in.Finding; f != nil {
		sc.subject.FindingID, sc.subject.Rule = f.ID, f.Rule
	}
	if in.Principal != "" {
		if err := sc.resolvePrincipal(in.Principal, m); err != nil {
			return nil, err
		}
	}
	if in.Group != "" {
		if sc.user == nil {
			return nil, fmt.Errorf("group %q: a membership needs a user principal", in.Group)
		}
		g, ok := m.GroupByID(in.Group)
		if !ok {
			g, ok = m.GroupByName(in.Group)
		}
		if !ok {
			return nil, fmt.Errorf("group %q not found in the state", in.Group)
		}
		sc.memberGroup = g
		sc.subject.GroupID = g.ID
	}
	if in.PermissionSet != "" {
		ps, err := findPermissionSet(m, in.PermissionSet)
		if err != nil {
			return nil, err
		}
		sc.ps = ps
		sc.subject.PermissionSetARN, sc.subject.PermissionSetName = ps.ARN, ps.Name
	}
	if sc.account != "" {
		if !accountRe.MatchString(sc.account) {
			return nil, fmt.Errorf("account %q: want a 12-digit account id", sc.account)
		}
		sc.subject.AccountID = sc.account
	}
	if sc.rogue && sc.ps == nil {
		return nil, fmt.Errorf("deleting a rogue permission set needs the permission set (--permission-set)")
	}
	for _, p := range sc.detach {
		if sc.ps == nil {
			return nil, fmt.Errorf("detaching %s needs the permission set (--permission-set)", p)
		}
		if !policyARNRe.MatchString(p) {
			return nil, fmt.Errorf("detach policy %q: not a managed policy ARN", p)
		}
	}
	external := m.IdentitySource == "external_idp"
	if sc.user != nil && (external || sc.user.ExternalID != "") {
		sc.subject.External = true
	}
	if sc.group != nil && (external || sc.group.ExternalID != "") {
		sc.subject.External = true
	}
	return sc, nil
}

func (sc *scope) resolvePrincipal(p string, m *idc.Model) error {
	if u, ok := m.UserByID(p); ok {
		sc.user = u
	} else if g, ok := m.GroupByID(p); ok {
		sc.group = g
	} else if u, ok := m.UserByName(p); ok {
		sc.user = u
	} else if g, ok := m.GroupByName(p); ok {
		sc.group = g
	} else {
		return fmt.Errorf("principal %q is neither a user nor a group in the state%s", p, capturedNote(m))
	}
	if sc.user != nil {
		sc.subject.PrincipalType, sc.subject.PrincipalID = "USER", sc.user.ID
		sc.subject.PrincipalName = sc.user.UserName
	} else {
		sc.subject.PrincipalType, sc.subject.PrincipalID = "GROUP", sc.group.ID
		sc.subject.PrincipalName = sc.group.DisplayName
	}
	return nil
}

// matches reports whether an assignment is inside the PS/account filters.
func (sc *scope) matches(a idc.Assignment) bool {
	if sc.ps != nil && a.PermissionSetARN != sc.ps.ARN {
		return false
	}
	return sc.account == "" || a.AccountID == sc.account
}

// capturedNote says when the state was captured, or nothing when it does
// not say (a zero time would read 0001-01-01).
func capturedNote(m *idc.Model) string {
	if m.CapturedAt.IsZero() {
		return ""
	}
	return " (captured " + m.CapturedAt.UTC().Format(time.RFC3339) + ")"
}

// findPermissionSet finds a permission set by ARN, else by name.
func findPermissionSet(m *idc.Model, s string) (*idc.PermissionSet, error) {
	if ps, ok := m.PermissionSetByARN(s); ok {
		return ps, nil
	}
	if ps, ok := m.PermissionSetByName(s); ok {
		return ps, nil
	}
	return nil, fmt.Errorf("permission set %q not found in the state", s)
}
