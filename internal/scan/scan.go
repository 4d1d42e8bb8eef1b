// Package scan is the hunt's ingest pipeline up to decoded events: it reads
// objects in parallel, splits them into records, drops what no rule wants
// with the byte prefilter, decodes the rest and hands them on in time order,
// one day of the trail at a time.
package scan

import (
	"context"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// Options tunes Run. The zero value reads everything with one worker per CPU.
type Options struct {
	Workers        int                   // objects read at once; default runtime.GOMAXPROCS(0)
	Prefilter      *cloudtrail.Prefilter // nil keeps every record
	Since, Until   time.Time             // eventTime window, Since inclusive, Until exclusive; records without eventTime are kept
	MaxObjectBytes int64                 // decompressed size cap per object; default cloudtrail.DefaultMaxObjectBytes
	OnError        func(err error)       // one call per unreadable file or bad record (an *InputError); called from Run's goroutine
	Progress       func(Stats)           // optional, about every 500ms, from Run's goroutine
}

// Stats counts a scan.
type Stats struct {
	Files, FilesFailed       int   // objects read; objects unreadable or damaged
	Bytes, UncompressedBytes int64 // as stored; after decompression
	Records, Matched         int64 // records split out; events handed to fn
	Skipped                  map[string]int64
	Errors                   int64 // problems found, including those past the per-file cap of OnError lines
}

// progressEvery is how often Progress is called.
const progressEvery = 500 * time.Millisecond

// group is the objects delivered in one slot of time: an hour when the
// file name says when the object was delivered, else the day of its folder
// (start zero: objects whose path says neither).
type group struct {
	start time.Time
	objs  []int
}

// slot is the start of the group an object belongs to. Hours keep the
// matched events held in memory to about two hours' worth, however big
// a day of the trail is.
func slot(k source.Key) time.Time {
	if !k.Delivered.IsZero() {
		return k.Delivered.Truncate(time.Hour)
	}
	return k.Day
}

// Run reads objs with o.Workers goroutines and calls fn with the matched
// events in batches sorted by (eventTime, eventID).
//
// Objects are grouped by delivery slot — the hour in CloudTrail's file name
// (Key.Delivered), else the day folder (Key.Day) — and the groups read in
// time order, at most two at a time; a group's events are sorted and handed
// to fn once all its objects are read. Memory thus holds about two slots of
// matched events, and stateful rules see the trail in time order. Objects
// are named by delivery time, so events from the last source.DeliveryLag
// before the next group's start are held back and merged into its batch.
// Objects with no slot are read first and their events merged into the
// later batches by time. Across batches the order holds except for records
// delivered later than DeliveryLag.
//
// Bad input never stops the scan: each problem goes to o.OnError and the
// counts to Stats. Run stops early only when ctx ends or fn fails, and then
// returns that error.
func Run(ctx context.Context, objs []source.Object, o Options, fn func(batch []*cloudtrail.Event) error) (Stats, error) {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	st := Stats{Skipped: map[string]int64{}}
	if len(objs) == 0 {
		return st, ctx.Err()
	}
	groups := groupBySlot(objs)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct{ group, obj int }
	jobs := make(chan job)
	// Room for a burst of results, so a worker never waits for this
	// goroutine to be scheduled when the rule engine keeps the other
	// cores busy. Memory stays bounded by the two groups in flight.
	results := make(chan result, 16*o.Workers)
	emitted := make(chan int, len(groups)) // never blocks the merger
	eg, gctx := errgroup.WithContext(runCtx)
	eg.Go(func() error {
		defer close(jobs)
		done := -1
		for g := range groups {
			for done < g-2 { // at most groups g-1 and g in flight
				select {
				case done = <-emitted:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			for _, i := range groups[g].objs {
				select {
				case jobs <- job{g, i}:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
		}
		return nil
	})
	for range o.Workers {
		eg.Go(func() error {
			w := worker{opt: &o}
			for j := range jobs {
				r := w.read(gctx, objs[j.obj])
				r.group = j.group
				select {
				case results <- r:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	waited := make(chan struct{})
	go func() {
		_ = eg.Wait() // the workers only fail when the context ends
		close(results)
		close(waited)
	}()

	// fn runs on its own goroutine: were it called from the loop below, a
	// slow rule engine would leave the workers blocked on a full results
	// channel instead of reading the next group.
	batches := make(chan batch, 2) // two groups in flight: never blocks
	emitDone := make(chan struct{})
	var fnErr error // written by the emitter, read after emitDone
	go func() {
		defer close(emitDone)
		for b := range batches {
			if fnErr == nil && len(b.events) > 0 {
				if fnErr = fn(b.events); fnErr != nil {
					cancel()
				}
			}
			emitted <- b.group // lets the feeder start the group after next
		}
	}()

	m := merger{groups: groups, buckets: make([][]*cloudtrail.Event, len(groups)), left: make([]int, len(groups))}
	for g := range groups {
		m.left[g] = len(groups[g].objs)
	}
	var tick <-chan time.Time
	if o.Progress != nil {
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		tick = t.C
	}
	for results != nil {
		select {
		case r, ok := <-results:
			if !ok {
				results = nil
				break
			}
			if runCtx.Err() != nil {
				continue // draining after fn failed or ctx ended
			}
			st.add(&r, o.OnError)
			for _, b := range m.add(r.group, r.events) {
				st.Matched += int64(len(b.events))
				batches <- b
			}
		case <-tick:
			o.Progress(st.clone())
		}
	}
	close(batches)
	<-emitDone
	<-waited
	if fnErr != nil {
		return st, fnErr
	}
	return st, ctx.Err()
}

// add merges one object's counts and reports its problems.
func (st *Stats) add(r *result, onError func(error)) {
	st.Files++
	if r.failed {
		st.FilesFailed++
	}
	st.Bytes += r.bytes
	st.UncompressedBytes += r.uncompressed
	st.Records += r.records
	for i, n := range r.skipped {
		if n > 0 {
			st.Skipped[reasons[i]] += n
		}
	}
	if r.failed {
		st.Skipped[SkipUnreadable]++
	}
	st.Errors += int64(len(r.errs)) + r.moreErrs
	if onError == nil {
		return
	}
	for _, e := range r.problems() {
		onError(e)
	}
}

// problems is what OnError hears about one object: its first problems and
// a line counting the rest.
func (r *result) problems() []error {
	if r.moreErrs == 0 {
		return r.errs
	}
	f := r.errs[0].(*InputError).File
	return append(r.errs[:len(r.errs):len(r.errs)], &InputError{File: f, Record: -1, Err: moreErr{f, r.moreErrs}})
}

type moreErr struct {
	file string
	n    int64
}

func (e moreErr) Error() string {
	return e.file + ": " + strconv.FormatInt(e.n, 10) + " more problems in this file not shown"
}

func (st Stats) clone() Stats {
	st.Skipped = maps.Clone(st.Skipped)
	return st
}

// groupBySlot groups object indexes by delivery slot: objects without one
// first, then slots in order; within a group, objects keep their order.
func groupBySlot(objs []source.Object) []group {
	bySlot := map[time.Time]int{}
	var groups []group
	for i, o := range objs {
		t := slot(o.Key)
		g, ok := bySlot[t]
		if !ok {
			g = len(groups)
			bySlot[t] = g
			groups = append(groups, group{start: t})
		}
		groups[g].objs = append(groups[g].objs, i)
	}
	slices.SortStableFunc(groups, func(a, b group) int { return a.start.Compare(b.start) })
	return groups
}
