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
			res.Passed, res.Detail = rs.runOne(r, t, cfg)
			out = append(out, res)
		}
	}
	return out, nil
}

func (rs *RuleSet) runOne(r *Rule, t sigma.Test, cfg *config.Config) (bool, string) {
	e, err := NewEngine(rs, cfg, nil)
	if err != nil {
		return false, err.Error()
	}
	for i, b := range t.Before {
		ev, err := toEvent(b, i)
		if err != nil {
			return false, fmt.Sprintf("before[%d]: %v", i, err)
		}
		e.Process(ev)
	}
	ev, err := toEvent(t.Event, len(t.Before))
	if err != nil {
		return false, fmt.Sprintf("event: %v", err)
	}
	var got *string
	for _, f := range e.Process(ev) {
		if f.Rule == r.Portcullis.ID {
			s := f.Severity.String()
			got = &s
		}
	}
	switch {
	case t.Match && got == nil:
		return false, "expected a finding, got none"
	case !t.Match && got != nil:
		return false, "expected no finding, got one at " + *got
	case t.Match && t.Severity != "" && *got != t.Severity:
		return false, fmt.Sprintf("expected severity %s, got %s", t.Severity, *got)
	}
	return true, ""
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
