package detect

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/finding"
)

// guardrailFloor is the least severity of a guardrail rule, whoever acts.
const guardrailFloor = finding.Medium

// severity applies the documented severity policy:
//  1. start at the rule's level, raised by every matching escalation;
//  2. an allow-listed admin is capped at low, unless the rule weakens a
//     guardrail for everyone (then it is at least medium);
//  3. anyone else is at least medium;
//  4. a failed call is an attempt, low — unless the actor failed
//     repeatedly within an hour, then medium, or the rule is about failed
//     calls (attempts: true), then the failure is the finding and steps
//     1–3 stand.
func (e *Engine) severity(r *Rule, ev *cloudtrail.Event, allowed bool) (finding.Severity, []string) {
	sev := r.Level
	var reasons []string
	for _, esc := range r.escalate {
		if esc.Level > sev && esc.when.eval(ev) {
			sev = esc.Level
			if esc.Reason != "" {
				reasons = append(reasons, esc.Reason)
			}
		}
	}
	switch {
	case r.Portcullis.Guardrail:
		if sev < guardrailFloor {
			sev = guardrailFloor
		}
		if allowed {
			reasons = append(reasons, "actor is allow-listed, but the change weakens a guardrail for everyone")
		}
	case allowed:
		if sev > finding.Low {
			sev = finding.Low
			reasons = append(reasons, "actor is allow-listed ("+ev.String("portcullis.actor.allowlist_pattern")+"): routine change")
		}
	default:
		if sev < finding.Medium {
			sev = finding.Medium
			reasons = append(reasons, "actor is not on the admins allow-list")
		}
	}
	switch {
	case ev.ErrorCode == "":
	case r.Portcullis.Attempts:
		reasons = append(reasons, "failed call ("+ev.ErrorCode+"): the rule is about such attempts")
	default:
		if n := e.recentFailures(ev); n >= repeatedFailures && !allowed {
			sev = finding.Medium
			reasons = append(reasons, fmt.Sprintf("failed call (%s), one of %d failed Identity Center writes by this actor within an hour", ev.ErrorCode, n))
		} else {
			sev = finding.Low
			reasons = append(reasons, "failed call ("+ev.ErrorCode+"): an attempt")
		}
	}
	return sev, reasons
}

// build turns a rule match (or a completed correlation) into a finding.
//
// A correlation's actor is its first step's (who made the grant, who
// created the permission set), and it counts as allow-listed only when
// every step's actor is.
func (e *Engine) build(r *Rule, ev *cloudtrail.Event, done *partial) finding.Finding {
	act := actorOf(ev)
	allowed := act.Allowlisted
	if done != nil && len(done.Steps) > 0 {
		act = done.Steps[0].Actor
		for _, s := range done.Steps {
			if s.Rule != "" && !s.Actor.Allowlisted {
				allowed = false
			}
		}
		act.Allowlisted = allowed
	}
	sev, reasons := e.severity(r, ev, allowed)
	f := finding.Finding{
		Schema:      finding.Schema,
		Rule:        r.Portcullis.ID,
		Title:       r.Title,
		Severity:    sev,
		Time:        ev.Time,
		Actor:       act,
		Account:     ev.Account,
		Region:      ev.Region,
		Targets:     targetsOf(ev),
		Attack:      r.Attack(),
		Remediation: strings.TrimSpace(r.Portcullis.Remediation),
		Reasons:     reasons,
	}
	ids := []string{}
	if done != nil {
		for _, s := range done.Steps {
			if s.Rule == "" {
				continue
			}
			f.Events = append(f.Events, s.Event)
			ids = append(ids, s.Event.EventID)
		}
		// Targets the last step lacks come from earlier steps.
		for i := len(done.Steps) - 1; i >= 0; i-- {
			mergeTargets(&f.Targets, done.Steps[i].Targets)
		}
	} else {
		f.Events = []finding.EventRef{EventRef(ev)}
		ids = append(ids, eventKey(ev))
	}
	f.ID = finding.StableID(r.Portcullis.ID, ids...)
	f.Summary = render(r.Portcullis.Summary, ev)
	if f.Summary == "" {
		f.Summary = r.Title
	}
	return f
}

func (e *Engine) signal(r *Rule, ev *cloudtrail.Event) signal {
	return signal{Rule: r.Name, Time: ev.Time, Event: EventRef(ev), Actor: actorOf(ev), Targets: targetsOf(ev), Account: ev.Account, Region: ev.Region}
}

// eventKey identifies an event for finding ids; records without an eventID
// fall back to where they were read.
func eventKey(ev *cloudtrail.Event) string {
	if ev.ID != "" {
		return ev.ID
	}
	return fmt.Sprintf("%s#%d", ev.Origin.File, ev.Origin.Index)
}

// EventRef is how a finding names the event it came from.
func EventRef(ev *cloudtrail.Event) finding.EventRef {
	return finding.EventRef{EventID: ev.ID, EventName: ev.Name, EventSource: ev.Source, Time: ev.Time, File: ev.Origin.File}
}

func actorOf(ev *cloudtrail.Event) finding.Actor {
	return finding.Actor{
		ARN:         ev.String("portcullis.actor.arn"),
		Type:        ev.String("portcullis.actor.type"),
		Name:        ev.String("portcullis.actor.name"),
		UserID:      ev.String("portcullis.actor.user_id"),
		Allowlisted: ev.Derived["portcullis.actor.allowlisted"] == true,
	}
}

func targetsOf(ev *cloudtrail.Event) finding.Targets {
	first := func(paths ...string) string {
		for _, p := range paths {
			if v := ev.String(p); v != "" {
				return v
			}
		}
		return ""
	}
	return finding.Targets{
		AccountID:         first("portcullis.target.account", "portcullis.sso_role.account", "requestParameters.accountId"),
		PermissionSetARN:  first("portcullis.permission_set.arn"),
		PermissionSetName: first("portcullis.permission_set.name", "portcullis.sso_role.permission_set"),
		PrincipalType:     first("portcullis.principal.type"),
		PrincipalID:       first("portcullis.principal.id"),
		GroupID:           first("portcullis.group.id"),
		GroupName:         first("portcullis.group.name", "portcullis.principal.name"),
		UserID:            first("portcullis.user.id", "portcullis.mfa.target_user"),
		InstanceARN:       first("requestParameters.instanceArn"),
		PolicyARN:         first("requestParameters.managedPolicyArn"),
		SessionDuration:   first("requestParameters.sessionDuration"),
		TargetType:        first("requestParameters.targetType"),
	}
}

func mergeTargets(dst *finding.Targets, src finding.Targets) {
	set := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	set(&dst.AccountID, src.AccountID)
	set(&dst.PermissionSetARN, src.PermissionSetARN)
	set(&dst.PermissionSetName, src.PermissionSetName)
	set(&dst.PrincipalType, src.PrincipalType)
	set(&dst.PrincipalID, src.PrincipalID)
	set(&dst.GroupID, src.GroupID)
	set(&dst.GroupName, src.GroupName)
	set(&dst.UserID, src.UserID)
	set(&dst.InstanceARN, src.InstanceARN)
	set(&dst.PolicyARN, src.PolicyARN)
	set(&dst.SessionDuration, src.SessionDuration)
	set(&dst.TargetType, src.TargetType)
}

var placeholder = regexp.MustCompile(`\{([A-Za-z0-9_.\-]+)(\|[^{}]*)?\}`)

// render fills {field.path} (or {field.path|fallback}, where the fallback
// may itself hold placeholders) from the event, innermost first. Values come
// from hostile logs: braces and control characters are neutralised (so a
// value can never become a placeholder) and length is capped.
func render(tmpl string, ev *cloudtrail.Event) string {
	s := strings.TrimSpace(tmpl)
	for i := 0; i < 4; i++ {
		next := placeholder.ReplaceAllStringFunc(s, func(m string) string {
			sub := placeholder.FindStringSubmatch(m)
			v := ev.String(sub[1])
			if v == "" {
				if sub[2] != "" {
					return sub[2][1:]
				}
				return "?"
			}
			return clean(v)
		})
		if next == s {
			break
		}
		s = next
	}
	return s
}

func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f:
			return ' '
		case r == '{':
			return '('
		case r == '}':
			return ')'
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
