// Package posture runs hardening checks over an Identity Center model, plus
// CloudTrail where a check needs evidence (MFA, unused assignments) and an
// Organizations export for the SCP guardrail. Every check has a stable id,
// a severity, the objects that fail it, why it matters and how to fix it.
// Checks whose input is missing are skipped, never passed.
//
// Run is a pure function: no I/O and no clock (the caller passes Now).
package posture

import (
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
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Schema versions the JSON form of a Report.
const Schema = "portcullis.posture/v1"

// DefaultWindow is how far back CloudTrail evidence is read.
const DefaultWindow = 90 * 24 * time.Hour

// Status is a check's outcome.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip" // the input the check needs was not given
)

// Object is one thing that fails a check.
type Object struct {
	Type      string `json:"type"` // permission_set, group, user, account, assignment, organization
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	AccountID string `json:"account_id,omitempty"`
	Detail    string `json:"detail,omitempty"`
}

// Result is the outcome of one check.
type Result struct {
	ID       string           `json:"id"`
	Title    string           `json:"title"`
	Severity finding.Severity `json:"severity"`
	Status   Status           `json:"status"`
	Failing  []Object         `json:"failing,omitempty"`
	Note     string           `json:"note,omitempty"` // why skipped, or limits of the evidence
	Why      string           `json:"why"`
	Fix      string           `json:"fix"`
}

// Input is what the checks read. Only Model is required.
type Input struct {
	Model  *idc.Model
	Config *config.Config      // nil: defaults
	Events []*cloudtrail.Event // nil: event-based checks are skipped
	Org    *idc.Organization   // nil: the SCP check is skipped
	Window time.Duration       // evidence window; 0 = DefaultWindow
	Now    time.Time           // end of the window; zero = latest event, else the model's capture time
}

// Report is the result of Run.
type Report struct {
	Schema      string `json:"schema"`
	InstanceARN string `json:"instance_arn,omitempty"`
	// ManagementAccountID is where the organization instance lives.
	ManagementAccountID string         `json:"management_account_id,omitempty"`
	Model               string         `json:"model"` // where the model came from
	Partial             bool           `json:"partial,omitempty"`
	Now                 time.Time      `json:"now,omitzero"` // zero: no events and no capture time
	WindowStart         time.Time      `json:"window_start,omitzero"`
	Counts              map[Status]int `json:"counts"`
	Results             []Result       `json:"results"`
}

// FailsAt reports whether any check at or above sev failed (--fail-on).
func (r *Report) FailsAt(sev finding.Severity) bool {
	for _, x := range r.Results {
		if x.Status == Fail && x.Severity >= sev {
			return true
		}
	}
	return false
}

// Result returns the result of one check.
func (r *Report) Result(id string) (Result, bool) {
	i := slices.IndexFunc(r.Results, func(x Result) bool { return x.ID == id })
	if i < 0 {
		return Result{}, false
	}
	return r.Results[i], true
}

// env is what every check sees: the normalized input and shared lookups.
type env struct {
	m        *idc.Model
	cfg      *config.Config
	allow    *actor.Allowlist
	org      *idc.Organization
	events   []*cloudtrail.Event // inside the window
	given    bool                // events were passed at all
	from, to time.Time
	earliest time.Time // first event in the window
	levels   map[string]policy.Analysis
	paths    []access.Access // lazily, see grants
}

// Run evaluates every check.
func Run(in Input) Report {
	e := newEnv(in)
	r := Report{
		Schema: Schema, InstanceARN: e.m.InstanceARN, ManagementAccountID: e.m.ManagementAccountID, Model: e.m.From, Partial: e.m.Partial,
		Now: e.to, WindowStart: e.from, Counts: map[Status]int{Pass: 0, Fail: 0, Skip: 0},
	}
	for _, c := range registry() {
		res := Result{ID: c.ID, Title: c.Title, Severity: c.Severity, Why: c.Why, Fix: c.Fix}
		c.run(e, &res)
		if res.Status == "" {
			res.Status = Pass
			if len(res.Failing) > 0 {
				res.Status = Fail
			}
		}
		e.unknownInput(c.Facts, &res)
		sortObjects(res.Failing)
		r.Counts[res.Status]++
		r.Results = append(r.Results, res)
	}
	return r
}

func newEnv(in Input) *env {
	m := in.Model
	if m == nil {
		m = idc.New("empty")
	}
	cfg := in.Config
	if cfg == nil {
		cfg = config.Default()
	}
	win := in.Window
	if win <= 0 {
		win = DefaultWindow
	}
	e := &env{m: m, cfg: cfg, allow: actor.NewAllowlist(cfg.Admins).WithDirectory(m), org: in.Org, given: in.Events != nil, levels: map[string]policy.Analysis{}}
	e.to = in.Now
	if e.to.IsZero() {
		for _, ev := range in.Events {
			if ev != nil && ev.Time.After(e.to) {
				e.to = ev.Time
			}
		}
	}
	if e.to.IsZero() {
		e.to = m.CapturedAt
	}
	if !e.to.IsZero() { // else nothing dates the window: no events, no capture time
		e.from = e.to.Add(-win)
	}
	for _, ev := range in.Events {
		if ev == nil || ev.Time.Before(e.from) || ev.Time.After(e.to) {
			continue
		}
		e.events = append(e.events, ev)
		if e.earliest.IsZero() || ev.Time.Before(e.earliest) {
			e.earliest = ev.Time
		}
	}
	return e
}

// level is what a permission set grants, computed once.
func (e *env) level(arn string) policy.Analysis {
	if a, ok := e.levels[arn]; ok {
		return a
	}
	var a policy.Analysis
	if ps, ok := e.m.PermissionSetByARN(arn); ok {
		a = idc.Classify(ps)
	}
	e.levels[arn] = a
	return a
}

// sensitive: listed in sensitive_accounts, or the management account.
func (e *env) sensitive(acct string) bool {
	return e.cfg.IsSensitive(acct) || (acct != "" && acct == e.m.ManagementAccountID)
}

func sortObjects(os []Object) {
	slices.SortFunc(os, func(a, b Object) int {
		for _, c := range [][2]string{{a.Type, b.Type}, {a.ID, b.ID}, {a.AccountID, b.AccountID}, {a.Detail, b.Detail}} {
			if c[0] != c[1] {
				if c[0] < c[1] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
}

// unknownInput applies "skipped, never passed" to what the model's source
// cannot show: a pass resting on an unknown fact becomes a skip saying
// which; a failure stands (what was found is real), noting what it could
// not see.
func (e *env) unknownInput(facts []string, r *Result) {
	var unknown []string
	for _, f := range facts {
		if !e.m.Knows(f) {
			unknown = append(unknown, strings.ReplaceAll(f, "_", " "))
		}
	}
	if len(unknown) == 0 || r.Status == Skip {
		return
	}
	what := fmt.Sprintf("the model (from %s) cannot show %s", orUnknownSource(e.m.From), strings.Join(unknown, " or "))
	if r.Status == Pass {
		r.Status, r.Note = Skip, what
		return
	}
	r.Note = strings.TrimPrefix(r.Note+"; incomplete: "+what, "; ")
}

func orUnknownSource(s string) string {
	if s == "" {
		return "an unknown source"
	}
	return s
}
