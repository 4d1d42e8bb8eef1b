package enrich

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
)

// savedState is the enrichment state a daemon keeps across restarts: what
// the run has learned of sign-ins, credentials and baselines. The Identity
// Center model is saved apart (it has its own format).
type savedState struct {
	Credentials    []lruEntry[*credential]    `json:"credentials,omitempty"`
	Aliases        []lruEntry[string]         `json:"credential_aliases,omitempty"`
	Signins        []lruEntry[*signinHistory] `json:"signins,omitempty"`
	SigninFailures []lruEntry[[]failure]      `json:"signin_failures,omitempty"`
	Baselines      []lruEntry[*baseline]      `json:"baselines,omitempty"`
}

// SaveState serialises the learned state.
func (e *Enricher) SaveState() ([]byte, error) {
	b, err := json.Marshal(savedState{
		Credentials:    e.creds.byKey.entries(),
		Aliases:        e.creds.aliases.entries(),
		Signins:        e.signins.users.entries(),
		SigninFailures: e.signins.fails.entries(),
		Baselines:      e.baselines.entries(),
	})
	if err != nil {
		return nil, fmt.Errorf("save enrichment state: %w", err)
	}
	return b, nil
}

// RestoreState loads what SaveState wrote; entries beyond today's bounds
// are dropped, the least recently used first.
func (e *Enricher) RestoreState(b []byte) error {
	var s savedState
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("restore enrichment state: %w", err)
	}
	if err := checkEntries(s.Credentials, s.Signins, s.Baselines); err != nil {
		return fmt.Errorf("restore enrichment state: %w", err)
	}
	e.baselines.load(s.Baselines)
	e.creds.byKey.load(s.Credentials)
	e.creds.aliases.load(s.Aliases)
	e.signins.users.load(s.Signins)
	e.signins.fails.load(s.SigninFailures)
	return nil
}

// checkEntries refuses saved entries the code would trip on (a value
// written as null, a history without its map).
func checkEntries(creds []lruEntry[*credential], signins []lruEntry[*signinHistory], baselines []lruEntry[*baseline]) error {
	for _, c := range creds {
		if c.V == nil {
			return fmt.Errorf("credential %q: empty", c.K)
		}
	}
	for _, h := range signins {
		if h.V == nil || h.V.Networks == nil {
			return fmt.Errorf("sign-in history %q: empty", h.K)
		}
	}
	for _, b := range baselines {
		if b.V == nil || b.V.Networks == nil || b.V.Clients == nil {
			return fmt.Errorf("baseline %q: empty", b.K)
		}
	}
	return nil
}

// Row form: each entry of each bounded map is one state row, named by the
// map's kind (rowKinds) and the entry's key, valued {"s": order, "v":
// value}. With tracking on, the maps note the keys a batch touched, and
// StateRows hands only those to the store.

// RowKindPrefix starts the kind of every row enrichment saves.
const RowKindPrefix = "enrich."

type rowTable interface {
	track()
	mark(k string)
	takeDirty() []string
	keys() []string
	encode(k string) ([]byte, bool, error)
	restore(rows []seqRow) error
}

// tables lists the maps by row kind, in a fixed order.
func (e *Enricher) tables() []struct {
	kind string
	t    rowTable
} {
	return []struct {
		kind string
		t    rowTable
	}{
		{RowKindPrefix + "apps", e.mem.Apps}, {RowKindPrefix + "issuers", e.mem.Issuers},
		{RowKindPrefix + "app_tokens", e.mem.AppTokens}, {RowKindPrefix + "policy_docs", e.mem.PolicyDocs},
		{RowKindPrefix + "abac", e.mem.ABAC},
		{RowKindPrefix + "credentials", e.creds.byKey}, {RowKindPrefix + "credential_aliases", e.creds.aliases},
		{RowKindPrefix + "signins", e.signins.users}, {RowKindPrefix + "signin_failures", e.signins.fails},
		{RowKindPrefix + "baselines", e.baselines},
	}
}

// StateRows hands put the rows changed since the last call (a nil value:
// the row is gone), or every row when full. The first full call starts
// change tracking.
func (e *Enricher) StateRows(full bool, put func(kind, key string, value []byte) error) error {
	for _, tb := range e.tables() {
		tb.t.track()
		keys := tb.t.takeDirty()
		if full {
			keys = tb.t.keys()
			slices.Sort(keys)
		}
		for _, k := range keys {
			v, ok, err := tb.t.encode(k)
			if err != nil {
				return fmt.Errorf("save enrichment %s %q: %w", tb.kind, k, err)
			}
			if !ok {
				v = nil
			}
			if err := put(tb.kind, k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// RowLoader collects saved rows (in any order) for LoadRows.
type RowLoader struct{ rows map[string][]seqRow }

// Add takes one row whose kind starts with RowKindPrefix.
func (l *RowLoader) Add(kind, key string, value []byte) error {
	var r struct {
		S uint64          `json:"s"`
		V json.RawMessage `json:"v"`
	}
	if err := json.Unmarshal(value, &r); err != nil {
		return fmt.Errorf("enrichment %s %q: %w", kind, key, err)
	}
	if l.rows == nil {
		l.rows = map[string][]seqRow{}
	}
	l.rows[kind] = append(l.rows[kind], seqRow{r.S, key, r.V})
	return nil
}

// LoadRows replaces what enrichment remembers with the loader's rows and
// starts change tracking. Rows beyond today's bounds are dropped, oldest
// first, and deleted at the next save.
func (e *Enricher) LoadRows(l *RowLoader) error {
	known := map[string]bool{}
	for _, tb := range e.tables() {
		known[tb.kind] = true
		tb.t.track()
		rows := l.rows[tb.kind]
		if err := tb.t.restore(rows); err != nil {
			return fmt.Errorf("restore enrichment %s: %w", tb.kind, err)
		}
		tb.t.takeDirty()
		for _, r := range rows { // evicted on the way in
			if _, ok, _ := tb.t.encode(r.key); !ok {
				tb.t.mark(r.key)
			}
		}
	}
	for kind := range l.rows {
		if !known[kind] {
			return fmt.Errorf("restore enrichment: unknown kind %s", kind)
		}
	}
	if err := checkEntries(e.creds.byKey.entries(), e.signins.users.entries(), e.baselines.entries()); err != nil {
		return fmt.Errorf("restore enrichment: %w", err)
	}
	return nil
}

// seqRow is a saved row: order number, key, value.
type seqRow struct {
	seq   uint64
	key   string
	value json.RawMessage
}

func encodeRow[V any](seq uint64, v V) ([]byte, bool, error) {
	b, err := json.Marshal(struct {
		S uint64 `json:"s"`
		V V      `json:"v"`
	}{seq, v})
	return b, err == nil, err
}

// decodeRows sorts rows by their order numbers and decodes the values.
func decodeRows[V any](rows []seqRow) ([]lruEntry[V], error) {
	slices.SortFunc(rows, func(a, b seqRow) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]lruEntry[V], len(rows))
	for i, r := range rows {
		if err := json.Unmarshal(r.value, &out[i].V); err != nil {
			return nil, fmt.Errorf("%q: %w", r.key, err)
		}
		out[i].K = r.key
	}
	return out, nil
}

func takeKeys(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	clear(m)
	slices.Sort(out)
	return out
}
