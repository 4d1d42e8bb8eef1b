package detect

import (
	"encoding/json"
	"fmt"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/enrich"
	"github.com/portcullis-sec/portcullis/internal/finding"
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
	fs, dropped, err := rs.replay(t, cfg)
	if err != nil {
		return false, err.Error(), "no verdict (the test did not run)"
	}
	sev := ""
	for _, f := range fs {
		if f.Rule == r.Portcullis.ID {
			sev = f.Severity.String()
		}
	}
	got = verdict(sev != "", sev)
	if dropped {
		got = "no finding (the prefilter drops the event)"
	}
	switch {
	case t.Match && dropped:
		return false, "expected a finding, but the prefilter derived from the rules drops the event", got
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

// replay runs a test's events through a fresh engine (state never leaks
// between tests) along the real ingest path, and returns the findings the
// test's own event raised, or dropped when the prefilter dropped it.
func (rs *RuleSet) replay(t sigma.Test, cfg *config.Config) (fs []finding.Finding, dropped bool, err error) {
	e, err := NewEngine(rs, cfg, nil)
	if err != nil {
		return nil, false, err
	}
	evs, drops, err := ingest(e, append(append([]map[string]any{}, t.Before...), t.Event))
	if err != nil {
		return nil, false, err
	}
	last := len(t.Before)
	for _, ev := range evs {
		out := e.Process(ev)
		if ev.Origin.Index == last {
			fs = out
		}
	}
	return fs, drops[last], nil
}

// ingest reads a test's events the way a hunt reads a trail: written into
// one CloudTrail object ({"Records":[…]}), cut by the splitter, passed
// through the prefilter derived from the loaded rules and decoded by the
// fast decoder. A rule whose events the prefilter would drop cannot pass
// its own tests. dropped names the records the prefilter dropped.
func ingest(e *Engine, recs []map[string]any) ([]*cloudtrail.Event, map[int]bool, error) {
	obj, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		return nil, nil, fmt.Errorf("test events: %w", err)
	}
	pf := cloudtrail.NewPrefilter(e.Interest())
	var evs []*cloudtrail.Event
	dropped := map[int]bool{}
	var bad error
	err = cloudtrail.SplitRecords(obj, func(rec *cloudtrail.Record) error {
		if !pf.MatchRecord(rec) {
			dropped[rec.Index] = true
			return nil
		}
		ev, err := cloudtrail.DecodeFast(rec.Raw, cloudtrail.Origin{File: "rule-test", Index: rec.Index})
		if err != nil {
			return fmt.Errorf("record %d: %w", rec.Index, err)
		}
		if !pf.MatchEvent(ev) {
			dropped[rec.Index] = true
			return nil
		}
		evs = append(evs, ev)
		return nil
	}, func(index int, _ int64, err error) {
		if bad == nil {
			bad = fmt.Errorf("record %d: %w", index, err)
		}
	})
	if err == nil {
		err = bad
	}
	return evs, dropped, err
}
