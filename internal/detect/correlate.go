package detect

import (
	"sort"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// defaultMaxGroups bounds each correlation's state (and the failure
// counters) unless an engine says otherwise; the oldest groups are dropped
// first when an attacker (or a busy org) floods it.
const defaultMaxGroups = 50_000

// correlation evaluates a correlation block.
type correlation struct{ *sigma.Correlation }

// signal is what a correlation keeps of a matching event.
type signal struct {
	Rule  string           `json:"rule"`
	Time  time.Time        `json:"time"`
	Event finding.EventRef `json:"event"`
	// Snapshot of the event's fields needed to build the finding later.
	Actor   finding.Actor     `json:"actor"`
	Targets finding.Targets   `json:"targets"`
	Account string            `json:"account,omitempty"`
	Region  string            `json:"region,omitempty"`
	Summary map[string]string `json:"summary,omitempty"`
	// Unusual: the step's allow-listed actor acted from a network or
	// client family not its own (portcullis.actor.unusual).
	Unusual string `json:"unusual,omitempty"`
}

// partial is an unfinished match of one correlation for one group.
type partial struct {
	Steps   []signal  `json:"steps"`
	Started time.Time `json:"started"`
	Count   int       `json:"count,omitempty"`
	// Values are a value_count's distinct values, each with when it was
	// last seen: the window slides, a value older than the timespan no
	// longer counts.
	Values map[string]time.Time `json:"values,omitempty"`
}

// corrState is the windowed state of one correlation rule.
type corrState struct {
	Groups map[string][]*partial `json:"groups"`
	Last   map[string]time.Time  `json:"last"` // last touch per group, for eviction
	// dirty holds the groups changed since the last save (state_corr.go);
	// nil while the engine's state is not saved as rows.
	dirty map[string]struct{}
}

func newCorrState() *corrState {
	return &corrState{Groups: map[string][]*partial{}, Last: map[string]time.Time{}}
}

// groupKey joins the correlation's group-by values for an event matched by
// rule; ok is false when one of them is missing (nothing to join on).
func (c *correlation) groupKey(rule string, ev *cloudtrail.Event) (string, bool) {
	parts := make([]string, 0, len(c.GroupBy))
	for _, g := range c.GroupBy {
		field := g
		if al, ok := c.Aliases[g]; ok {
			if f, ok := al[rule]; ok {
				field = f
			}
		}
		v := strings.ToLower(ev.Known(field)) // a hidden value joins nothing
		if v == "" {
			return "", false
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, "\x1f"), true
}

// value is the value a value_count counts for ev, lower-cased; ok is false
// when it is missing or hidden: an unknown value never counts.
func (c *correlation) value(ev *cloudtrail.Event) (string, bool) {
	v, found := ev.Get(c.Condition.Field)
	if !found || v == nil || cloudtrail.IsHidden(v) {
		return "", false
	}
	s := strings.ToLower(cloudtrail.Scalar(v))
	return s, s != ""
}

// feed advances the correlation with an event that matched base rule
// `rule` (value: what a value_count counts), keeping at most maxGroups
// groups. It returns a completed match, if any.
func (c *correlation) feed(st *corrState, rule string, s signal, key, value string, maxGroups int) *partial {
	st.touch(key)
	if c.Type == "value_count" {
		return c.feedValue(st, s, key, value, maxGroups)
	}
	c.expire(st, key, s.Time)
	st.Last[key] = s.Time
	idx := indexOf(c.Rules, rule)
	switch c.Type {
	case "event_count":
		ps := st.Groups[key]
		if len(ps) == 0 {
			ps = []*partial{{Started: s.Time}}
		}
		p := ps[0]
		p.Count++
		if len(p.Steps) < 10 {
			p.Steps = append(p.Steps, s)
		}
		st.Groups[key] = ps
		if p.Count >= c.Condition.GTE {
			delete(st.Groups, key)
			return p
		}
		return nil
	case "temporal":
		ps := st.Groups[key]
		if len(ps) == 0 {
			ps = []*partial{{Started: s.Time, Steps: make([]signal, len(c.Rules))}}
			st.Groups[key] = ps
		}
		p := ps[0]
		p.Steps[idx] = s
		for _, x := range p.Steps {
			if x.Rule == "" {
				return nil
			}
		}
		delete(st.Groups, key)
		return p
	}
	// temporal_ordered: advance every partial waiting for this step, start
	// a new one on the first step. A completed partial stays in its window:
	// every further final-step event within it fires again (each session
	// that uses a fresh grant is its own finding), at most maxRefire times.
	var done *partial
	ps := st.Groups[key]
	n := len(c.Rules)
	for _, p := range ps {
		var cand *partial
		switch {
		case idx > 0 && len(p.Steps) == idx:
			p.Steps = append(p.Steps, s)
			if len(p.Steps) == n {
				cand = p
			}
		case idx == n-1 && len(p.Steps) == n && p.Count < maxRefire:
			steps := append(append([]signal{}, p.Steps[:n-1]...), s)
			cand = &partial{Steps: steps, Started: p.Started}
		}
		if cand != nil {
			p.Count++
			if done == nil || cand.Started.After(done.Started) {
				done = cand
			}
		}
	}
	if idx == 0 {
		ps = append(ps, &partial{Started: s.Time, Steps: []signal{s}})
		if len(ps) > 16 { // one group never needs many parallel starts
			ps = ps[len(ps)-16:]
		}
	}
	st.Groups[key] = ps
	c.evict(st, maxGroups)
	return done
}

// feedValue counts distinct values per group within a sliding window: the
// group fires when gte of them were seen within the timespan, and starts
// again empty. A group keeps fewer than gte values (at most
// sigma.MaxValueCount).
func (c *correlation) feedValue(st *corrState, s signal, key, value string, maxGroups int) *partial {
	st.Last[key] = s.Time
	ps := st.Groups[key]
	if len(ps) == 0 {
		ps = []*partial{{Started: s.Time, Values: map[string]time.Time{}}}
		st.Groups[key] = ps
	}
	p := ps[0]
	if p.Values == nil {
		p.Values = map[string]time.Time{}
	}
	for v, t := range p.Values {
		if s.Time.Sub(t) > c.Timespan {
			delete(p.Values, v)
		}
	}
	kept := p.Steps[:0]
	for _, x := range p.Steps {
		if s.Time.Sub(x.Time) <= c.Timespan {
			kept = append(kept, x)
		}
	}
	p.Steps = kept
	if _, seen := p.Values[value]; !seen && len(p.Steps) < 10 {
		p.Steps = append(p.Steps, s)
	}
	p.Values[value] = s.Time
	p.Count = len(p.Values)
	if p.Count >= c.Condition.GTE {
		delete(st.Groups, key)
		delete(st.Last, key)
		return p
	}
	c.evict(st, maxGroups)
	return nil
}

// maxRefire bounds how often one completed sequence fires again.
const maxRefire = 20

func (c *correlation) expire(st *corrState, key string, now time.Time) {
	ps := st.Groups[key]
	kept := ps[:0]
	for _, p := range ps {
		if now.Sub(p.Started) <= c.Timespan {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		delete(st.Groups, key)
		delete(st.Last, key)
		return
	}
	st.Groups[key] = kept
}

func (c *correlation) evict(st *corrState, maxGroups int) {
	if len(st.Groups) <= maxGroups {
		return
	}
	type kv struct {
		k string
		t time.Time
	}
	all := make([]kv, 0, len(st.Last))
	for k, t := range st.Last {
		all = append(all, kv{k, t})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].t.Before(all[j].t) })
	for _, x := range all[:len(all)-maxGroups*9/10] {
		delete(st.Groups, x.k)
		delete(st.Last, x.k)
		st.touch(x.k)
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
