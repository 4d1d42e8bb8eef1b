// Package watch is the long-running detector: it takes CloudTrail events as
// EventBridge forwards them (an HTTP endpoint for API destinations, an SQS
// queue, a Lambda target), runs them through a Detector, stores findings in
// the store and hands new ones to the sinks.
//
// Exactly-once findings come from one rule: the findings of a batch, the ids
// of its events and the detector's state after it (the rows the batch
// changed) are committed in one SQLite transaction, and only then is the
// input acknowledged (HTTP 202, SQS DeleteMessage). A crash before the commit loses nothing (the input is
// redelivered); a crash after it duplicates nothing (redelivered events are
// recognised by id). Alerts leave from an outbox in the store, so a crash
// between commit and delivery delays an alert rather than losing it.
package watch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/store"
)

// Detector is the detection engine as the watcher sees it.
type Detector interface {
	// Detect enriches and evaluates events (in the given order) and returns
	// findings; it is stateful (correlation windows).
	Detect(ctx context.Context, evs []*cloudtrail.Event) ([]finding.Finding, error)
	// SaveState returns the state rows changed since the last save or
	// restore (all of them when full), read when the stream runs, so
	// correlation windows survive restarts; the watcher writes them in the
	// batch's transaction.
	SaveState(full bool) detect.StateRows
	// RestoreState replaces the whole state with saved rows. A store written
	// before rows holds one row of kind detect.BlobKind: the old blob.
	RestoreState(detect.StateRows) error
}

// Alerter delivers findings; sink.Group is one. It returns ctx's error if
// ctx ends before every finding was delivered or dead-lettered.
type Alerter interface {
	Deliver(ctx context.Context, fs []finding.Finding) error
}

// DefaultStateName is the store key of the detector state.
const DefaultStateName = "detector"

// DefaultRetention is how long processed event ids are remembered: longer
// than SQS's maximum message retention (14 days), so no redelivery can come
// after its id is forgotten.
const DefaultRetention = 15 * 24 * time.Hour

// Options configure a Watcher. Detector and Store are required.
type Options struct {
	Detector  Detector
	Store     *store.Store
	Alerts    Alerter               // nil: findings are stored, not sent
	StateName string                // default DefaultStateName
	Prefilter *cloudtrail.Prefilter // applied to records read from S3 objects; nil = DefaultPrefilter()
	Logger    *slog.Logger          // nil: discard
	Retention time.Duration         // default DefaultRetention
	// OnInputError hears about each bad record skipped in an S3 object (a
	// *scan.InputError naming the object and the record, as hunt reports
	// it), and each object refused for a cap. nil: logged as a warning.
	OnInputError func(error)
	// Caps on one S3 object's decompressed size and one record (0: the
	// defaults of package cloudtrail). An object over one is dead-lettered
	// in the store and acknowledged.
	MaxObjectBytes, MaxRecordBytes int64
	// Health, when set, hears how each SQS receive or Lambda invocation
	// went (for --health-listen).
	Health *Health
}

// Watcher owns the detector: all detection goes through Ingest, which
// serialises it. Safe for concurrent use.
type Watcher struct {
	det       Detector
	st        *store.Store
	alerts    Alerter
	stateName string
	prefilter *cloudtrail.Prefilter
	log       *slog.Logger
	retention time.Duration
	onInput   func(error)
	maxObject int64
	maxRecord int64
	health    *Health

	queueMu sync.Mutex
	queue   []*request
	turn    chan struct{} // holds a token while a caller runs detection and the commit
	// stale is set when a failed batch could not put the detector back to
	// its committed state; the next batch reloads it first.
	stale bool

	wake chan struct{} // pokes the alert loop
}

// New restores the detector's state from the store and returns a Watcher.
func New(ctx context.Context, o Options) (*Watcher, error) {
	if o.Detector == nil || o.Store == nil {
		return nil, errors.New("watch: Detector and Store are required")
	}
	w := &Watcher{det: o.Detector, st: o.Store, alerts: o.Alerts, stateName: o.StateName,
		prefilter: o.Prefilter, log: o.Logger, retention: o.Retention, onInput: o.OnInputError,
		maxObject: o.MaxObjectBytes, maxRecord: o.MaxRecordBytes, health: o.Health, wake: make(chan struct{}, 1), turn: make(chan struct{}, 1)}
	if w.stateName == "" {
		w.stateName = DefaultStateName
	}
	if w.prefilter == nil {
		w.prefilter = DefaultPrefilter()
	}
	if w.log == nil {
		w.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if w.retention <= 0 {
		w.retention = DefaultRetention
	}
	if err := w.loadState(ctx); err != nil {
		return nil, err
	}
	w.poke() // deliver whatever a previous run left pending
	return w, nil
}

// loadState restores the detector from the store's rows. A store with none
// gets the detector's whole starting state (the snapshot it was given),
// once; a store written before rows has its blob read and turned into rows.
func (w *Watcher) loadState(ctx context.Context) error {
	n, err := w.st.StateRowCount(ctx, w.stateName)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	if n > 0 {
		return w.reload(ctx)
	}
	blob, err := w.st.LoadState(ctx, w.stateName)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	if blob != nil {
		err := w.det.RestoreState(func(put func(kind, key string, value []byte) error) error { return put(detect.BlobKind, "", blob) })
		if err != nil {
			return fmt.Errorf("watch: restore detector state %q: %w", w.stateName, err)
		}
	}
	if err := w.st.SaveStateRows(ctx, w.stateName, true, store.StateRows(w.det.SaveState(true))); err != nil {
		return fmt.Errorf("watch: save detector state: %w", err)
	}
	return nil
}

// reload replaces the detector's state with the committed one.
func (w *Watcher) reload(ctx context.Context) error {
	err := w.det.RestoreState(func(put func(kind, key string, value []byte) error) error {
		_, err := w.st.ForEachStateRow(ctx, w.stateName, put)
		return err
	})
	if err != nil {
		return fmt.Errorf("watch: restore detector state %q: %w", w.stateName, err)
	}
	return nil
}

// onInputError reports a bad record that was skipped.
func (w *Watcher) onInputError(err error) {
	if w.onInput != nil {
		w.onInput(err)
		return
	}
	w.log.Warn("input", "err", err)
}

// Result says what one Ingest call did.
type Result struct {
	Received   int // events handed in
	Duplicates int // already processed (redelivered), or repeated in the input
	Findings   int // new findings this call's events raised
}

type request struct {
	evs     []*cloudtrail.Event
	markers []string
	res     Result
	err     error
	done    chan struct{}
}

// Ingest detects on evs and commits the findings, the events' ids, markers
// (extra keys to remember as processed, such as S3 objects) and the
// detector state in one transaction. When it returns nil everything is
// durable and the input may be acknowledged.
//
// Concurrent calls are committed together (group commit): whoever gets the
// detector processes everything queued so far, so throughput grows with
// load while latency stays one commit.
func (w *Watcher) Ingest(ctx context.Context, evs []*cloudtrail.Event, markers ...string) (Result, error) {
	r := &request{evs: evs, markers: markers, done: make(chan struct{})}
	w.queueMu.Lock()
	w.queue = append(w.queue, r)
	w.queueMu.Unlock()
	for {
		// A caller whose request another caller's group committed is
		// answered at once, without queueing for the turn it no longer
		// needs; each request still queued has its own caller waiting here.
		select {
		case <-r.done:
			return r.res, r.err
		case w.turn <- struct{}{}:
		}
		select {
		case <-r.done:
			<-w.turn
			return r.res, r.err
		default:
		}
		w.queueMu.Lock()
		batch := w.queue
		w.queue = nil
		w.queueMu.Unlock()
		// r is in batch: requests are taken only with the turn held, and
		// answered before it is given back. Not ctx: one caller leaving
		// must not fail the others' commit.
		w.process(context.WithoutCancel(ctx), batch)
		<-w.turn
	}
}

// EventKey is the dedupe key of an event: its eventID, or a hash of its
// bytes for the rare record without one.
func EventKey(e *cloudtrail.Event) string {
	if e.ID != "" {
		return "ev:" + e.ID
	}
	sum := sha256.Sum256(bytes.TrimSpace(e.Raw))
	return "raw:" + hex.EncodeToString(sum[:16])
}

func (w *Watcher) process(ctx context.Context, batch []*request) {
	finish := func(err error, found map[*request]int) {
		for _, r := range batch {
			r.err = err
			if err == nil {
				r.res.Findings = found[r]
			}
			close(r.done)
		}
	}
	if w.stale {
		if err := w.reload(ctx); err != nil {
			finish(err, nil)
			return
		}
		w.stale = false
	}
	var keys, markers []string
	for _, r := range batch {
		r.res.Received = len(r.evs)
		for _, e := range r.evs {
			keys = append(keys, EventKey(e))
		}
		markers = append(markers, r.markers...)
	}
	seen, err := w.st.SeenSet(ctx, keys)
	if err != nil {
		finish(fmt.Errorf("watch: %w", err), nil)
		return
	}
	var fresh []freshEvent
	i := 0
	for _, r := range batch {
		for _, e := range r.evs {
			k := keys[i]
			i++
			if seen[k] {
				r.res.Duplicates++
				continue
			}
			seen[k] = true // a repeat later in this batch is a duplicate too
			fresh = append(fresh, freshEvent{e: e, key: k, req: r})
		}
	}
	// Detectors want time order; EventBridge only roughly keeps it.
	slices.SortStableFunc(fresh, func(a, b freshEvent) int { return a.e.Time.Compare(b.e.Time) })
	evs := make([]*cloudtrail.Event, len(fresh))
	freshKeys := make([]string, len(fresh))
	for i, f := range fresh {
		evs[i], freshKeys[i] = f.e, f.key
	}
	var fs []finding.Finding
	if len(fresh) > 0 {
		if fs, err = w.det.Detect(ctx, evs); err != nil {
			finish(w.rollback(ctx, fmt.Errorf("watch: detect: %w", err)), nil)
			return
		}
	}
	if len(fresh) == 0 && len(markers) == 0 {
		finish(nil, nil)
		return
	}
	b := store.Batch{Findings: fs, Processed: append(freshKeys, markers...)}
	if len(fresh) > 0 {
		b.StateName, b.State = w.stateName, store.StateRows(w.det.SaveState(false))
	}
	newFs, err := w.st.Commit(ctx, b)
	if err != nil {
		finish(w.rollback(ctx, fmt.Errorf("watch: %w", err)), nil)
		return
	}
	if len(newFs) > 0 {
		w.poke()
	}
	finish(nil, owners(fresh, newFs))
}

// freshEvent is an event of the group commit seen for the first time, and
// the request that brought it.
type freshEvent struct {
	e   *cloudtrail.Event
	key string
	req *request
}

// owners counts each new finding for one request: the one whose event came
// last (in detection order) among the finding's events, the event that
// raised it; a finding naming none of them goes to the last event's request.
func owners(fresh []freshEvent, fs []finding.Finding) map[*request]int {
	if len(fs) == 0 || len(fresh) == 0 {
		return nil
	}
	pos := make(map[string]int, len(fresh))
	for i, f := range fresh {
		pos[f.key] = i
	}
	out := map[*request]int{}
	for _, f := range fs {
		last := -1
		for _, ref := range f.Events {
			if i, ok := pos["ev:"+ref.EventID]; ok && ref.EventID != "" && i > last {
				last = i
			}
		}
		if last < 0 {
			last = len(fresh) - 1
		}
		out[fresh[last].req]++
	}
	return out
}

// rollback puts the detector back to the last committed state (read from
// the store), so an input that failed to commit can be replayed on a clean
// slate. If that fails too, the next batch tries again before it starts.
func (w *Watcher) rollback(ctx context.Context, cause error) error {
	if err := w.reload(ctx); err != nil {
		w.stale = true
		return errors.Join(cause, fmt.Errorf("watch: roll back detector state: %w", err))
	}
	return cause
}
