package enrich

import (
	"encoding/json"
	"fmt"
)

// What enrichment remembers from earlier events, beyond the Identity
// Center model: facts the model does not hold (applications, trusted token
// issuers, tokens minted for users, policy versions seen, ABAC mappings)
// that later events are judged by. Every map is bounded; when one is full
// the entry inserted first goes. The memory is part of the engine state
// watch saves and restores.

// Bounds of each memory map.
const (
	maxApps       = 10_000 // applications (custom ones are few; AWS managed ones a few per service)
	maxIssuers    = 1_000  // trusted token issuers
	maxAppTokens  = 50_000 // tokens an application minted for a user, live for an hour
	maxPolicyDocs = 10_000 // customer managed policy versions seen in this run
	maxABAC       = 100    // instances' attribute mappings
)

// bounded is a map that keeps at most max entries, dropping the oldest
// insertion first. Updating a key keeps its place.
type bounded[V any] struct {
	max   int
	m     map[string]entry[V]
	order []keySeq // insertion order; entries whose seq no longer matches are stale
	seq   uint64
	dirty map[string]struct{} // keys put, deleted or evicted since the last save; nil: not tracked
}

type entry[V any] struct {
	V   V
	seq uint64
}

type keySeq struct {
	k   string
	seq uint64
}

func newBounded[V any](max int) *bounded[V] {
	return &bounded[V]{max: max, m: map[string]entry[V]{}}
}

func (b *bounded[V]) get(k string) (V, bool) {
	e, ok := b.m[k]
	return e.V, ok
}

func (b *bounded[V]) put(k string, v V) {
	b.mark(k)
	if e, ok := b.m[k]; ok {
		b.m[k] = entry[V]{v, e.seq}
		return
	}
	b.seq++
	b.m[k] = entry[V]{v, b.seq}
	b.order = append(b.order, keySeq{k, b.seq})
	for len(b.m) > b.max && len(b.order) > 0 {
		old := b.order[0]
		b.order = b.order[1:]
		if e, ok := b.m[old.k]; ok && e.seq == old.seq {
			delete(b.m, old.k)
			b.mark(old.k)
		}
	}
	if len(b.order) > 2*b.max+16 {
		b.compact()
	}
}

func (b *bounded[V]) del(k string) {
	delete(b.m, k)
	b.mark(k)
}

func (b *bounded[V]) mark(k string) {
	if b.dirty != nil {
		b.dirty[k] = struct{}{}
	}
}

func (b *bounded[V]) len() int { return len(b.m) }

// compact drops stale order entries (deleted keys).
func (b *bounded[V]) compact() {
	kept := b.order[:0]
	for _, o := range b.order {
		if e, ok := b.m[o.k]; ok && e.seq == o.seq {
			kept = append(kept, o)
		}
	}
	b.order = kept
}

// savedEntry is one entry in the saved form: oldest first, so a restore
// keeps the eviction order.
type savedEntry[V any] struct {
	K string `json:"k"`
	V V      `json:"v"`
}

func (b *bounded[V]) MarshalJSON() ([]byte, error) {
	out := make([]savedEntry[V], 0, len(b.m))
	for _, o := range b.order {
		if e, ok := b.m[o.k]; ok && e.seq == o.seq {
			out = append(out, savedEntry[V]{o.k, e.V})
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON restores entries into a map made by newBounded (its bound
// stays; a saved state larger than the bound keeps the newest entries).
func (b *bounded[V]) UnmarshalJSON(data []byte) error {
	var in []savedEntry[V]
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*b = bounded[V]{max: b.max, m: map[string]entry[V]{}}
	for _, e := range in {
		b.put(e.K, e.V)
	}
	return nil
}

// memory is everything enrichment remembers between events.
type memory struct {
	Apps       *bounded[appInfo]   `json:"apps"`
	Issuers    *bounded[string]    `json:"issuers"`    // trusted token issuer ARN -> issuer URL
	AppTokens  *bounded[appToken]  `json:"app_tokens"` // "cred:<id>" or "user:<id>" -> token
	PolicyDocs *bounded[policyDoc] `json:"policy_docs"`
	ABAC       *bounded[abacMap]   `json:"abac"` // instance ARN -> attribute mapping
}

func newMemory() *memory {
	return &memory{
		Apps:       newBounded[appInfo](maxApps),
		Issuers:    newBounded[string](maxIssuers),
		AppTokens:  newBounded[appToken](maxAppTokens),
		PolicyDocs: newBounded[policyDoc](maxPolicyDocs),
		ABAC:       newBounded[abacMap](maxABAC),
	}
}

// memoryVersion versions the saved form of the memory.
const memoryVersion = 1

type savedMemory struct {
	Version int `json:"version"`
	*memory
}

// SaveMemory serialises what enrichment remembers (the engine keeps it in
// its saved state).
func (e *Enricher) SaveMemory() (json.RawMessage, error) {
	b, err := json.Marshal(savedMemory{Version: memoryVersion, memory: e.mem})
	if err != nil {
		return nil, fmt.Errorf("save enrichment memory: %w", err)
	}
	return b, nil
}

// LoadMemory restores what SaveMemory wrote. Maps the saved form lacks
// (an older version) start empty.
func (e *Enricher) LoadMemory(b json.RawMessage) error {
	m := newMemory()
	s := savedMemory{memory: m}
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("restore enrichment memory: %w", err)
	}
	if s.Version > memoryVersion {
		return fmt.Errorf("restore enrichment memory: version %d is newer than this portcullis (%d)", s.Version, memoryVersion)
	}
	// A null map in the saved form leaves a nil pointer: start it empty.
	fresh := newMemory()
	if m.Apps == nil {
		m.Apps = fresh.Apps
	}
	if m.Issuers == nil {
		m.Issuers = fresh.Issuers
	}
	if m.AppTokens == nil {
		m.AppTokens = fresh.AppTokens
	}
	if m.PolicyDocs == nil {
		m.PolicyDocs = fresh.PolicyDocs
	}
	if m.ABAC == nil {
		m.ABAC = fresh.ABAC
	}
	e.mem = m
	return nil
}

// The bounded map as state rows (state.go): a row is the value and its
// insertion number.

func (b *bounded[V]) track() {
	if b.dirty == nil {
		b.dirty = map[string]struct{}{}
	}
}

func (b *bounded[V]) takeDirty() []string { return takeKeys(b.dirty) }

func (b *bounded[V]) keys() []string {
	out := make([]string, 0, len(b.m))
	for k := range b.m {
		out = append(out, k)
	}
	return out
}

func (b *bounded[V]) encode(k string) ([]byte, bool, error) {
	e, ok := b.m[k]
	if !ok {
		return nil, false, nil
	}
	return encodeRow(e.seq, e.V)
}

// restore puts rows in insertion order, so the oldest goes first again.
func (b *bounded[V]) restore(rows []seqRow) error {
	es, err := decodeRows[V](rows)
	if err != nil {
		return err
	}
	for _, e := range es {
		b.put(e.K, e.V)
	}
	return nil
}
