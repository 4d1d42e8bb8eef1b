package posture

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// needEvents skips a check when no CloudTrail was given.
func (e *env) needEvents(r *Result) bool {
	if !e.given {
		r.Status, r.Note = Skip, "no CloudTrail events given"
		return false
	}
	return true
}

// coverage notes when the trail covers less than the window.
func (e *env) coverage() string {
	if e.earliest.IsZero() || !e.earliest.After(e.from.Add(24*time.Hour)) {
		return ""
	}
	days := int(e.to.Sub(e.earliest).Hours() / 24)
	return fmt.Sprintf("the events cover only %d day(s) of the %d-day window", days, int(e.to.Sub(e.from).Hours()/24))
}

// signin is one successful Identity Center sign-in.
type signin struct {
	key, name string // user id (or name when the record has no id), display name
	types     []string
	enroll    bool
	at        time.Time
}

func signins(e *env) []signin {
	var out []signin
	for _, ev := range e.events {
		if ev.Source != idc.SourceSignin || ev.Name != "UserAuthentication" || ev.ErrorCode != "" {
			continue
		}
		if st := ev.String("serviceEventDetails.UserAuthentication"); st != "" && !strings.EqualFold(st, "Success") {
			continue
		}
		a := actor.FromEvent(ev)
		s := signin{key: firstNonEmpty(a.UserID, a.Name, "unknown"), name: a.Name, at: ev.Time}
		if s.name == "" {
			s.name = ev.String("additionalEventData.UserName")
		}
		for _, t := range strings.Split(ev.String("additionalEventData.CredentialType"), ",") {
			if t = strings.ToUpper(strings.TrimSpace(t)); t != "" {
				s.types = append(s.types, t)
			}
		}
		s.enroll = isTrue(ev.String("additionalEventData.DeviceEnrollmentRequired")) || isTrue(ev.String("serviceEventDetails.DeviceEnrollmentRequired"))
		out = append(out, s)
	}
	return out
}

func isTrue(s string) bool { return strings.EqualFold(strings.TrimSpace(s), "true") }

// userObject names a sign-in's user from the model where possible.
func (e *env) userObject(key, name string) Object {
	o := Object{Type: "user", ID: key, Name: name}
	if u, ok := e.m.UserByID(key); ok {
		o.Name = u.UserName
	} else if u, ok := e.m.UserByName(key); ok {
		o.ID, o.Name = u.ID, u.UserName
	}
	return o
}

func checkWeakSignin(e *env, r *Result) {
	if !e.needEvents(r) {
		return
	}
	all := signins(e)
	if len(all) == 0 {
		r.Status, r.Note = Skip, "no successful sign-in (UserAuthentication) events in the window"
		return
	}
	type agg struct {
		name  string
		n     int
		types []string
		last  time.Time
		noMFA bool
	}
	users := map[string]*agg{}
	external := 0
	for _, s := range all {
		if slices.Contains(s.types, "WEBAUTHN") {
			continue
		}
		if slices.Contains(s.types, "EXTERNAL_IDP") {
			external++ // MFA happened at the IdP: not visible here
			continue
		}
		a := users[s.key]
		if a == nil {
			a = &agg{name: s.name}
			users[s.key] = a
		}
		a.n++
		a.last = later(a.last, s.at)
		for _, t := range s.types {
			a.types = appendNew(a.types, t)
		}
		if len(s.types) <= 1 { // one factor (or none recorded)
			a.noMFA = true
		}
	}
	for k, a := range users {
		o := e.userObject(k, a.name)
		slices.Sort(a.types)
		o.Detail = fmt.Sprintf("%d sign-in(s) with %s, last %s", a.n, orUnknown(strings.Join(a.types, "+")), a.last.UTC().Format(time.RFC3339))
		if a.noMFA {
			o.Detail += "; at least one with a single factor"
			r.Severity = finding.High
		}
		r.Failing = append(r.Failing, o)
	}
	var notes []string
	if external > 0 {
		notes = append(notes, fmt.Sprintf("%d sign-in(s) through an external IdP were not judged (MFA happens there)", external))
	}
	if c := e.coverage(); c != "" {
		notes = append(notes, c)
	}
	r.Note = strings.Join(notes, "; ")
}

func checkDeviceEnrollment(e *env, r *Result) {
	if !e.needEvents(r) {
		return
	}
	all := signins(e)
	if len(all) == 0 {
		r.Status, r.Note = Skip, "no successful sign-in (UserAuthentication) events in the window"
		return
	}
	type agg struct {
		name string
		n    int
		last time.Time
	}
	users := map[string]*agg{}
	for _, s := range all {
		if !s.enroll {
			continue
		}
		a := users[s.key]
		if a == nil {
			a = &agg{name: s.name}
			users[s.key] = a
		}
		a.n++
		a.last = later(a.last, s.at)
	}
	for k, a := range users {
		o := e.userObject(k, a.name)
		o.Detail = fmt.Sprintf("%d sign-in(s) that enrolled an MFA device, last %s", a.n, a.last.UTC().Format(time.RFC3339))
		r.Failing = append(r.Failing, o)
	}
	r.Note = e.coverage()
}

// usage keys a (permission set name, account) pair the way the trail names
// it: portal GetRoleCredentials gives role_name (the set's name) and
// account_id; member-account AssumeRoleWithSAML gives the role ARN.
func usage(ev *cloudtrail.Event) (psName, account string, ok bool) {
	if ev.ErrorCode != "" {
		return "", "", false
	}
	switch {
	case ev.Source == idc.SourceSSO && (ev.Name == "GetRoleCredentials" || ev.Name == "Federate"):
		n, a := ev.String("serviceEventDetails.role_name"), ev.String("serviceEventDetails.account_id")
		return n, a, n != "" && a != ""
	case ev.Source == "sts.amazonaws.com" && ev.Name == "AssumeRoleWithSAML":
		arn := ev.String("requestParameters.roleArn")
		n, ok := idc.PermissionSetNameFromRole(arn)
		parts := strings.SplitN(arn, ":", 6)
		if !ok || len(parts) < 6 {
			return "", "", false
		}
		return n, parts[4], true
	}
	return "", "", false
}

func checkUnused(e *env, r *Result) {
	if !e.needEvents(r) {
		return
	}
	used := map[string]bool{} // lower(ps name)|account
	for _, ev := range e.events {
		if n, a, ok := usage(ev); ok {
			used[strings.ToLower(n)+"|"+a] = true
		}
	}
	type pair struct{ arn, account string }
	holders := map[pair][]string{}
	var order []pair
	for _, a := range e.m.Assignments {
		p := pair{a.PermissionSetARN, a.AccountID}
		if _, ok := holders[p]; !ok {
			order = append(order, p)
		}
		var name string
		if a.PrincipalType == "GROUP" {
			name = "group " + label(e.groupName(a.PrincipalID), a.PrincipalID)
		} else {
			name = "user " + label(e.userName(a.PrincipalID), a.PrincipalID)
		}
		holders[p] = append(holders[p], name)
	}
	for _, p := range order {
		if used[strings.ToLower(e.psName(p.arn))+"|"+p.account] {
			continue
		}
		hs := holders[p]
		slices.Sort(hs)
		r.Failing = append(r.Failing, Object{Type: "assignment", ID: p.arn + "|" + p.account, Name: e.psName(p.arn), AccountID: p.account,
			Detail: fmt.Sprintf("%s in %s not used since %s; held by %s", e.psName(p.arn), e.accountLabel(p.account), e.from.UTC().Format("2006-01-02"), strings.Join(hs, ", "))})
	}
	r.Note = e.coverage()
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func orUnknown(s string) string {
	if s == "" {
		return "no credential type recorded"
	}
	return s
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
