package posture

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/policy"
	"github.com/portcullis-sec/portcullis/internal/wildcard"
)

// guard is one thing an SCP must deny: every action on every probe ARN.
type guard struct {
	name    string
	actions []string
	probes  map[string][]string // service -> resource ARNs the deny must cover
}

var guards = []guard{
	{
		name: "changes to the AWSReservedSSO_* roles",
		actions: []string{"iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
			"iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:UpdateRole", "iam:DeleteRolePermissionsBoundary"},
		probes: map[string][]string{"iam": {
			"arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Probe_0123456789abcdef",
			"arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Probe_0123456789abcdef",
		}},
	},
	{
		name: "Identity Center writes (sso, identitystore)",
		actions: []string{"sso:CreateAccountAssignment", "sso:CreatePermissionSet", "sso:AttachManagedPolicyToPermissionSet",
			"sso:PutInlinePolicyToPermissionSet", "sso:DeletePermissionsBoundaryFromPermissionSet", "sso:ProvisionPermissionSet",
			"sso:CreateInstance", "identitystore:CreateUser", "identitystore:CreateGroupMembership"},
		probes: map[string][]string{
			"sso":           {"arn:aws:sso:::permissionSet/ssoins-0000000000000000/ps-0000000000000000", "arn:aws:sso:::account/123456789012"},
			"identitystore": {"arn:aws:identitystore::123456789012:identitystore/d-0000000000"},
		},
	},
}

// deniedBy returns the statements (from policies that apply) that deny
// action on res, and whether any carries a Condition (an exemption for
// admins, usually).
func deniedBy(stmts []policy.Statement, action, res string) (bool, bool) {
	for _, s := range stmts {
		if !strings.EqualFold(s.Effect, "Deny") || !actionCovered(s, action) || !resourceCovered(s, res) {
			continue
		}
		return true, len(s.Condition) > 0
	}
	return false, false
}

func actionCovered(s policy.Statement, action string) bool {
	a := strings.ToLower(action)
	if len(s.NotAction) > 0 {
		return !slices.ContainsFunc(s.NotAction, func(p string) bool { return wildcard.Match(strings.ToLower(p), a) })
	}
	return slices.ContainsFunc(s.Action, func(p string) bool { return wildcard.Match(strings.ToLower(p), a) })
}

func resourceCovered(s policy.Statement, res string) bool {
	switch {
	case len(s.NotResource) > 0:
		return !slices.ContainsFunc(s.NotResource, func(p string) bool { return wildcard.Match(p, res) })
	case len(s.Resource) > 0:
		return slices.ContainsFunc(s.Resource, func(p string) bool { return wildcard.Match(p, res) })
	}
	return false
}

// evaluate reports which actions of a guard stay allowed and whether the
// denies are conditional.
func (g guard) evaluate(stmts []policy.Statement) (missing []string, conditional bool) {
	for _, a := range g.actions {
		svc, _, _ := strings.Cut(a, ":")
		ok := true
		for _, res := range g.probes[svc] {
			d, c := deniedBy(stmts, a, res)
			ok = ok && d
			conditional = conditional || c
		}
		if !ok {
			missing = append(missing, a)
		}
	}
	return missing, conditional
}

// target is an account the SCP check evaluates.
type scpTarget struct{ id, name, ouPath string }

func (e *env) scpTargets() []scpTarget {
	seen := map[string]bool{}
	var out []scpTarget
	add := func(id, name, ou string, mgmt bool) {
		if id == "" || seen[id] || mgmt || id == e.m.ManagementAccountID {
			return
		}
		seen[id] = true
		out = append(out, scpTarget{id, name, ou})
	}
	for _, id := range sortedKeys(e.m.Accounts) {
		a := e.m.Accounts[id]
		add(id, a.Name, a.OUPath, a.Management)
	}
	for _, a := range e.org.Accounts {
		add(a.ID, a.Name, "", false)
	}
	return out
}

func checkSCP(e *env, r *Result) {
	if e.org == nil {
		r.Status, r.Note = Skip, "no Organizations export given"
		return
	}
	targets := e.scpTargets()
	pseudo := len(targets) == 0
	if pseudo {
		targets = []scpTarget{{id: "root"}}
	}
	var conditional bool
	for _, t := range targets {
		stmts := e.org.Statements(t.id, t.ouPath)
		var gaps []string
		for _, g := range guards {
			missing, c := g.evaluate(stmts)
			conditional = conditional || c
			if len(missing) > 0 {
				gaps = append(gaps, fmt.Sprintf("nothing denies %s (%s)", g.name, strings.Join(missing, ", ")))
			}
		}
		if len(gaps) == 0 {
			continue
		}
		o := Object{Type: "account", ID: t.id, Name: t.name, AccountID: t.id, Detail: strings.Join(gaps, "; ")}
		if pseudo {
			o = Object{Type: "organization", ID: "root", Detail: "no account is known; policies attached to the root: " + strings.Join(gaps, "; ")}
		}
		if t.id == e.m.DelegatedAdminID {
			o.Detail += "; this is the delegated administrator"
		}
		r.Failing = append(r.Failing, o)
	}
	notes := []string{"SCPs do not apply to the management account"}
	if conditional {
		notes = append(notes, "some denies carry conditions (admin exemptions are expected; check them)")
	}
	r.Note = strings.Join(notes, "; ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
