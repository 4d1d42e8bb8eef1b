package detect

import (
	"fmt"
	"slices"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/enrich"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Engine evaluates a rule set over events in time order. It is stateful
// (the Identity Center model moves forward with each event; correlation
// windows fill) and not safe for concurrent use: one owner feeds it.
type Engine struct {
	rules []*Rule
	// primary rules run on every event in scope; fallback rules only when
	// no primary rule raised a finding.
	primary, fallback []*Rule
	corrs             []*Rule
	byName            map[string]*Rule
	feeds             map[string][]*Rule // base rule name -> correlations using it
	cfg               *config.Config
	enricher          *enrich.Enricher
	state             map[string]*corrState  // correlation rule id -> windows
	failures          map[string][]time.Time // actor key -> recent failed writes
	// maxGroups bounds each correlation's groups and the failure counters
	// (defaultMaxGroups; tests set it small).
	maxGroups int
	// ApplyErrors counts events the model could not apply (malformed
	// fields); the error is not fatal to detection.
	ApplyErrors []error

	// modelVersion counts model changes.
	modelVersion uint64
	learned      int
	// rows tracks what changed since the state was last saved as rows
	// (state_rows.go).
	rows rowTracking
}

// repeatedFailures is how many failed Identity Center writes by one actor
// within failureWindow turn "attempts" back into a real finding.
const (
	repeatedFailures = 3
	failureWindow    = time.Hour
)

// NewEngine compiles a rule set against a config and a starting state.
// state may be nil (an empty model is used).
func NewEngine(rs *RuleSet, cfg *config.Config, state *idc.Model) (*Engine, error) {
	if cfg == nil {
		cfg = config.Default()
	}
	if state == nil {
		state = idc.New("events")
	}
	e := &Engine{
		byName:    map[string]*Rule{},
		feeds:     map[string][]*Rule{},
		cfg:       cfg,
		enricher:  enrich.New(cfg, state),
		state:     map[string]*corrState{},
		failures:  map[string][]time.Time{},
		maxGroups: defaultMaxGroups,
	}
	// The syntax trees are shared; each engine compiles its own matchers
	// (placeholders are bound to its config).
	for _, sr := range rs.parsed {
		e.rules = append(e.rules, &Rule{Rule: sr})
	}
	if err := e.link(); err != nil {
		return nil, err
	}
	c := newCompiler(cfg)
	for _, r := range e.rules {
		if err := c.rule(r); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (e *Engine) link() error {
	ids := map[string]string{}
	for _, r := range e.rules {
		if id := r.Portcullis.ID; id != "" {
			if prev, dup := ids[id]; dup {
				return fmt.Errorf("%s: rule id %s already defined in %s", r.Source, id, prev)
			}
			ids[id] = r.Source
		}
		if r.Name != "" {
			if prev, dup := e.byName[r.Name]; dup {
				return fmt.Errorf("%s: rule name %s already defined in %s", r.Source, r.Name, prev.Source)
			}
			e.byName[r.Name] = r
		}
		switch {
		case r.RaisedByWatch():
			// Metadata only: watch --baseline raises its findings.
		case r.IsCorrelation():
			e.corrs = append(e.corrs, r)
		case r.Portcullis.Fallback:
			e.fallback = append(e.fallback, r)
		default:
			e.primary = append(e.primary, r)
		}
	}
	for _, c := range e.corrs {
		if c.Portcullis.ID == "" {
			return fmt.Errorf("%s: correlation rule %q needs portcullis.id", c.Source, c.Title)
		}
		for _, name := range c.Correlation.Rules {
			base, ok := e.byName[name]
			if !ok {
				return fmt.Errorf("%s: correlation %s: unknown rule %q", c.Source, c.Portcullis.ID, name)
			}
			if base.IsCorrelation() || base.RaisedByWatch() {
				return fmt.Errorf("%s: correlation %s: chaining correlations (%q) is not supported", c.Source, c.Portcullis.ID, name)
			}
			if !c.Correlation.Generate {
				base.silent = true
			}
			e.feeds[name] = append(e.feeds[name], c)
		}
		c.corr = &correlation{c.Correlation}
		e.state[c.Portcullis.ID] = newCorrState()
	}
	for _, r := range e.plainRules() {
		r.scope = scopeOf(r)
		if r.Portcullis.ID == "" && len(e.feeds[r.Name]) == 0 {
			return fmt.Errorf("%s: rule %q has a portcullis: block without id and feeds no correlation: give portcullis.id (idc.<area>.<name>, e.g. idc.assignment.created), or drop the block to load it as a plain Sigma rule (id %s.<Sigma id or file name>)", r.Source, r.Title, PlainNamespace)
		}
	}
	return nil
}

// Rules returns the loaded rules in load order.
func (e *Engine) Rules() []*Rule { return e.rules }

// Config returns the config the engine was built with.
func (e *Engine) Config() *config.Config { return e.cfg }

// ModelVersion counts changes to the Identity Center model (events applied,
// names learned): a caller can tell whether an event moved it.
func (e *Engine) ModelVersion() uint64 { return e.modelVersion }

// State returns the Identity Center model as moved forward so far.
func (e *Engine) State() *idc.Model { return e.enricher.State() }

// plainRules returns the rules with a detection, primary then fallback.
func (e *Engine) plainRules() []*Rule { return slices.Concat(e.primary, e.fallback) }

// Process enriches one event, evaluates the rules and feeds the
// correlations, moves the model forward, and returns the findings raised.
// Fallback rules (a write by an unlisted actor) run only when no other rule
// raised a finding for the event.
func (e *Engine) Process(ev *cloudtrail.Event) []finding.Finding {
	e.enricher.Enrich(ev)
	e.trackFailure(ev) // before the rules: the current failure counts
	at := placeOf(ev)
	out, raised := e.evaluate(e.primary, ev, at, nil)
	if !raised {
		out, _ = e.evaluate(e.fallback, ev, at, out)
	}
	e.moveModel(ev)
	return out
}

// evaluate runs rules over ev and appends what they raise to out; raised
// reports whether a rule of its own (not a correlation) raised a finding.
func (e *Engine) evaluate(rules []*Rule, ev *cloudtrail.Event, at place, out []finding.Finding) (_ []finding.Finding, raised bool) {
	for _, r := range rules {
		if !r.scope.holds(at) || !r.match.eval(ev) {
			continue
		}
		if r.Generates() {
			raised = true
			out = append(out, e.build(r, ev, nil))
		}
		out = e.correlate(r, ev, out)
	}
	return out, raised
}

// correlate feeds ev, matched by base rule r, to the correlations using r
// and appends the ones it completes.
func (e *Engine) correlate(r *Rule, ev *cloudtrail.Event, out []finding.Finding) []finding.Finding {
	for _, c := range e.feeds[r.Name] {
		key, ok := c.corr.groupKey(r.Name, ev)
		if !ok {
			continue
		}
		var value string
		if c.Correlation.Type == "value_count" {
			if value, ok = c.corr.value(ev); !ok {
				continue
			}
		}
		if done := c.corr.feed(e.state[c.Portcullis.ID], r.Name, e.signal(r, ev), key, value, e.maxGroups); done != nil {
			out = append(out, e.build(c, ev, done))
		}
	}
	return out
}

// moveModel applies ev to the Identity Center model and counts the change.
func (e *Engine) moveModel(ev *cloudtrail.Event) {
	changed, err := e.State().Apply(ev)
	if err != nil && len(e.ApplyErrors) < 1000 {
		e.ApplyErrors = append(e.ApplyErrors, err)
	}
	if changed || e.enricher.Learned() != e.learned {
		e.learned = e.enricher.Learned()
		e.modelVersion++
		e.enricher.ModelChanged()
	}
}

func (e *Engine) trackFailure(ev *cloudtrail.Event) {
	if ev.ErrorCode == "" || ev.Derived["portcullis.idc.write"] != true {
		return
	}
	k := ev.String("portcullis.actor.key")
	e.touchFailure(k)
	ts := append(e.failures[k], ev.Time)
	for len(ts) > 0 && ev.Time.Sub(ts[0]) > failureWindow {
		ts = ts[1:]
	}
	e.failures[k] = ts
	if len(e.failures) > e.maxGroups {
		for k2 := range e.failures {
			delete(e.failures, k2)
			e.touchFailure(k2)
			break
		}
	}
}

func (e *Engine) recentFailures(ev *cloudtrail.Event) int {
	n := 0
	for _, t := range e.failures[ev.String("portcullis.actor.key")] {
		if ev.Time.Sub(t) <= failureWindow {
			n++
		}
	}
	return n
}
