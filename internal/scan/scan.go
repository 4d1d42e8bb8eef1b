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
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// Options tunes Run. The zero value reads everything with one worker per CPU.
type Options struct {
	Workers        int                   // objects read at once; default runtime.GOMAXPROCS(0)
	Prefilter      *cloudtrail.Prefilter // nil keeps every record
	Census         *cloudtrail.Census    // optional: which kinds of record the input holds, before the prefilter (Stats.Kinds)
	Since, Until   time.Time             // eventTime window, Since inclusive, Until exclusive; records without eventTime are kept
	MaxObjectBytes int64                 // decompressed size cap per object; default cloudtrail.DefaultMaxObjectBytes
	MaxRecordBytes int64                 // size cap per record; default cloudtrail.DefaultMaxRecordBytes
	OnError        func(err error)       // one call per unreadable file or bad record (an *InputError); one call at a time
	Progress       func(Stats)           // optional, about every 500ms as objects finish; never at the same time as OnError
}

// Stats counts a scan.
type Stats struct {
	Files, FilesFailed       int   // objects read; objects unreadable or damaged
	Bytes, UncompressedBytes int64 // as stored; after decompression
	Records, Matched         int64 // records split out; events handed to fn
	Skipped                  map[string]int64
	Errors                   int64 // problems found, including those past the per-file cap of OnError lines
	// Kinds has bit k set when some record of Census kind k was read
	// (whether or not a rule wanted it).
	Kinds uint64
}

// progressEvery is how often, at most, Progress is called.
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
// events in batches sorted by (eventTime, eventID), at most maxBatch
// events each.
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
//
// The pipeline has three stages, one errgroup:
//
//	schedule ──jobs──► read (×Workers) ──complete groups──► deliver ──► fn
//	    ▲                                                      │
//	    └──────────────────── group delivered ─────────────────┘
func Run(ctx context.Context, objs []source.Object, o Options, fn func(batch []*cloudtrail.Event) error) (Stats, error) {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if len(objs) == 0 {
		return Stats{Skipped: map[string]int64{}}, ctx.Err()
	}
	p := newPipeline(objs, o)
	eg, gctx := errgroup.WithContext(ctx)
	eg.Go(func() error { return p.schedule(gctx) })
	for range o.Workers {
		eg.Go(func() error { return p.read(gctx) })
	}
	eg.Go(func() error { return p.deliver(gctx, fn) })
	err := eg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return p.st, err
}

// pipeline is the state the stages of one Run share.
type pipeline struct {
	objs   []source.Object
	opt    Options
	groups []group

	jobs      chan job   // schedule → read
	complete  chan batch // read → deliver: groups whose objects are all read, in order
	delivered chan int   // deliver → schedule: a group fn has had

	mu           sync.Mutex // guards the fields below and serialises OnError and Progress
	st           Stats
	slots        slots
	lastProgress time.Time
}

// job is one object to read and the group it belongs to.
type job struct{ group, obj int }

func newPipeline(objs []source.Object, o Options) *pipeline {
	groups := groupBySlot(objs)
	return &pipeline{
		objs: objs, opt: o, groups: groups,
		jobs: make(chan job),
		// One slot per group: sending never blocks, and what is held in
		// memory is bounded by schedule, not by these channels.
		complete:     make(chan batch, len(groups)),
		delivered:    make(chan int, len(groups)),
		st:           Stats{Skipped: map[string]int64{}},
		slots:        newSlots(groups),
		lastProgress: time.Now(),
	}
}

// schedule is stage 1: it hands out the objects group by group, in time
// order, and keeps at most two groups in flight: the objects of group g go
// out only once group g-2 has been delivered. That bounds memory to about
// two slots of matched events however long the trail, while the workers
// read the next group as fn works on the last.
func (p *pipeline) schedule(ctx context.Context) error {
	defer close(p.jobs)
	done := -1
	for g := range p.groups {
		for done < g-2 {
			select {
			case done = <-p.delivered:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		for _, i := range p.groups[g].objs {
			select {
			case p.jobs <- job{g, i}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

// read is stage 2, one per worker: each object is decompressed, split,
// prefiltered and decoded (worker.read), then its events are filed under
// its group; a group whose last object is in goes on to deliver.
func (p *pipeline) read(ctx context.Context) error {
	w := worker{opt: &p.opt}
	for j := range p.jobs {
		r := w.read(ctx, p.objs[j.obj])
		if err := ctx.Err(); err != nil {
			return err // fn failed or ctx ended: what was read is dropped
		}
		p.file(j.group, &r)
	}
	return nil
}

// file counts one object, reports its problems and files its events.
func (p *pipeline) file(g int, r *result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.st.add(r, p.opt.OnError)
	for _, b := range p.slots.add(g, r.events) {
		p.complete <- b // never blocks: room for every group
	}
	if p.opt.Progress != nil && time.Since(p.lastProgress) >= progressEvery {
		p.lastProgress = time.Now()
		p.opt.Progress(p.st.clone())
	}
}

// deliver is stage 3: it takes the complete groups in order, sorts their
// events into the timeline (timeline.order) and hands each batch to fn,
// then lets schedule start the group after next. fn runs here, apart
// from the readers, so a slow rule engine never stops them from reading
// the next group.
func (p *pipeline) deliver(ctx context.Context, fn func([]*cloudtrail.Event) error) error {
	tl := timeline{groups: p.groups}
	for range p.groups {
		var b batch
		select {
		case b = <-p.complete:
		case <-ctx.Done():
			return ctx.Err()
		}
		evs := tl.order(b)
		p.mu.Lock()
		p.st.Matched += int64(len(evs))
		p.mu.Unlock()
		if err := handOn(evs, fn); err != nil {
			return err
		}
		p.delivered <- b.group // never blocks: room for every group
	}
	return nil
}

// maxBatch bounds the events of one call of fn: a busy hour's events are
// handed on in a few pieces, each decoded just before, so only one piece
// of decoded trees is alive at a time (the rest hold their bytes only).
const maxBatch = 256

// handOn resolves and hands evs to fn, maxBatch at a time. fn gets its own
// slice of each piece; handOn then forgets the piece, so the events fn does
// not keep are garbage as soon as fn is done with them.
func handOn(evs []*cloudtrail.Event, fn func([]*cloudtrail.Event) error) error {
	for len(evs) > 0 {
		n := min(len(evs), maxBatch)
		piece := slices.Clone(evs[:n])
		clear(evs[:n])
		evs = evs[n:]
		if err := resolve(piece); err != nil {
			return err
		}
		if err := fn(piece); err != nil {
			return err
		}
	}
	return nil
}

// resolve builds the events' Fields (the workers decode lazily).
func resolve(evs []*cloudtrail.Event) error {
	for _, ev := range evs {
		if err := ev.Resolve(); err != nil {
			return err
		}
	}
	return nil
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
	st.Kinds |= r.kinds
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
