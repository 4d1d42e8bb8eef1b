package cloudtrail

import (
	"encoding/json"
	"strings"
)

// Census tells which kinds of record an input holds, before the prefilter
// drops anything: a hunt can then say which rules could not work on it (no
// sign-in events, no read events, no Identity Center management events).
// A kind is a list of (eventSource, eventNames) interests; a record belongs
// to the first kind, in order, that one of its interests matches (Contains
// and NamePrefixes are not used). It is read-only after NewCensus: workers
// share one.
type Census struct {
	n        int
	bySource map[string][]censusEntry // eventSource in lower case
}

type censusEntry struct {
	kind  int
	names map[string]bool // in lower case; nil: every name
}

// MaxCensusKinds bounds the kinds of one Census (they are bits of a
// uint64).
const MaxCensusKinds = 64

// NewCensus compiles kinds (at most MaxCensusKinds; the rest are ignored).
func NewCensus(kinds [][]Interest) *Census {
	c := &Census{bySource: map[string][]censusEntry{}}
	for k, ins := range kinds {
		if k >= MaxCensusKinds {
			break
		}
		c.n++
		for _, in := range ins {
			e := censusEntry{kind: k}
			if len(in.Names) > 0 {
				e.names = map[string]bool{}
				for _, n := range in.Names {
					e.names[strings.ToLower(n)] = true
				}
			}
			src := strings.ToLower(in.Source)
			c.bySource[src] = append(c.bySource[src], e)
		}
	}
	return c
}

// All is the bit set of every kind.
func (c *Census) All() uint64 {
	if c == nil || c.n == 0 {
		return 0
	}
	return 1<<c.n - 1
}

// Record returns the kind bit of a record from the splitter (0: none).
func (c *Census) Record(r *Record) uint64 {
	if c == nil {
		return 0
	}
	if !r.watched || r.escapedKey {
		return c.raw(r.Raw)
	}
	src, ok := stringValueAt(r.Raw, r.src)
	if !ok {
		return 0
	}
	var buf [64]byte
	entries := c.bySource[string(lower(src, &buf))]
	if len(entries) == 0 {
		return 0
	}
	name, _ := stringValueAt(r.Raw, r.name)
	return c.classify(entries, name)
}

// Event returns the kind bit of a decoded event (0: none).
func (c *Census) Event(e *Event) uint64 {
	if c == nil {
		return 0
	}
	return c.classify(c.bySource[strings.ToLower(e.Source)], []byte(e.Name))
}

func (c *Census) classify(entries []censusEntry, name []byte) uint64 {
	var buf [64]byte
	n := lower(name, &buf)
	for _, e := range entries {
		if e.names == nil || e.names[string(n)] {
			return 1 << e.kind
		}
	}
	return 0
}

// raw classifies a record whose top-level keys the splitter could not
// note (escaped keys): decode the top level.
func (c *Census) raw(rec []byte) uint64 {
	var m map[string]json.RawMessage
	if json.Unmarshal(rec, &m) != nil {
		return 0
	}
	var src, name string
	if json.Unmarshal(m["eventSource"], &src) != nil {
		return 0
	}
	_ = json.Unmarshal(m["eventName"], &name)
	return c.classify(c.bySource[strings.ToLower(src)], []byte(name))
}
