// Package enrich adds derived fields to decoded events so rules can match on
// what a change means (is the actor an admin, does the policy grant admin,
// is the account sensitive, is the group privileged) and not only on what
// the record literally says. Derived fields live under "portcullis.".
package enrich

import (
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Enricher holds the context: config and the Identity Center state (a
// snapshot moved forward by the events seen so far).
type Enricher struct {
	cfg     *config.Config
	allow   *actor.Allowlist
	state   *idc.Model
	priv    map[string]bool // privileged groups: ids and folded names
	learned int
	mem     *memory // what earlier events taught beyond the model (memory.go)
}

// New builds an Enricher. state may be empty but not nil.
func New(cfg *config.Config, state *idc.Model) *Enricher {
	e := &Enricher{cfg: cfg, allow: actor.NewAllowlist(cfg.Admins), state: state, priv: map[string]bool{}, mem: newMemory()}
	for _, g := range cfg.PrivilegedGroups {
		e.priv[strings.ToLower(g)] = true
	}
	return e
}

// State returns the model the enricher reads (and the engine moves forward).
func (e *Enricher) State() *idc.Model { return e.state }

// Allowlist exposes the compiled admins list.
func (e *Enricher) Allowlist() *actor.Allowlist { return e.allow }

// idcSources maps Identity Center's own services, whose writes matter,
// to their family (portcullis.idc.family).
var idcSources = func() map[string]string {
	out := map[string]string{}
	for _, s := range idc.EventSources() {
		if s.Kind == idc.KindService {
			out[s.Name] = s.Family
		}
	}
	return out
}()

// portalCalls are sso.amazonaws.com events made by end users of the access
// portal (or OIDC clients), not administrative writes.
var portalCalls = map[string]bool{
	"CreateToken": true, "CreateTokenWithIAM": true, "RegisterClient": true,
	"StartDeviceAuthorization": true, "Authenticate": true, "Federate": true,
	"Logout": true, "GetRoleCredentials": true, "ListAccounts": true,
	"ListAccountRoles": true, "ListApplications": true, "ListProfilesForApplication": true,
	"GetUserProfile": true, "StartSession": true, "RefreshToken": true,
}

// writeVerbs start the names of state-changing calls. The console's
// VerifyEmail and BatchDeleteSession (ending users' sessions) are writes
// too; BatchGet… calls are not, so only BatchDelete counts.
var writeVerbs = []string{"Create", "Delete", "Update", "Put", "Attach", "Detach", "Provision",
	"Tag", "Untag", "Associate", "Disassociate", "Import", "Enable", "Disable", "Add", "Remove",
	"Patch", "Set", "Reset", "Register", "Deregister", "Start", "Stop", "Modify", "Complete", "Restore",
	"Verify", "BatchDelete"}

// WriteVerbs returns the verbs IsWrite recognises, in order (the
// unlisted-actor rule lists the same ones for the prefilter).
func WriteVerbs() []string { return slices.Clone(writeVerbs) }

// IsWrite reports whether an eventName is a state-changing call.
func IsWrite(name string) bool {
	for _, v := range writeVerbs {
		if strings.HasPrefix(name, v) && (len(name) == len(v) || isUpper(name[len(v)])) {
			return true
		}
	}
	return false
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// Enrich adds the derived fields to ev.
func (e *Enricher) Enrich(ev *cloudtrail.Event) {
	e.learn(ev)
	a := actor.FromEvent(ev)
	allowed, pattern := e.allow.Match(a, ev.Time)
	if !allowed && a.UserID != "" {
		// Portal events name only the user id; the state knows the name.
		if u, ok := e.state.UserByID(a.UserID); ok && u.UserName != "" {
			b := a
			b.Name = u.UserName
			allowed, pattern = e.allow.Match(b, ev.Time)
			a.Name = u.UserName
		}
	}
	ev.SetDerived("portcullis.actor.arn", a.ARN)
	ev.SetDerived("portcullis.actor.type", a.Type)
	ev.SetDerived("portcullis.actor.name", a.Name)
	ev.SetDerived("portcullis.actor.user_id", a.UserID)
	ev.SetDerived("portcullis.actor.role_arn", a.RoleARN)
	ev.SetDerived("portcullis.actor.permission_set", a.PermissionSet)
	ev.SetDerived("portcullis.actor.allowlisted", allowed)
	ev.SetDerived("portcullis.actor.allowlist_pattern", pattern)
	ev.SetDerived("portcullis.actor.service", a.Service != "")
	ev.SetDerived("portcullis.actor.key", Key(a))

	family, isIDC := idcSources[ev.Source]
	// Administrative writes need IAM credentials: on sso.amazonaws.com an
	// Identity Center user (or a legacy "Unknown" portal identity) is an end
	// user of the access portal, whatever the call is named.
	portalUser := ev.Source == idc.SourceSSO && (a.Type == actor.KindIDCUser || a.Type == actor.KindUnknown)
	write := isIDC && !portalCalls[ev.Name] && !portalUser && IsWrite(ev.Name) && a.Service == ""
	ev.SetDerived("portcullis.idc.family", family)
	ev.SetDerived("portcullis.idc.write", write)
	ev.SetDerived("portcullis.success", ev.ErrorCode == "")

	if !isIDC && ev.Source != idc.SourceOrganizations {
		// Sessions (sts, sign-in) only need the actor and the role they use;
		// they are most of what passes the prefilter, so skip the rest.
		e.sessionUse(ev)
		e.configPlane(ev)
		return
	}
	e.permissionSet(ev)
	e.target(ev)
	// The (permission set, account) a grant opens, in the same form a
	// session's role name and account give: what fresh-grant use joins on.
	if name, acct := ev.String("portcullis.permission_set.name"), ev.String("portcullis.target.account"); name != "" && acct != "" && ev.Derived["portcullis.target.all_accounts"] != true {
		ev.SetDerived("portcullis.grant.key", strings.ToLower(name)+"|"+acct)
	}
	e.principalAndGroup(ev)
	e.sessionUse(ev)
	e.settings(ev, a)
	e.configPlane(ev)
}

// Key is the stable identity of an actor for correlation windows.
func Key(a actor.Actor) string {
	switch {
	case a.ARN != "":
		return a.ARN
	case a.UserID != "":
		return "idc-user:" + a.UserID
	case a.Name != "":
		return a.Type + ":" + a.Name
	}
	return "unknown"
}

func (e *Enricher) permissionSet(ev *cloudtrail.Event) {
	arn := ev.String("requestParameters.permissionSetArn")
	if arn == "" {
		arn = ev.String("responseElements.permissionSet.permissionSetArn")
	}
	if r := ev.String("requestParameters.resourceArn"); arn == "" && strings.Contains(r, ":permissionSet/") {
		arn = r // TagResource / UntagResource
	}
	name := ""
	level := policy.LevelNone
	if arn != "" {
		if ps, ok := e.state.PermissionSetByARN(arn); ok {
			name = ps.Name
			level = idc.Classify(ps).Level
		}
	}
	if ev.Name == "CreatePermissionSet" {
		if n := ev.String("requestParameters.name"); n != "" {
			name = n
		}
	}
	if arn == "" && name == "" {
		return
	}
	ev.SetDerived("portcullis.permission_set.arn", arn)
	ev.SetDerived("portcullis.permission_set.name", name)
	ev.SetDerived("portcullis.permission_set.level", level.String())
	ev.SetDerived("portcullis.permission_set.admin", level >= policy.LevelAdmin)
	ev.SetDerived("portcullis.permission_set.privileged", level >= policy.LevelPrivileged)
	ev.SetDerived("portcullis.permission_set.break_glass", e.isBreakGlass(arn, name))

	// What the call itself grants.
	switch {
	case ev.String("requestParameters.managedPolicyArn") != "":
		pa := ev.String("requestParameters.managedPolicyArn")
		an, known := policy.ManagedPolicy(pa)
		setPolicy(ev, an, known, "")
	case ev.Name == "PutInlinePolicyToPermissionSet":
		doc := ev.String("requestParameters.inlinePolicy")
		an, err := policy.Analyze([]byte(doc))
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		setPolicy(ev, an, err == nil, msg)
	}
	if d := ev.String("requestParameters.sessionDuration"); d != "" {
		if dur, err := config.ParseDuration(d); err == nil {
			ev.SetDerived("portcullis.session.hours", dur.Hours())
			ev.SetDerived("portcullis.session.exceeds_max", dur > e.cfg.MaxSessionDuration)
		} else {
			ev.SetDerived("portcullis.session.error", err.Error())
		}
	}
}

func setPolicy(ev *cloudtrail.Event, an policy.Analysis, known bool, parseErr string) {
	ev.SetDerived("portcullis.policy.known", known)
	ev.SetDerived("portcullis.policy.level", an.Level.String())
	ev.SetDerived("portcullis.policy.admin", an.Level >= policy.LevelAdmin)
	ev.SetDerived("portcullis.policy.privileged", an.Level >= policy.LevelPrivileged)
	ev.SetDerived("portcullis.policy.escalation", an.Level >= policy.LevelPrivEsc)
	ev.SetDerived("portcullis.policy.reasons", strings.Join(an.Reasons, "; "))
	if parseErr != "" {
		ev.SetDerived("portcullis.policy.error", parseErr)
	}
}

func (e *Enricher) isBreakGlass(arn, name string) bool {
	for _, b := range e.cfg.BreakGlassPermissionSets {
		if (arn != "" && b == arn) || (name != "" && strings.EqualFold(b, name)) {
			return true
		}
	}
	return false
}

func (e *Enricher) target(ev *cloudtrail.Event) {
	tt := ev.String("requestParameters.targetType")
	id := ev.String("requestParameters.targetId")
	if id == "" && tt == "" {
		if ev.Source == idc.SourceOrganizations {
			id = ev.String("requestParameters.accountId")
		}
		if id == "" {
			return
		}
	}
	all := tt == "ALL_PROVISIONED_ACCOUNTS"
	ev.SetDerived("portcullis.target.account", id)
	ev.SetDerived("portcullis.target.all_accounts", all)
	ev.SetDerived("portcullis.target.sensitive", e.cfg.IsSensitive(id) || (all && len(e.cfg.SensitiveAccounts) > 0))
	if acct := e.state.Accounts[id]; acct != nil {
		ev.SetDerived("portcullis.target.management", acct.Management)
		ev.SetDerived("portcullis.target.name", acct.Name)
	}
}
