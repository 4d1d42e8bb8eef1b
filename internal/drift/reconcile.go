package drift

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/access"
	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// ReconcileSchema versions the JSON form of a ReconcileReport.
const ReconcileSchema = "portcullis.reconcile/v1"

// Attribution says who made a change, as far as the events tell.
type Attribution string

const (
	// ByOthers: made by at least one actor outside the admins allow-list.
	ByOthers Attribution = "other"
	// Unexplained: events were given but none made the change.
	Unexplained Attribution = "unexplained"
	// NoEvidence: no events were given, so nobody can be named.
	NoEvidence Attribution = "unknown"
	// ByAllowlisted: made only by allow-listed admins.
	ByAllowlisted Attribution = "allowlisted"
)

// UnexplainedNote is what an unexplained change says.
const UnexplainedNote = "unexplained (made out of band, e.g. in the IdP / SCIM)"

// Cause is one CloudTrail event that made (part of) a change.
type Cause struct {
	EventID     string        `json:"event_id"`
	EventName   string        `json:"event_name"`
	EventSource string        `json:"event_source"`
	Time        time.Time     `json:"time"`
	Actor       finding.Actor `json:"actor"`
	SourceIP    string        `json:"source_ip,omitempty"`
	Account     string        `json:"account,omitempty"`
	Region      string        `json:"region,omitempty"`
	// Related: the event touched the object but did not leave it in its
	// current state (a later change, made elsewhere, did).
	Related bool `json:"related,omitempty"`
}

// Change is a difference with who made it.
type Change struct {
	Difference
	Attribution Attribution `json:"attribution"`
	Causes      []Cause     `json:"causes,omitempty"`
	Note        string      `json:"note,omitempty"`
}

// ReconcileReport answers: what exists that the baseline does not know?
type ReconcileReport struct {
	Schema      string `json:"schema"`
	Baseline    Side   `json:"baseline"`
	Current     Side   `json:"current"`
	EventsGiven bool   `json:"events_given"`
	// EventsUsed counts the successful Identity Center writes inside the
	// window between the two models that were considered.
	EventsUsed int `json:"events_used"`
	// Counts: "rogue" and one entry per attribution of rogue grants.
	Counts map[string]int `json:"counts"`
	// Grants are the rogue grants: every grant in the current state the
	// baseline does not have. Ordered by attribution, then severity.
	Grants []Change `json:"rogue"`
	// Other is drift that grants nothing (removals, descriptions …).
	Other    []Change `json:"other_drift"`
	Warnings []string `json:"warnings,omitempty"`
}

// Rogue is the number of rogue grants (the CLI's exit status).
func (r *ReconcileReport) Rogue() int { return len(r.Grants) }

// RogueBy counts rogue grants with one attribution.
func (r *ReconcileReport) RogueBy(a Attribution) int {
	n := 0
	for _, g := range r.Grants {
		if g.Attribution == a {
			n++
		}
	}
	return n
}

// Reconcile lists every grant in cur that baseline does not know about and,
// when events are given, explains each by the CloudTrail events that made
// it. Like Diff it is pure: inputs are not modified.
func Reconcile(baseline, cur *idc.Model, evs []*cloudtrail.Event, cfg *config.Config) ReconcileReport {
	if cfg == nil {
		cfg = config.Default()
	}
	if baseline == nil {
		baseline = idc.New("empty")
	}
	if cur == nil {
		cur = idc.New("empty")
	}
	s := newScope(cfg)
	diff := s.diff(baseline, cur)
	writes, skipped := candidateEvents(evs, baseline.CapturedAt, cur.CapturedAt)
	r := ReconcileReport{
		Schema:      ReconcileSchema,
		Baseline:    diff.Base,
		Current:     diff.Current,
		EventsGiven: evs != nil,
		EventsUsed:  len(writes),
		Counts:      map[string]int{"rogue": 0},
		Grants:      []Change{},
		Other:       []Change{},
		Warnings:    diff.Warnings,
	}
	if skipped > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d Identity Center write(s) fall outside the time between the two models and were not used", skipped))
	}
	writes, bad := readable(writes)
	r.EventsUsed = len(writes)
	if len(bad) > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d Identity Center write(s) could not be read and explain nothing; first: %v", len(bad), bad[0]))
	}
	allow := actor.NewAllowlist(cfg.Admins).WithDirectory(cur)
	for _, d := range diff.Differences {
		c := explain(d, baseline, cur, writes, allow, evs != nil)
		if isGrant(d, s.index(cur)) {
			r.Grants = append(r.Grants, c)
			r.Counts["rogue"]++
			r.Counts[string(c.Attribution)]++
		} else {
			r.Other = append(r.Other, c)
		}
	}
	sortChanges(r.Grants) // Other keeps Diff's order: it has no sections
	return r
}

// isGrant: a difference that can widen someone's access. A membership only
// grants when its group holds assignments; an inline policy change only
// when it adds statements or drops a Deny.
func isGrant(d Difference, cur *access.Index) bool {
	if !d.Kind.IsGrant() {
		return false
	}
	switch d.Kind {
	case MembershipAdded:
		return len(cur.GroupAssignments(d.Object.GroupID)) > 0
	case InlinePolicyChanged:
		return d.Policy == nil || len(d.Policy.Added) > 0 || removesDeny(d.Policy)
	case DelegatedAdminChanged:
		return d.After != ""
	}
	return true
}

func removesDeny(pd *PolicyDiff) bool {
	for _, s := range pd.Removed {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) != nil {
			return true // unreadable: assume the worst
		}
		for k, v := range m {
			if strings.EqualFold(k, "Effect") && strings.EqualFold(fmt.Sprint(v), "Deny") {
				return true
			}
		}
	}
	return false
}

// modelSources are the event sources whose writes can change a model.
var modelSources = func() map[string]bool {
	out := map[string]bool{}
	for _, s := range idc.ModelSources() {
		out[s] = true
	}
	return out
}()

// candidateEvents keeps successful writes that can change the model, in
// time order, and drops those outside (baseline, current] when the models
// say when they were captured: an earlier event's effect is in the
// baseline or was undone, a later one is not in the current state yet.
func candidateEvents(evs []*cloudtrail.Event, from, to time.Time) (out []*cloudtrail.Event, skipped int) {
	for _, e := range evs {
		if e == nil || e.ErrorCode != "" || e.ReadOnly || !modelSources[e.Source] {
			continue
		}
		if (!from.IsZero() && !e.Time.After(from)) || (!to.IsZero() && e.Time.After(to)) {
			skipped++
			continue
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b *cloudtrail.Event) int { return a.Time.Compare(b.Time) })
	return out, skipped
}

// readable drops writes the model cannot apply (a field missing or of the
// wrong type), keeping the errors so the report can say so.
func readable(writes []*cloudtrail.Event) (ok []*cloudtrail.Event, bad []error) {
	for _, e := range writes {
		if _, err := idc.New("probe").Apply(e); err != nil {
			bad = append(bad, err)
			continue
		}
		ok = append(ok, e)
	}
	return ok, bad
}

func explain(d Difference, base, cur *idc.Model, writes []*cloudtrail.Event, allow *actor.Allowlist, given bool) Change {
	c := Change{Difference: d}
	if !given {
		c.Attribution = NoEvidence
		c.Note = "no CloudTrail events given"
		return c
	}
	probes := probesFor(d, base, cur)
	ns := needles(d, base)
	for _, e := range writes {
		if !mentions(e.Raw, ns) {
			continue
		}
		if x, ok := tryProbes(probes, e); ok {
			c.Causes = append(c.Causes, causeOf(e, allow, x))
		}
	}
	exact := slices.ContainsFunc(c.Causes, func(x Cause) bool { return !x.Related })
	switch {
	case len(c.Causes) == 0:
		c.Attribution = Unexplained
		c.Note = UnexplainedNote
		return c
	case !exact:
		c.Note = "events touched it, but none left it in its current state: the last change was made out of band"
	}
	c.Attribution = ByAllowlisted
	for _, x := range c.Causes {
		if !x.Actor.Allowlisted {
			c.Attribution = ByOthers
		}
	}
	return c
}

// tryProbes applies e to each probe's seed: the first probe whose target
// it reaches makes e a cause; otherwise a related probe it touched makes e
// related.
func tryProbes(probes []probe, e *cloudtrail.Event) (related, ok bool) {
	for _, p := range probes {
		m := p.seed()
		before := p.extract(m)
		if changed, err := m.Apply(e); err != nil || !changed {
			continue
		}
		switch after := p.extract(m); {
		case after == p.target:
			return false, true
		case p.related && after != before:
			related, ok = true, true
		}
	}
	return related, ok
}

func causeOf(e *cloudtrail.Event, allow *actor.Allowlist, related bool) Cause {
	a := actor.FromEvent(e)
	ok, _ := allow.Match(a, e.Time)
	return Cause{
		EventID: e.ID, EventName: e.Name, EventSource: e.Source, Time: e.Time,
		Actor:    finding.Actor{ARN: a.ARN, Type: a.Type, Name: a.Name, UserID: a.UserID, Allowlisted: ok},
		SourceIP: e.String("sourceIPAddress"), Account: e.Account, Region: e.Region, Related: related,
	}
}

var attributionOrder = map[Attribution]int{ByOthers: 0, Unexplained: 1, NoEvidence: 2, ByAllowlisted: 3}

func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		if c := cmp.Compare(attributionOrder[a.Attribution], attributionOrder[b.Attribution]); c != 0 {
			return c
		}
		return cmp.Compare(b.Severity, a.Severity) // Diff already ordered the rest
	})
}
