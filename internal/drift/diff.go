package drift

import (
	"cmp"
	"slices"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Schema versions the JSON form of a Report.
const Schema = "portcullis.drift/v1"

// Object is the identity of what changed. Type is permission_set,
// assignment, membership, user, group or instance; Key is unique per Type
// (an assignment's key is permission set + principal + account).
type Object struct {
	Type              string `json:"type"`
	Key               string `json:"key"`
	PermissionSetARN  string `json:"permission_set_arn,omitempty"`
	PermissionSetName string `json:"permission_set_name,omitempty"`
	AccountID         string `json:"account_id,omitempty"`
	AccountName       string `json:"account_name,omitempty"`
	PrincipalType     string `json:"principal_type,omitempty"`
	PrincipalID       string `json:"principal_id,omitempty"`
	PrincipalName     string `json:"principal_name,omitempty"`
	GroupID           string `json:"group_id,omitempty"`
	GroupName         string `json:"group_name,omitempty"`
	UserID            string `json:"user_id,omitempty"`
	UserName          string `json:"user_name,omitempty"`
	PolicyARN         string `json:"policy_arn,omitempty"`  // managed policy attached/detached
	PolicyName        string `json:"policy_name,omitempty"` // customer managed reference path+name
}

// Difference is one change between the two models.
type Difference struct {
	Kind     Kind             `json:"kind"`
	Severity finding.Severity `json:"severity"`
	Object   Object           `json:"object"`
	Summary  string           `json:"summary"`
	Reasons  []string         `json:"reasons,omitempty"`
	Before   string           `json:"before,omitempty"`
	After    string           `json:"after,omitempty"`
	// Policy is the statement-level diff of an inline policy change.
	Policy *PolicyDiff `json:"policy_diff,omitempty"`
	// Access is what the changed permission set (or attached policy) grants
	// after the change: admin, privileged, privilege-escalation or none.
	Access string `json:"access,omitempty"`
	// GrantsAdmin is true when the change leaves admin access where there
	// was none (an admin policy attached, an inline policy now granting admin).
	GrantsAdmin bool `json:"grants_admin,omitempty"`
}

// Side describes one of the compared models.
type Side struct {
	From       string   `json:"from,omitempty"`
	CapturedAt string   `json:"captured_at,omitempty"` // RFC 3339, "" when unknown
	Partial    bool     `json:"partial,omitempty"`
	Missing    []string `json:"missing,omitempty"`
}

// Report is the result of Diff.
type Report struct {
	Schema      string         `json:"schema"`
	Base        Side           `json:"base"`
	Current     Side           `json:"current"`
	Counts      map[string]int `json:"counts"` // per severity name
	Warnings    []string       `json:"warnings,omitempty"`
	Differences []Difference   `json:"differences"`
}

// Max is the highest severity in the report (Info when empty).
func (r *Report) Max() finding.Severity {
	m := finding.Info
	for _, d := range r.Differences {
		m = max(m, d.Severity)
	}
	return m
}

// AtLeast counts the differences at or above a severity.
func (r *Report) AtLeast(s finding.Severity) int {
	n := 0
	for _, d := range r.Differences {
		if d.Severity >= s {
			n++
		}
	}
	return n
}

// Diff lists every difference from base to cur. A nil cfg means defaults;
// nil models are treated as empty.
func Diff(base, cur *idc.Model, cfg *config.Config) Report {
	if base == nil {
		base = idc.New("empty")
	}
	if cur == nil {
		cur = idc.New("empty")
	}
	return newScope(cfg).diff(base, cur)
}

// diff is Diff with the scope (and its indexes) kept by the caller.
func (s *scope) diff(base, cur *idc.Model) Report {
	d := &differ{base: base, cur: cur, s: s, baseAssign: assignmentSet(base), curAssign: assignmentSet(cur)}
	d.permissionSets()
	d.assignments()
	d.provisioning()
	d.memberships()
	d.principals()
	d.instance()
	sortDifferences(d.out)

	r := Report{
		Schema:      Schema,
		Base:        side(base),
		Current:     side(cur),
		Counts:      map[string]int{},
		Differences: d.out,
	}
	if r.Differences == nil {
		r.Differences = []Difference{}
	}
	for _, x := range r.Differences {
		r.Counts[x.Severity.String()]++
	}
	if base.Partial {
		r.Warnings = append(r.Warnings, "base model is partial: objects missing from it show as added")
	}
	if cur.Partial {
		r.Warnings = append(r.Warnings, "current model is partial: objects missing from it show as removed")
	}
	return r
}

type differ struct {
	base, cur             *idc.Model
	s                     *scope
	baseAssign, curAssign keyed
	out                   []Difference
}

func (d *differ) add(x Difference) { d.out = append(d.out, x) }

func side(m *idc.Model) Side {
	s := Side{From: m.From, Partial: m.Partial, Missing: m.Missing}
	if !m.CapturedAt.IsZero() {
		s.CapturedAt = m.CapturedAt.UTC().Format(time.RFC3339)
	}
	return s
}

// sortDifferences orders by severity (worst first), kind, then identity, so
// output is stable run to run.
func sortDifferences(ds []Difference) {
	slices.SortStableFunc(ds, func(a, b Difference) int {
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Object.Key, b.Object.Key); c != 0 {
			return c
		}
		return cmp.Compare(a.Summary, b.Summary)
	})
}
