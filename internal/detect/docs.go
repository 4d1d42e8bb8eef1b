package detect

import (
	"fmt"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/config"
)

// Docs renders the rule table for the README from the rules themselves:
// id, base level, whether it is a guardrail, and one example finding (the
// rule's first positive test event run through a fresh engine).
func Docs(rs *RuleSet, cfg *config.Config) (string, error) {
	var b strings.Builder
	b.WriteString("| rule id | level | example (from the rule's own test event) |\n|---|---|---|\n")
	for _, r := range rs.Rules {
		if !r.Generates() {
			continue
		}
		if r.RaisedByWatch() {
			fmt.Fprintf(&b, "| `%s` | %s, raised by `watch --baseline` | one per grant outside the known-good baseline, at the difference's severity |\n", r.Portcullis.ID, r.Level)
			continue
		}
		ex, sev, err := rs.example(r, cfg)
		if err != nil {
			return "", err
		}
		lvl := r.Level.String()
		if r.Portcullis.Guardrail {
			lvl += " (guardrail)"
		}
		if r.Portcullis.Attempts {
			lvl += " (attempts)"
		}
		if r.IsCorrelation() {
			lvl += ", correlation"
		}
		fmt.Fprintf(&b, "| `%s` | %s | **%s**: %s |\n", r.Portcullis.ID, lvl, sev, strings.ReplaceAll(ex, "|", "\\|"))
	}
	return b.String(), nil
}

func (rs *RuleSet) example(r *Rule, cfg *config.Config) (summary, severity string, err error) {
	for _, t := range r.Portcullis.Tests {
		if !t.Match {
			continue
		}
		e, err := NewEngine(rs, cfg, nil)
		if err != nil {
			return "", "", err
		}
		for i, b := range t.Before {
			ev, err := toEvent(b, i)
			if err != nil {
				return "", "", fmt.Errorf("%s: %w", r.Source, err)
			}
			e.Process(ev)
		}
		ev, err := toEvent(t.Event, len(t.Before))
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", r.Source, err)
		}
		for _, f := range e.Process(ev) {
			if f.Rule == r.Portcullis.ID {
				return f.Summary, f.Severity.String(), nil
			}
		}
		return "", "", fmt.Errorf("%s: first positive test event raised no finding", r.Source)
	}
	return "", "", fmt.Errorf("%s: no positive test event to document", r.Source)
}
