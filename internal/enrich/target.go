package enrich

import (
	"strings"

	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// userChanges are the directory calls that change an existing user, and
// what each does (portcullis.user_change.kind). UpdateUser is refined by
// the attributes it touches.
var userChanges = map[string]string{
	"UpdatePassword":                       "password",
	"UpdateUser":                           "attributes",
	"UpdateUserName":                       "user_name",
	"VerifyEmail":                          "verify_email",
	"EnableUser":                           "enable",
	"DisableUser":                          "disable",
	"DeleteUser":                           "delete",
	"StartVirtualMfaDeviceRegistration":    "mfa_registration",
	"CompleteVirtualMfaDeviceRegistration": "mfa_registration",
	"StartWebAuthnDeviceRegistration":      "mfa_registration",
	"CompleteWebAuthnDeviceRegistration":   "mfa_registration",
	"UpdateMfaDeviceForUser":               "mfa_update",
	"DeleteMfaDeviceForUser":               "mfa_deletion",
	"DeleteMfaDevice":                      "mfa_deletion",
}

// targetUser names the Identity Center user an event is about: the user a
// directory change targets, or the user who signs in, gets a token or uses
// the portal. It sets portcullis.target_user.* and, for directory changes,
// portcullis.user_change.kind.
func (e *Enricher) targetUser(ev *cloudtrail.Event, a actor.Actor) {
	kind, change := userChanges[ev.Name]
	change = change && (ev.Source == idc.SourceDirectory || ev.Source == idc.SourceIdentityStore || ev.Source == idc.SourceSSO)
	var id, name string
	switch {
	case change:
		id, name = changedUser(ev)
		if ev.Name == "UpdateUser" {
			kind = updatedAttributes(ev)
		}
		ev.SetDerived("portcullis.user_change.kind", kind)
		ev.SetDerived("portcullis.target_user.self", e.selfService(a, id, name))
		if id == "" && name == "" && e.selfService(a, "", "") {
			// Self-service names no target: the user is the caller.
			id, name = a.UserID, a.Name
		}
	case ev.Source == idc.SourceSignin, ev.Source == idc.SourceSSO && portalCalls[ev.Name]:
		if a.Type != actor.KindIDCUser && a.Type != actor.KindUnknown {
			return
		}
		id, name = a.UserID, a.Name
	case ev.Source == idc.SourceOAuth && ev.Name == "CreateTokenWithIAM":
		id = ev.Known("additionalEventData.identitystore:UserId")
	default:
		return
	}
	if id == "" && name != "" {
		if u, ok := e.state.UserByName(name); ok {
			id = u.ID
		}
	}
	if name == "" && id != "" {
		if u, ok := e.state.UserByID(id); ok {
			name = u.UserName
		}
	}
	key := userKey(id, name)
	if key == "" {
		return
	}
	ev.SetDerived("portcullis.target_user.id", key)
	ev.SetDerived("portcullis.target_user.name", name)
	ev.SetDerived("portcullis.target_user.privileged", id != "" && e.userPrivileged(id))
}

// changedUser reads the target of a directory change: the request names
// the user by id (identitystore, most console calls) or by name.
func changedUser(ev *cloudtrail.Event) (id, name string) {
	for _, p := range []string{"requestParameters.userId", "requestParameters.user.userId", "requestParameters.userID", "requestParameters.id"} {
		if v := ev.Known(p); v != "" {
			return v, ""
		}
	}
	for _, p := range []string{"requestParameters.userName", "requestParameters.username", "requestParameters.user.userName"} {
		if v := ev.Known(p); v != "" {
			return "", v
		}
	}
	return "", ""
}

// updatedAttributes says what an UpdateUser changes, from what the record
// keeps readable: the public API's operations[].attributePath, or the
// names of the console's request keys (their values are often hidden, the
// keys are not).
func updatedAttributes(ev *cloudtrail.Event) string {
	var paths []string
	if ops, ok := ev.Get("requestParameters.operations"); ok {
		if list, ok := ops.([]any); ok {
			for _, op := range list {
				m, _ := op.(map[string]any)
				if p, _ := m["attributePath"].(string); p != "" {
					paths = append(paths, p)
				}
			}
		}
	}
	if rp, ok := ev.Get("requestParameters"); ok {
		if m, ok := rp.(map[string]any); ok {
			for k, v := range m {
				paths = append(paths, k)
				if inner, ok := v.(map[string]any); ok && (k == "attributes" || k == "user") {
					for k2 := range inner {
						paths = append(paths, k2)
					}
				}
			}
		}
	}
	kind := "attributes"
	for _, p := range paths {
		l := strings.ToLower(p)
		switch {
		case strings.Contains(l, "email"):
			return "email" // the way to a password reset: the most serious
		case l == "username" || strings.HasPrefix(l, "username.") || l == "user_name":
			kind = "user_name"
		}
	}
	return kind
}

// selfService reports whether a directory change is the caller's own: an
// Identity Center user (its portal session, never IAM credentials) acting
// on itself — its own MFA device, its own password. Such a call is never
// an administrative change. A target that names someone else is not self.
func (e *Enricher) selfService(a actor.Actor, id, name string) bool {
	portal := a.Type == actor.KindIDCUser || a.Type == actor.KindUnknown && a.ARN == ""
	if !portal {
		return false
	}
	switch {
	case id == "" && name == "":
		return true
	case id != "" && a.UserID != "" && strings.EqualFold(id, a.UserID):
		return true
	case name != "" && a.Name != "" && strings.EqualFold(name, a.Name):
		return true
	case id != "" && a.UserID == "" && a.Name != "":
		if u, ok := e.state.UserByID(id); ok && strings.EqualFold(u.UserName, a.Name) {
			return true
		}
	}
	return false
}

// userPrivileged reports whether a user is a member of a privileged group
// or holds an admin permission set (directly or through a group). The
// answers are cached until the model changes (ModelChanged).
func (e *Enricher) userPrivileged(id string) bool {
	id = strings.ToLower(id)
	if e.userPriv == nil {
		e.userPriv = map[string]bool{}
		e.groupsOf = map[string][]string{}
		for g, ms := range e.state.Memberships {
			for _, m := range ms {
				u := strings.ToLower(m.UserID)
				e.groupsOf[u] = append(e.groupsOf[u], g)
			}
		}
	}
	if p, ok := e.userPriv[id]; ok {
		return p
	}
	groups := map[string]bool{}
	priv := false
	for _, g := range e.groupsOf[id] {
		groups[g] = true
		name := ""
		if gr, ok := e.state.GroupByID(g); ok {
			name = gr.DisplayName
		}
		priv = priv || e.isPrivileged(g, name)
	}
	for _, as := range e.state.Assignments {
		if priv {
			break
		}
		if !(as.PrincipalType == "USER" && strings.EqualFold(as.PrincipalID, id) || as.PrincipalType == "GROUP" && groups[as.PrincipalID]) {
			continue
		}
		if ps, ok := e.state.PermissionSetByARN(as.PermissionSetARN); ok && idc.Classify(ps).Level >= policy.LevelAdmin {
			priv = true
		}
	}
	if len(e.userPriv) > maxSigninUsers {
		clear(e.userPriv)
	}
	e.userPriv[id] = priv
	return priv
}

// ModelChanged tells the enricher the model moved (memberships,
// assignments, permission sets): cached answers about users are stale.
func (e *Enricher) ModelChanged() { e.userPriv, e.groupsOf = nil, nil }
