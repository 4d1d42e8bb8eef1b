package detect

import (
	"fmt"
	"sort"
	"strings"
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
	rules    []*Rule
	plain    []*Rule
	corrs    []*Rule
	byName   map[string]*Rule
	feeds    map[string][]*Rule // base rule name -> correlations using it
	cfg      *config.Config
	enricher *enrich.Enricher
	state    map[string]*corrState  // correlation rule id -> windows
	failures map[string][]time.Time // actor key -> recent failed writes
	// ApplyErrors counts events the model could not apply (malformed
	// fields); the error is not fatal to detection.
	ApplyErrors []error

	// modelVersion counts model changes; SaveState reuses savedModel while
	// it matches savedVersion.
	modelVersion, savedVersion uint64
	savedModel                 []byte
	learned                    int
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
		byName:   map[string]*Rule{},
		feeds:    map[string][]*Rule{},
		cfg:      cfg,
		enricher: enrich.New(cfg, state),
		state:    map[string]*corrState{},
		failures: map[string][]time.Time{},
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
		default:
			r.scope = scopeOf(r)
			e.plain = append(e.plain, r)
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
		e.state[c.Portcullis.ID] = newCorrState()
	}
	for _, r := range e.plain {
		if r.Portcullis.ID == "" && len(e.feeds[r.Name]) == 0 {
			return fmt.Errorf("%s: rule %q has no portcullis.id and feeds no correlation", r.Source, r.Title)
		}
	}
	return nil
}

// Rules returns the loaded rules in load order.
func (e *Engine) Rules() []*Rule { return e.rules }

// State returns the Identity Center model as moved forward so far.
func (e *Engine) State() *idc.Model { return e.enricher.State() }

// Process enriches one event, evaluates every rule and correlation, moves
// the model forward, and returns the findings it raised.
func (e *Engine) Process(ev *cloudtrail.Event) []finding.Finding {
	e.enricher.Enrich(ev)
	e.trackFailure(ev) // before the rules: the current failure counts
	var out []finding.Finding
	matched := false
	for pass := 0; pass < 2; pass++ {
		for _, r := range e.plain {
			if r.Portcullis.Fallback != (pass == 1) || (pass == 1 && matched) || !r.inScope(ev) {
				continue
			}
			if !r.match.eval(ev) {
				continue
			}
			if r.Generates() {
				matched = true
				out = append(out, e.build(r, ev, nil))
			}
			for _, c := range e.feeds[r.Name] {
				corr := correlation{c.Correlation}
				key, ok := corr.groupKey(r.Name, ev)
				if !ok {
					continue
				}
				if done := corr.feed(e.state[c.Portcullis.ID], r.Name, e.signal(r, ev), key); done != nil {
					out = append(out, e.build(c, ev, done))
				}
			}
		}
	}
	changed, err := e.State().Apply(ev)
	if err != nil && len(e.ApplyErrors) < 1000 {
		e.ApplyErrors = append(e.ApplyErrors, err)
	}
	if changed || e.enricher.Learned() != e.learned {
		e.learned = e.enricher.Learned()
		e.modelVersion++
	}
	return out
}

func (e *Engine) trackFailure(ev *cloudtrail.Event) {
	if ev.ErrorCode == "" || ev.Derived["portcullis.idc.write"] != true {
		return
	}
	k := ev.String("portcullis.actor.key")
	ts := append(e.failures[k], ev.Time)
	for len(ts) > 0 && ev.Time.Sub(ts[0]) > failureWindow {
		ts = ts[1:]
	}
	e.failures[k] = ts
	if len(e.failures) > maxGroups {
		for k2 := range e.failures {
			delete(e.failures, k2)
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

// Interest derives the prefilter from the rules: the event sources and
// names (or name prefixes) any rule can match, plus the reads that teach
// the state names (learnReads). A rule that names no eventSource makes the
// prefilter pass everything.
func (e *Engine) Interest() []cloudtrail.Interest {
	type group struct {
		src      string
		contains []string
		any      bool
		names    map[string]bool
		prefixes map[string]bool
	}
	groups := map[string]*group{}
	var order []string
	add := func(in cloudtrail.Interest) {
		k := in.Source + "\x00" + strings.Join(in.Contains, "\x00")
		g := groups[k]
		if g == nil {
			g = &group{src: in.Source, contains: in.Contains, names: map[string]bool{}, prefixes: map[string]bool{}}
			groups[k] = g
			order = append(order, k)
		}
		if len(in.Names) == 0 && len(in.NamePrefixes) == 0 {
			g.any = true
		}
		for _, n := range in.Names {
			g.names[n] = true
		}
		for _, p := range in.NamePrefixes {
			g.prefixes[p] = true
		}
	}
	for _, r := range e.plain {
		for _, in := range r.interest() {
			if in.Source == "" {
				return nil
			}
			add(in)
		}
	}
	for _, in := range learnReads {
		add(in)
	}
	sort.Strings(order)
	out := make([]cloudtrail.Interest, 0, len(order))
	for _, k := range order {
		g := groups[k]
		in := cloudtrail.Interest{Source: g.src, Contains: g.contains}
		if !g.any {
			in.Names, in.NamePrefixes = sortedSet(g.names), sortedSet(g.prefixes)
		}
		out = append(out, in)
	}
	return out
}

// learnReads are read calls whose responses name permission sets and
// groups (enrich learns them): a trail often starts long after those were
// created.
var learnReads = []cloudtrail.Interest{
	{Source: "sso.amazonaws.com", Names: []string{"DescribePermissionSet"}},
	{Source: "identitystore.amazonaws.com", Names: []string{"DescribeGroup", "ListGroups"}},
	{Source: "sso-directory.amazonaws.com", Names: []string{"DescribeGroup", "DescribeGroups", "SearchGroups", "ListGroups"}},
}

func sortedSet(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// scope is the (eventSource -> eventNames) a rule can match; an empty name
// set is every name.
type scope map[string]map[string]bool

// scopeOf turns a rule's interest into a lookup table; nil when the rule can
// match any event.
func scopeOf(r *Rule) scope {
	in := r.interest()
	scope := scope{}
	for _, i := range in {
		if i.Source == "" {
			return nil
		}
		names, seen := scope[i.Source]
		switch {
		case len(i.Names) == 0:
			scope[i.Source] = map[string]bool{} // every name
		case !seen:
			names = map[string]bool{}
			scope[i.Source] = names
			fallthrough
		case len(names) > 0:
			for _, n := range i.Names {
				names[n] = true
			}
		}
	}
	return scope
}

func (r *Rule) inScope(ev *cloudtrail.Event) bool {
	if r.scope == nil {
		return true
	}
	names, ok := r.scope[ev.Source]
	return ok && (len(names) == 0 || names[ev.Name])
}
