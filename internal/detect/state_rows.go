package detect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/enrich"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// The engine's state as rows, for a daemon that saves after every batch:
// a full save writes every row once, and from then on SaveDelta hands over
// only the rows the events since the last save changed — the correlation
// groups fed, the model objects an event moved, the enrichment entries
// touched — so a save costs what a batch did, not what the state holds (a
// 100,000-assignment model is written once, not once per batch).
//
// Kinds: "engine" (key "schema"), "corr:<rule id>" and "failures"
// (state_corr.go), "model.<fact kind>" (idc's facts), "enrich.<map>"
// (enrichment's bounded maps). BlobKind is the whole state as one
// SaveState blob, the form stores held before rows.

// StateRows streams state rows: it calls put once per row; a nil value
// means the row is gone.
type StateRows func(put func(kind, key string, value []byte) error) error

const (
	rowsSchema = "portcullis.engine-state/v3"
	schemaKind = "engine"
	modelKind  = "model."
	// BlobKind is the kind of a row holding a whole SaveState blob (an
	// older store's state); RestoreRows reads it as RestoreState does.
	BlobKind = "blob"
)

// SaveDelta returns the rows changed since the last save or restore; when
// full, every row (the caller drops the rows it holds first), and change
// tracking starts. The rows are read when the stream runs: run it once,
// before the engine processes more events. A delta before any full save
// or restore is an error (there is nothing it could be a delta of).
func (e *Engine) SaveDelta(full bool) StateRows {
	return func(put func(kind, key string, value []byte) error) error {
		if !full && !e.rows.on {
			return errors.New("engine state: a delta before the first full save")
		}
		if full {
			e.trackRows()
		}
		e.sweep()
		return e.emit(full, put)
	}
}

// trackRows starts (or restarts) change tracking everywhere.
func (e *Engine) trackRows() {
	e.rows.on = true
	e.rows.failDirty = map[string]struct{}{}
	for _, st := range e.state {
		st.dirty = map[string]struct{}{}
	}
	e.State().TrackChanges()
}

func (e *Engine) emit(full bool, put func(kind, key string, value []byte) error) error {
	if full {
		e.rows.stale = nil
		if err := put(schemaKind, "schema", []byte(`"`+rowsSchema+`"`)); err != nil {
			return err
		}
	}
	for _, k := range e.rows.stale {
		if err := put(k.kind, k.key, nil); err != nil {
			return err
		}
	}
	e.rows.stale = nil
	for _, id := range slices.Sorted(maps.Keys(e.state)) {
		st := e.state[id]
		keys := takeKeys(st.dirty, full, st.Groups, st.Last)
		for _, k := range keys {
			v, ok, err := st.encodeGroup(k)
			if err != nil {
				return fmt.Errorf("engine state: correlation %s group %q: %w", id, k, err)
			}
			if err := putOrDelete(put, corrKindPrefix+id, k, v, ok); err != nil {
				return err
			}
		}
	}
	for _, k := range takeKeys[[]time.Time, struct{}](e.rows.failDirty, full, e.failures, nil) {
		ts, ok := e.failures[k]
		v, err := json.Marshal(ts)
		if err != nil {
			return fmt.Errorf("engine state: failures of %q: %w", k, err)
		}
		if err := putOrDelete(put, failuresKind, k, v, ok); err != nil {
			return err
		}
	}
	m := e.State()
	changed := m.TakeChanges()
	if full {
		if err := m.EachFact(func(k idc.FactKey, v []byte) error { return put(modelKind+k.Kind, k.Key, v) }); err != nil {
			return fmt.Errorf("engine state: %w", err)
		}
	} else {
		for _, k := range changed {
			v, ok, err := m.EncodeFact(k)
			if err != nil {
				return fmt.Errorf("engine state: %w", err)
			}
			if err := putOrDelete(put, modelKind+k.Kind, k.Key, v, ok); err != nil {
				return err
			}
		}
	}
	return e.enricher.StateRows(full, put)
}

func putOrDelete(put func(kind, key string, value []byte) error, kind, key string, v []byte, ok bool) error {
	if !ok {
		v = nil
	}
	return put(kind, key, v)
}

// takeKeys returns the dirty keys (all keys of a and b when full), sorted,
// and empties dirty.
func takeKeys[A, B any](dirty map[string]struct{}, full bool, a map[string]A, b map[string]B) []string {
	set := dirty
	if full {
		set = map[string]struct{}{}
		for k := range a {
			set[k] = struct{}{}
		}
		for k := range b {
			set[k] = struct{}{}
		}
	}
	keys := slices.Sorted(maps.Keys(set))
	clear(dirty)
	return keys
}

// RestoreRows replaces the engine's state with saved rows (all of them, in
// any order) and starts change tracking. Windows of correlations that no
// longer exist are dropped (and deleted at the next save). Rows without a
// model keep the engine's starting model. A single BlobKind row is read as
// RestoreState reads a blob; save in full after it.
func (e *Engine) RestoreRows(rows StateRows) error {
	var (
		facts    = idc.NewFactLoader()
		hasModel bool
		enr      enrich.RowLoader
		blob     []byte
		corr     = map[string]*corrState{}
		fails    = map[string][]time.Time{}
		stale    []rowKey
	)
	for id := range e.state {
		corr[id] = newCorrState()
	}
	err := rows(func(kind, key string, value []byte) error {
		switch {
		case kind == BlobKind:
			blob = bytes.Clone(value)
		case kind == schemaKind:
			var s string
			if err := json.Unmarshal(value, &s); err != nil || s != rowsSchema {
				return fmt.Errorf("schema %s, want %q", value, rowsSchema)
			}
		case strings.HasPrefix(kind, modelKind):
			hasModel = true
			return facts.Add(strings.TrimPrefix(kind, modelKind), key, value)
		case strings.HasPrefix(kind, enrich.RowKindPrefix):
			return enr.Add(kind, key, value)
		case strings.HasPrefix(kind, corrKindPrefix):
			st, ok := corr[strings.TrimPrefix(kind, corrKindPrefix)]
			if !ok {
				stale = append(stale, rowKey{kind, key})
				return nil
			}
			if err := st.loadGroup(key, value, e.steps(strings.TrimPrefix(kind, corrKindPrefix))); err != nil {
				return fmt.Errorf("%s %q: %w", kind, key, err)
			}
		case kind == failuresKind:
			var ts []time.Time
			if err := json.Unmarshal(value, &ts); err != nil {
				return fmt.Errorf("failures of %q: %w", key, err)
			}
			fails[key] = ts
		default:
			return fmt.Errorf("unknown row kind %q (written by a newer portcullis?)", kind)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("restore engine state: %w", err)
	}
	if blob != nil {
		e.rows = rowTracking{}
		return e.RestoreState(blob)
	}
	m := e.State()
	if hasModel {
		if m, err = facts.Model(); err != nil {
			return fmt.Errorf("restore engine state: %w", err)
		}
	}
	en := newEnricherFor(e, m)
	if err := en.LoadRows(&enr); err != nil {
		return fmt.Errorf("restore engine state: %w", err)
	}
	e.state, e.failures, e.enricher = corr, fails, en
	e.modelVersion++
	e.learned = 0
	e.rows = rowTracking{stale: stale}
	e.trackRows()
	m.TakeChanges()
	return nil
}
