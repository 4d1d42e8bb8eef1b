// Package detect is the detection engine: it compiles Sigma rules (and
// Sigma v2 correlation rules) parsed by internal/sigma into matchers and
// evaluates them over enriched CloudTrail events, producing findings.
package detect

import (
	"regexp"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// Rule is a rule as an engine runs it: the syntax tree as parsed, plus what
// the engine compiled from it.
type Rule struct {
	*sigma.Rule

	match    expr         // compiled detection; nil unless a plain rule
	corr     *correlation // nil unless a correlation rule
	escalate []escalation
	silent   bool // referenced by a correlation without generate: true
	// scope is the (eventSource -> eventNames) a rule can match at all,
	// derived from its detection; nil means any event. It lets Process skip
	// rules cheaply.
	scope scope
}

type escalation struct {
	sigma.Escalation
	when *selection
}

// Generates reports whether matches of r become findings.
func (r *Rule) Generates() bool { return r.Portcullis.ID != "" && !r.silent }

// RaisedByWatch reports whether watch --baseline's drift comparison raises
// the rule's findings (it has nothing for the engine to evaluate).
func (r *Rule) RaisedByWatch() bool { return r.Portcullis.Kind == sigma.KindDrift }

// KindLabel says what raises the rule's findings, for listings: "rule",
// "correlation" or "raised by watch --baseline", ", guardrail" when it
// weakens a guardrail for everyone and ", attempts" when failed calls are
// its point.
func (r *Rule) KindLabel() string {
	kind := "rule"
	switch {
	case r.IsCorrelation():
		kind = "correlation"
	case r.RaisedByWatch():
		kind = "raised by watch --baseline"
	}
	if r.Portcullis.Guardrail {
		kind += ", guardrail"
	}
	if r.Portcullis.Attempts {
		kind += ", attempts"
	}
	return kind
}

// Attack returns the rule's ATT&CK technique ids (T1098.003) from its
// Sigma tags (attack.t1098.003).
func (r *Rule) Attack() []string {
	var out []string
	for _, t := range r.Tags {
		if m := attackTag.FindStringSubmatch(strings.ToLower(t)); m != nil {
			out = append(out, strings.ToUpper(m[1]))
		}
	}
	return out
}

var attackTag = regexp.MustCompile(`^attack\.(t\d{4}(\.\d{3})?)$`)
