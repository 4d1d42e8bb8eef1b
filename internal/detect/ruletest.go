package detect

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/enrich"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/sigma"
	"github.com/portcullis-sec/portcullis/rules"
)

func newEnricherFor(e *Engine, m *idc.Model) *enrich.Enricher { return enrich.New(e.cfg, m) }

// TestResult is the outcome of one of a rule's own test events.
type TestResult struct {
	Rule   string
	Name   string
	Passed bool
	Detail string
	// Want is what the test expects ("a finding", "a finding at high", "no
	// finding"), Got what the rule did ("a finding at medium", "no finding").
	Want, Got string
}

// TestContext is the config rule tests run with (rules/testcontext.yaml).
func TestContext() (*config.Config, error) {
	b, err := rules.FS.ReadFile("testcontext.yaml")
	if err != nil {
		return nil, err
	}
	c, err := config.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("rules/testcontext.yaml: %w", err)
	}
	return c, nil
}

// RunTests runs every rule's own test events; each test gets a fresh engine
// so state never leaks between tests.
func (rs *RuleSet) RunTests(cfg *config.Config) ([]TestResult, error) {
	var out []TestResult
	for _, r := range rs.Rules {
		if len(r.Portcullis.Tests) > 0 && r.Portcullis.ID == "" {
			return nil, fmt.Errorf("%s: tests on a rule without portcullis.id cannot be checked", r.Source)
		}
		for i, t := range r.Portcullis.Tests {
			res := TestResult{Rule: r.Portcullis.ID, Name: t.Name}
			if res.Name == "" {
				res.Name = fmt.Sprintf("test %d", i+1)
			}
			res.Passed, res.Detail, res.Got = rs.runOne(r, t, cfg)
			res.Want = verdict(t.Match, t.Severity)
			out = append(out, res)
		}
	}
	return out, nil
}

func (rs *RuleSet) runOne(r *Rule, t sigma.Test, cfg *config.Config) (passed bool, detail, got string) {
	sev, err := rs.evalOne(r, t, cfg)
	if err != nil {
		return false, err.Error(), "no verdict (the test did not run)"
	}
	got = verdict(sev != "", sev)
	switch {
	case t.Match && sev == "":
		return false, "expected a finding, got none", got
	case !t.Match && sev != "":
		return false, "expected no finding, got one at " + sev, got
	case t.Match && t.Severity != "" && sev != t.Severity:
		return false, fmt.Sprintf("expected severity %s, got %s", t.Severity, sev), got
	}
	return true, "", got
}

// verdict says "no finding", "a finding" or "a finding at SEVERITY".
func verdict(match bool, severity string) string {
	switch {
	case !match:
		return "no finding"
	case severity == "":
		return "a finding"
	}
	return "a finding at " + severity
}

// evalOne runs a test's events through a fresh engine and returns the
// severity of the rule's finding on the last one ("" for none).
func (rs *RuleSet) evalOne(r *Rule, t sigma.Test, cfg *config.Config) (string, error) {
	e, err := NewEngine(rs, cfg, nil)
	if err != nil {
		return "", err
	}
	for i, b := range t.Before {
		ev, err := toEvent(b, i)
		if err != nil {
			return "", fmt.Errorf("before[%d]: %w", i, err)
		}
		e.Process(ev)
	}
	ev, err := toEvent(t.Event, len(t.Before))
	if err != nil {
		return "", fmt.Errorf("event: %w", err)
	}
	got := ""
	for _, f := range e.Process(ev) {
		if f.Rule == r.Portcullis.ID {
			got = f.Severity.String()
		}
	}
	return got, nil
}

// toEvent round-trips a YAML-decoded record through JSON so the test event
// looks exactly like one read from a file.
func toEvent(m map[string]any, idx int) (*cloudtrail.Event, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return cloudtrail.Decode(bytes.TrimSpace(b), cloudtrail.Origin{File: "rule-test", Index: idx})
}
