package enrich

import "container/list"

// lru is a map that keeps at most max entries and drops the one touched
// longest ago first: every piece of enrichment state that grows with the
// input (sign-in histories, credentials, baselines) lives in one, so a
// flood of distinct users, tokens or addresses costs a bounded amount of
// memory and never an error.
type lru[V any] struct {
	max int
	m   map[string]*list.Element
	l   *list.List // front: most recently touched
	// seq numbers touches, so saved rows restore the recency order; dirty
	// holds the keys touched or evicted since the last save (nil: not
	// tracked). Values are pointers changed in place after a get, so a get
	// counts as a change.
	seq   uint64
	dirty map[string]struct{}
}

// lruEntry is one entry, as saved.
type lruEntry[V any] struct {
	K   string `json:"k"`
	V   V      `json:"v"`
	seq uint64
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, m: map[string]*list.Element{}, l: list.New()}
}

// get returns the value under k and marks it recently used.
func (c *lru[V]) get(k string) (V, bool) {
	if el, ok := c.m[k]; ok {
		c.l.MoveToFront(el)
		c.touch(el.Value.(*lruEntry[V]))
		return el.Value.(*lruEntry[V]).V, true
	}
	var zero V
	return zero, false
}

func (c *lru[V]) touch(e *lruEntry[V]) {
	c.seq++
	e.seq = c.seq
	c.mark(e.K)
}

func (c *lru[V]) mark(k string) {
	if c.dirty != nil {
		c.dirty[k] = struct{}{}
	}
}

// put sets k, evicting the least recently used entry when full.
func (c *lru[V]) put(k string, v V) {
	if el, ok := c.m[k]; ok {
		el.Value.(*lruEntry[V]).V = v
		c.l.MoveToFront(el)
		c.touch(el.Value.(*lruEntry[V]))
		return
	}
	e := &lruEntry[V]{K: k, V: v}
	c.m[k] = c.l.PushFront(e)
	c.touch(e)
	for c.l.Len() > c.max {
		old := c.l.Back()
		c.l.Remove(old)
		delete(c.m, old.Value.(*lruEntry[V]).K)
		c.mark(old.Value.(*lruEntry[V]).K)
	}
}

func (c *lru[V]) len() int { return c.l.Len() }

// entries lists the entries least recently used first: loading them in
// that order restores the same recency.
func (c *lru[V]) entries() []lruEntry[V] {
	out := make([]lruEntry[V], 0, c.l.Len())
	for el := c.l.Back(); el != nil; el = el.Prev() {
		out = append(out, *el.Value.(*lruEntry[V]))
	}
	return out
}

// load replaces the content with saved entries (at most max are kept).
func (c *lru[V]) load(es []lruEntry[V]) {
	c.m, c.l = map[string]*list.Element{}, list.New()
	for _, e := range es {
		c.put(e.K, e.V)
	}
}

// The lru as state rows (state.go): a row is the entry and its touch
// number.

func (c *lru[V]) track() {
	if c.dirty == nil {
		c.dirty = map[string]struct{}{}
	}
}

func (c *lru[V]) takeDirty() []string { return takeKeys(c.dirty) }

func (c *lru[V]) keys() []string {
	out := make([]string, 0, len(c.m))
	for k := range c.m {
		out = append(out, k)
	}
	return out
}

func (c *lru[V]) encode(k string) ([]byte, bool, error) {
	el, ok := c.m[k]
	if !ok {
		return nil, false, nil
	}
	e := el.Value.(*lruEntry[V])
	return encodeRow(e.seq, e.V)
}

// restore puts rows in touch order, the most recent last.
func (c *lru[V]) restore(rows []seqRow) error {
	es, err := decodeRows[V](rows)
	if err != nil {
		return err
	}
	for _, e := range es {
		c.put(e.K, e.V)
	}
	return nil
}
