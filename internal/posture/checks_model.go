package posture

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

func psObject(ps *idc.PermissionSet, detail string) Object {
	return Object{Type: "permission_set", ID: ps.ARN, Name: ps.Name, Detail: detail}
}

func (e *env) sortedPS() []*idc.PermissionSet {
	out := make([]*idc.PermissionSet, 0, len(e.m.PermissionSets))
	for _, ps := range e.m.PermissionSets {
		out = append(out, ps)
	}
	slices.SortFunc(out, func(a, b *idc.PermissionSet) int { return strings.Compare(a.ARN, b.ARN) })
	return out
}

func (e *env) accountLabel(id string) string {
	if a, ok := e.m.Accounts[id]; ok && a.Name != "" {
		return a.Name + " (" + id + ")"
	}
	return id
}

func (e *env) userName(id string) string {
	if u, ok := e.m.UserByID(id); ok {
		return u.UserName
	}
	return ""
}

func (e *env) groupName(id string) string {
	if g, ok := e.m.GroupByID(id); ok {
		return g.DisplayName
	}
	return ""
}

func checkSessionDuration(e *env, r *Result) {
	for _, ps := range e.sortedPS() {
		s := ps.SessionDuration
		if s == "" {
			s = "PT1H" // Identity Center's default
		}
		d, err := config.ParseDuration(s)
		switch {
		case err != nil:
			r.Failing = append(r.Failing, psObject(ps, fmt.Sprintf("session duration %q cannot be read", s)))
		case d > e.cfg.MaxSessionDuration:
			detail := fmt.Sprintf("%s is above max_session_duration %s", s, shortDuration(e.cfg.MaxSessionDuration))
			if e.level(ps.ARN).Level >= policy.LevelAdmin {
				detail += "; grants admin"
				r.Severity = max(r.Severity, finding.High)
			}
			r.Failing = append(r.Failing, psObject(ps, detail))
		}
	}
}

func (e *env) adminSets() []*idc.PermissionSet {
	var out []*idc.PermissionSet
	for _, ps := range e.sortedPS() {
		if e.level(ps.ARN).Level >= policy.LevelAdmin {
			out = append(out, ps)
		}
	}
	return out
}

func checkAdminSets(e *env, r *Result) {
	for _, ps := range e.adminSets() {
		rc := e.reachOf(ps.ARN)
		detail := fmt.Sprintf("assigned in %d account(s) to %d principal(s), reaching %d user(s)", len(rc.accounts), len(rc.principals), len(rc.users))
		if len(rc.accounts) == 0 {
			detail = "not assigned (dormant admin set)"
		}
		if why := e.level(ps.ARN).Reasons; len(why) > 0 {
			detail += "; " + why[0]
		}
		if len(rc.users) >= e.cfg.LargeGroupSize {
			r.Severity = max(r.Severity, finding.High)
		}
		r.Failing = append(r.Failing, psObject(ps, detail))
	}
}

func checkAdminBoundary(e *env, r *Result) {
	for _, ps := range e.adminSets() {
		if ps.PermissionsBoundary == nil {
			r.Failing = append(r.Failing, psObject(ps, "grants admin and has no permissions boundary"))
		}
	}
}

func checkAdminLargeGroup(e *env, r *Result) {
	for _, a := range e.m.Assignments {
		if a.PrincipalType != "GROUP" || e.level(a.PermissionSetARN).Level < policy.LevelAdmin {
			continue
		}
		n := e.m.GroupSize(a.PrincipalID)
		if n < e.cfg.LargeGroupSize {
			continue
		}
		if e.sensitive(a.AccountID) {
			r.Severity = finding.Critical
		}
		r.Failing = append(r.Failing, Object{Type: "assignment", ID: a.Key(), Name: e.groupName(a.PrincipalID), AccountID: a.AccountID,
			Detail: fmt.Sprintf("group %s (%d members, ≥ %d) has admin set %s in %s", label(e.groupName(a.PrincipalID), a.PrincipalID), n, e.cfg.LargeGroupSize, e.psName(a.PermissionSetARN), e.accountLabel(a.AccountID))})
	}
}

func (e *env) psName(arn string) string {
	if ps, ok := e.m.PermissionSetByARN(arn); ok && ps.Name != "" {
		return ps.Name
	}
	return arn
}

func label(name, id string) string {
	if name == "" {
		return id
	}
	return name + " (" + id + ")"
}

// isAdmin: a user is on the admins list by user name or id (Identity
// Center users are matched the way the rules match portal actors).
func (e *env) isAdmin(userID string) bool {
	ok, _ := e.allow.Match(actor.IdentityCenterUser(userID), e.to)
	return ok
}

func (e *env) sensitiveAccounts() []string {
	var out []string
	for _, a := range e.cfg.SensitiveAccounts {
		out = appendNew(out, a)
	}
	if e.m.ManagementAccountID != "" {
		out = appendNew(out, e.m.ManagementAccountID)
	}
	return out
}

func checkSensitiveAdmins(e *env, r *Result) {
	if len(e.sensitiveAccounts()) == 0 {
		r.Status, r.Note = Skip, "no sensitive_accounts configured and the management account is unknown"
		return
	}
	if len(e.cfg.Admins) == 0 {
		r.Note = "admins is empty in the config: every admin path into a sensitive account is reported"
	}
	seen := map[string]int{} // user|account -> index in Failing
	for _, g := range e.grants() {
		if !e.sensitive(g.AccountID) || g.Level < policy.LevelAdmin || e.isAdmin(g.UserID) {
			continue
		}
		how := fmt.Sprintf("%s via %s", g.PermissionSetName, via(g))
		k := g.UserID + "|" + g.AccountID
		if i, ok := seen[k]; ok {
			r.Failing[i].Detail += "; " + how
			continue
		}
		seen[k] = len(r.Failing)
		r.Failing = append(r.Failing, Object{Type: "user", ID: g.UserID, Name: g.UserName, AccountID: g.AccountID,
			Detail: fmt.Sprintf("admin in %s: %s", e.accountLabel(g.AccountID), how)})
	}
}

func checkDelegatedAdmin(e *env, r *Result) {
	id := e.m.DelegatedAdminID
	if id == "" {
		for _, a := range e.m.Accounts {
			if a.DelegatedAdmin {
				id = a.ID
			}
		}
	}
	if id == "" {
		r.Note = "no delegated administrator is registered for Identity Center"
		return
	}
	// Blast radius: every permission set not provisioned to the management
	// account, and the accounts they reach.
	var sets, admin int
	accts := map[string]bool{}
	for _, ps := range e.sortedPS() {
		if e.m.ManagementAccountID != "" && slices.Contains(ps.ProvisionedTo, e.m.ManagementAccountID) {
			continue
		}
		sets++
		if e.level(ps.ARN).Level >= policy.LevelAdmin {
			admin++
		}
	}
	for acct := range e.m.Accounts {
		if acct != e.m.ManagementAccountID {
			accts[acct] = true
		}
	}
	radius := fmt.Sprintf("can manage %d permission set(s) (%d admin) and assign them in %d account(s)", sets, admin, len(accts))
	r.Note = "delegated administrator " + e.accountLabel(id) + " " + radius
	if !e.sensitive(id) {
		r.Failing = append(r.Failing, Object{Type: "account", ID: id, Name: e.accountName(id), AccountID: id,
			Detail: radius + "; not listed in sensitive_accounts"})
	}
	seen := map[string]bool{}
	for _, g := range e.grants() {
		k := g.UserID + "|" + g.PermissionSetARN
		if g.AccountID != id || g.Level < policy.LevelPrivileged || e.isAdmin(g.UserID) || seen[k] {
			continue
		}
		seen[k] = true
		r.Failing = append(r.Failing, Object{Type: "user", ID: g.UserID, Name: g.UserName, AccountID: id,
			Detail: fmt.Sprintf("can act in the delegated admin account with %s (%s) via %s", g.PermissionSetName, g.Level, via(g))})
	}
}

func (e *env) accountName(id string) string {
	if a, ok := e.m.Accounts[id]; ok {
		return a.Name
	}
	return ""
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
