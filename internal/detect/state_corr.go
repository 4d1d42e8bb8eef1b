package detect

import (
	"encoding/json"
	"fmt"
	"time"
)

// Correlation windows and failure counters as state rows: one row per
// group of each correlation (kind "corr:<rule id>", key the group key) and
// one per actor's failure times (kind "failures"). Windows are bounded
// twice: maxGroups per correlation, and a sweep that drops groups whose
// every window has closed, so an idle group costs neither memory nor rows.

// rowTracking is what the engine remembers between saves as rows.
type rowTracking struct {
	on        bool                // a full save or a restore happened: changes are tracked
	failDirty map[string]struct{} // actor keys whose failure times changed
	stale     []rowKey            // rows to delete at the next save (a removed rule's windows)
	sweptAt   time.Time           // newest event time at the last sweep
}

type rowKey struct{ kind, key string }

const (
	corrKindPrefix = "corr:"
	failuresKind   = "failures"
	// sweepEvery is how much event time passes between sweeps; sweepSlack
	// keeps windows a little past their end, for events that arrive late.
	sweepEvery = time.Minute
	sweepSlack = 5 * time.Minute
)

// touch notes that a group changed (its row is written at the next save).
func (st *corrState) touch(key string) {
	if st.dirty != nil {
		st.dirty[key] = struct{}{}
	}
}

func (e *Engine) touchFailure(k string) {
	if e.rows.failDirty != nil {
		e.rows.failDirty[k] = struct{}{}
	}
}

// savedGroup is one correlation group's row.
type savedGroup struct {
	Partials []*partial `json:"partials,omitempty"`
	Last     time.Time  `json:"last,omitzero"`
}

// encodeGroup returns a group's row; ok is false when the group is gone.
func (st *corrState) encodeGroup(key string) ([]byte, bool, error) {
	ps, hasGroup := st.Groups[key]
	last, hasLast := st.Last[key]
	if !hasGroup && !hasLast {
		return nil, false, nil
	}
	b, err := json.Marshal(savedGroup{Partials: ps, Last: last})
	return b, err == nil, err
}

// loadGroup reads a group's row; steps > 0 is the number of steps every
// partial of a temporal correlation holds.
func (st *corrState) loadGroup(key string, value []byte, steps int) error {
	var g savedGroup
	if err := json.Unmarshal(value, &g); err != nil {
		return err
	}
	for i, p := range g.Partials {
		if p == nil {
			return fmt.Errorf("partial %d: null", i)
		}
		if steps > 0 && len(p.Steps) != steps {
			return fmt.Errorf("partial %d: %d steps, want %d", i, len(p.Steps), steps)
		}
	}
	if len(g.Partials) > 0 {
		st.Groups[key] = g.Partials
	}
	if !g.Last.IsZero() {
		st.Last[key] = g.Last
	}
	return nil
}

// steps is the number of steps of a temporal correlation's partials (0
// for other kinds, whose partials grow).
func (e *Engine) steps(id string) int {
	for _, c := range e.corrs {
		if c.Portcullis.ID == id && c.Correlation.Type == "temporal" {
			return len(c.Correlation.Rules)
		}
	}
	return 0
}

// newest is the latest event time among the groups and failure counters
// changed since the last save.
func (e *Engine) newest() time.Time {
	var t time.Time
	for _, st := range e.state {
		for k := range st.dirty {
			if l := st.Last[k]; l.After(t) {
				t = l
			}
		}
	}
	for k := range e.rows.failDirty {
		if ts := e.failures[k]; len(ts) > 0 && ts[len(ts)-1].After(t) {
			t = ts[len(ts)-1]
		}
	}
	return t
}

// sweep drops, once per sweepEvery of event time, the groups whose every
// window closed more than sweepSlack ago, the eviction clocks of groups
// that completed, and failure counters past their window. Each would be
// dropped anyway by the next event of its group; sweeping bounds what an
// idle group holds.
func (e *Engine) sweep() {
	now := e.newest()
	if now.IsZero() || now.Sub(e.rows.sweptAt) < sweepEvery {
		return
	}
	e.rows.sweptAt = now
	cut := now.Add(-sweepSlack)
	for _, c := range e.corrs {
		st := e.state[c.Portcullis.ID]
		span := c.Correlation.Timespan
		for k, ps := range st.Groups {
			if closed(c.Correlation.Type, ps, cut, span) {
				delete(st.Groups, k)
				delete(st.Last, k)
				st.touch(k)
			}
		}
		for k := range st.Last {
			if _, ok := st.Groups[k]; !ok {
				delete(st.Last, k)
				st.touch(k)
			}
		}
	}
	for k, ts := range e.failures {
		if len(ts) == 0 || cut.Sub(ts[len(ts)-1]) > failureWindow {
			delete(e.failures, k)
			e.touchFailure(k)
		}
	}
}

// closed reports whether no partial of a group can complete after cut:
// every sequence started more than the timespan before it (the test feed
// applies), or, for a value_count, every value was last seen that long ago.
func closed(typ string, ps []*partial, cut time.Time, span time.Duration) bool {
	for _, p := range ps {
		if typ == "value_count" {
			for _, t := range p.Values {
				if cut.Sub(t) <= span {
					return false
				}
			}
			for _, s := range p.Steps {
				if cut.Sub(s.Time) <= span {
					return false
				}
			}
			continue
		}
		if cut.Sub(p.Started) <= span {
			return false
		}
	}
	return true
}
