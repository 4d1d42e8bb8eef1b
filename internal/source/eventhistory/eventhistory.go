// Package eventhistory reads CloudTrail's event history: the last 90 days
// of management events that every account keeps per region without a
// trail, through LookupEvents. The records go on in time order, through
// the same prefilter and decoder as files, so a hunt or a replay cannot
// tell them from a trail.
//
// LookupEvents filters on one attribute per request, pages 50 events at a
// time newest first, and allows about 2 requests per second per account
// and region. So the window is walked from oldest to newest in slices;
// for each slice every region runs one pass per lookup (an event source,
// or an event name when a source is wanted for a name or two only), the
// slice's events are merged, deduplicated, sorted by time and handed on,
// then the next slice. Memory holds one slice of matched events.
package eventhistory

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/portcullis-sec/portcullis/internal/backoff"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

const (
	// Horizon is how far back the event history reaches.
	Horizon = 90 * 24 * time.Hour
	// Rate is LookupEvents' limit per account and region, in requests per second.
	Rate = 2.0
	// PageSize is the most events one LookupEvents page holds.
	PageSize = 50
)

// Slice sizes: the first slice is a day; a slice grows (up to 30 days)
// when sparse, since every lookup costs a request per slice however empty
// (90 one-day slices of 7 lookups would be 630 requests, 5 minutes, before
// a single event), and shrinks (down to a minute) when dense, to hold
// about SliceEvents events.
const (
	firstSlice = 24 * time.Hour
	maxSlice   = 30 * 24 * time.Hour
	minSlice   = time.Minute
)

// Options configure Read.
type Options struct {
	Regions []string                // at least one
	Client  func(region string) API // the LookupEvents client of a region
	// Interests are the records wanted, as for the prefilter (the rule
	// pack's, or the model's sources). They decide the lookups; none, or
	// one with Source "", reads every management event.
	Interests []cloudtrail.Interest
	// Since (inclusive) and Until (exclusive) bound eventTime; Until is
	// required, Since defaults to Until - Horizon.
	Since, Until time.Time

	Rate        float64        // requests per second per region; default Rate
	Backoff     backoff.Policy // between tries of a throttled or failed request
	MaxAttempts int            // tries per request; default 8
	SliceEvents int            // matched events a slice aims to hold; default 10,000

	// Progress hears the counts after pages (at most every 250ms) and
	// after each slice; one call at a time.
	Progress func(Stats)
}

// Stats count a read.
type Stats struct {
	Regions  int
	Lookups  []string // the passes each region runs per slice, e.g. "EventSource=sso.amazonaws.com"
	Slices   int      // slices handed on
	Resliced int      // slices given up for being too dense and read again in halves

	Requests, Pages int64 // requests sent (retries included); pages answered
	Events          int64 // events the API returned
	Duplicates      int64 // events returned again (by two lookups, or a restarted pass)
	Matched         int64 // events handed on
	BadRecords      int64 // CloudTrailEvent strings that could not be decoded
	Throttles       int64 // ThrottlingException answers
	Retries         int64 // requests tried again (throttles and 5xx)
	TokenRestarts   int64 // passes restarted after InvalidNextTokenException

	Since, Until time.Time
	// Reached: every event before it has been handed on; Reading is the
	// end of the slice being read.
	Reached, Reading time.Time
}

// errStop ends a Read from its callback without an error.
var errStop = errors.New("stop")

// Read walks the window and calls fn with each slice's events in
// (eventTime, eventID) order; onBad (may be nil) hears about each
// CloudTrailEvent that could not be decoded (*cloudtrail.DecodeError),
// before the batch of its slice. Both run on the caller's goroutine. Read
// stops at the first request that fails for good (after retries), when
// ctx ends or when fn fails, and returns that error; the Stats say how
// far it got (Reached).
func Read(ctx context.Context, o Options, fn func(batch []*cloudtrail.Event) error, onBad func(error)) (Stats, error) {
	r, err := newReader(o)
	if err != nil {
		return Stats{}, err
	}
	return r.run(ctx, fn, onBad)
}

// Events is Read as a sequence for hunt.RunEvents: events in time order,
// decode failures as (nil, *cloudtrail.DecodeError) in between, and a
// failure that ends the read as a last (nil, error). *st holds the counts
// once the sequence is done.
func Events(ctx context.Context, o Options, st *Stats) iter.Seq2[*cloudtrail.Event, error] {
	return func(yield func(*cloudtrail.Event, error) bool) {
		stopped := false
		s, err := Read(ctx, o, func(batch []*cloudtrail.Event) error {
			for _, ev := range batch {
				if stopped || !yield(ev, nil) {
					stopped = true
					return errStop
				}
			}
			return nil
		}, func(bad error) {
			if !stopped && !yield(nil, bad) {
				stopped = true
			}
		})
		if st != nil {
			*st = s
		}
		if err != nil && !errors.Is(err, errStop) && !stopped {
			yield(nil, err)
		}
	}
}

// reader is one Read's state.
type reader struct {
	o       Options
	pf      *cloudtrail.Prefilter
	lookups []lookup
	regions []*region

	mu           sync.Mutex // guards st and lastProgress; serialises Progress
	st           Stats
	lastProgress time.Time
}

func newReader(o Options) (*reader, error) {
	if len(o.Regions) == 0 {
		return nil, fmt.Errorf("event history: no region")
	}
	if o.Client == nil {
		return nil, fmt.Errorf("event history: no client")
	}
	if o.Until.IsZero() {
		return nil, fmt.Errorf("event history: no end of the window")
	}
	if o.Since.IsZero() {
		o.Since = o.Until.Add(-Horizon)
	}
	if !o.Since.Before(o.Until) {
		return nil, fmt.Errorf("event history: the window %s – %s is empty", o.Since.Format(time.RFC3339), o.Until.Format(time.RFC3339))
	}
	if o.Rate <= 0 {
		o.Rate = Rate
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.SliceEvents <= 0 {
		o.SliceEvents = 10000
	}
	r := &reader{o: o, pf: cloudtrail.NewPrefilter(o.Interests), lookups: lookupsFor(o.Interests)}
	seen := map[string]bool{}
	for _, name := range o.Regions {
		if name = strings.TrimSpace(name); name == "" || seen[name] {
			continue
		}
		seen[name] = true
		r.regions = append(r.regions, &region{name: name, api: o.Client(name), lim: newLimiter(o.Rate)})
	}
	r.st = Stats{Regions: len(r.regions), Since: o.Since, Until: o.Until, Reached: o.Since}
	for _, l := range r.lookups {
		r.st.Lookups = append(r.st.Lookups, l.String())
	}
	return r, nil
}

// run walks the slices from oldest to newest.
func (r *reader) run(ctx context.Context, fn func([]*cloudtrail.Event) error, onBad func(error)) (Stats, error) {
	// Whole seconds: the API's bounds are inclusive and events carry
	// seconds, so the slice [a, b) is asked as [a, b-1s].
	a := r.o.Since.Truncate(time.Second)
	end := r.o.Until.Truncate(time.Second)
	if end.Before(r.o.Until) {
		end = end.Add(time.Second)
	}
	size := firstSlice
	for a.Before(end) {
		b := a.Add(size)
		if b.After(end) {
			b = end
		}
		r.update(func(st *Stats) { st.Reading = b }, true)
		limit := 4 * r.o.SliceEvents
		if size <= minSlice {
			limit = 0 // as small as slices go: hold what it has
		}
		evs, bad, err := r.slice(ctx, a, b, limit)
		if errors.Is(err, errSliceFull) && size > minSlice {
			size = max(size/2, minSlice)
			r.update(func(st *Stats) { st.Resliced++ }, false)
			continue
		}
		if err != nil {
			return r.stats(), err
		}
		slices.SortFunc(evs, func(x, y *cloudtrail.Event) int {
			if c := x.Time.Compare(y.Time); c != 0 {
				return c
			}
			return strings.Compare(x.ID, y.ID)
		})
		for _, e := range bad {
			if onBad != nil {
				onBad(e)
			}
		}
		if len(evs) > 0 {
			if err := fn(evs); err != nil {
				return r.stats(), err
			}
		}
		r.update(func(st *Stats) { st.Slices++; st.Matched += int64(len(evs)); st.Reached = b }, true)
		a, size = b, nextSize(size, len(evs), r.o.SliceEvents)
	}
	return r.stats(), ctx.Err()
}

// nextSize aims the next slice at target events from the density of the
// last one, growing at most fourfold at a time.
func nextSize(size time.Duration, n, target int) time.Duration {
	next := size * 4
	if n > 0 {
		next = min(next, time.Duration(float64(size)*float64(target)/float64(n)))
	}
	return min(max(next.Truncate(time.Second), minSlice), maxSlice)
}

// slice reads [a, b) in every region at once, each region running its
// lookups one after the other under its own rate limit.
func (r *reader) slice(ctx context.Context, a, b time.Time, limit int) ([]*cloudtrail.Event, []error, error) {
	sl := &slice{seen: map[string]bool{}, limit: limit}
	g, gctx := errgroup.WithContext(ctx)
	for _, rg := range r.regions {
		g.Go(func() error {
			for _, l := range r.lookups {
				if err := r.pass(gctx, rg, l, a, b, sl); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	return sl.events, sl.bad, nil
}

// update changes the counts and, when progress is due (or force), reports them.
func (r *reader) update(change func(*Stats), force bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	change(&r.st)
	if r.o.Progress != nil && (force || time.Since(r.lastProgress) >= 250*time.Millisecond) {
		r.lastProgress = time.Now()
		r.o.Progress(r.st.clone())
	}
}

func (r *reader) stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st.clone()
}

func (st Stats) clone() Stats {
	st.Lookups = slices.Clone(st.Lookups)
	return st
}

// errSliceFull: a slice holds more than four times SliceEvents; it is read
// again in halves, down to a minute.
var errSliceFull = errors.New("slice too dense")

// slice collects one slice's events from every region and lookup.
type slice struct {
	mu     sync.Mutex
	seen   map[string]bool // event ids, across lookups and regions
	events []*cloudtrail.Event
	bad    []error
	limit  int // 0: none
}

// claim reports whether the event id is new to the slice.
func (s *slice) claim(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[id] {
		return false
	}
	s.seen[id] = true
	return true
}

func (s *slice) add(ev *cloudtrail.Event, bad error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if bad != nil {
		s.bad = append(s.bad, bad)
		return nil
	}
	s.events = append(s.events, ev)
	if s.limit > 0 && len(s.events) > s.limit {
		return errSliceFull
	}
	return nil
}
