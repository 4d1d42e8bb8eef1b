package collect

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
	"github.com/portcullis-sec/portcullis/internal/source/eventhistory"
)

// eventInterests are the records drift, reconcile and posture read:
// Identity Center writes through every front door, sign-ins, and uses of the
// AWSReservedSSO roles. Everything else is dropped by the byte prefilter,
// so memory follows the Identity Center share of a trail, not its size.
func eventInterests() []cloudtrail.Interest {
	var out []cloudtrail.Interest
	for _, s := range idc.ModelSources() {
		out = append(out, cloudtrail.Interest{Source: s})
	}
	return append(out,
		cloudtrail.Interest{Source: idc.SourceSignin},
		cloudtrail.Interest{Source: "sts.amazonaws.com", Names: []string{"AssumeRoleWithSAML"}, Contains: []string{"AWSReservedSSO"}},
	)
}

// ReadEvents reads CloudTrail from files, directories (org-trail layout) or
// - (stdin) and returns the Identity Center events (eventInterests) in time
// order. The slice is non-nil even when nothing matched: "events were
// given" changes what drift and posture conclude. Unreadable paths, files
// and records go to onError (may be nil) and are counted in bad; they do
// not stop the read. Only when no path at all can be read is it an error.
func ReadEvents(ctx context.Context, paths []string, stdin io.Reader, onError func(error)) (evs []*cloudtrail.Event, bad int, err error) {
	return ReadEventsWith(ctx, paths, EventsOptions{Stdin: stdin, OnError: onError})
}

// EventsOptions are what ReadEventsWith needs besides the paths.
type EventsOptions struct {
	Stdin   io.Reader   // read for "-"
	OnError func(error) // unreadable files and records (may be nil)
	// History reads an event-history spec (HistorySpec) over the 90 days
	// before Until (zero: now).
	History History
	Until   time.Time
}

// ReadEventsWith is ReadEvents where a path may also be HistorySpec:
// CloudTrail's event history, read through LookupEvents and merged with
// the files' events in time order. A read of the history that fails
// (access denied, throttled for good) is an error, not bad input: what
// is missing would be a window, not a record.
func ReadEventsWith(ctx context.Context, paths []string, o EventsOptions) (evs []*cloudtrail.Event, bad int, err error) {
	var objs []source.Object
	var histories [][]string
	var files []string
	for _, p := range paths {
		if regions, ok := HistoryRegions(p); ok {
			histories = append(histories, regions)
			continue
		}
		files = append(files, p)
	}
	if slices.Contains(files, "-") {
		if o.Stdin == nil {
			return nil, 0, fmt.Errorf("events from stdin: no stdin")
		}
		stdin := o.Stdin
		objs = append(objs, source.Object{Name: source.StdinName, Size: -1,
			Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(stdin), nil }})
		files = slices.DeleteFunc(files, func(p string) bool { return p == "-" })
	}
	if len(files) > 0 {
		_, err := source.Walk(ctx, files, source.Filter{}, func(o source.Object) error {
			objs = append(objs, o)
			return nil
		})
		// A path that cannot be read is bad input like a broken file, as
		// long as something else can be read; with nothing left it is the
		// error.
		if err != nil && (ctx.Err() != nil || len(objs)+len(histories) == 0) {
			return nil, 0, err
		}
		for _, e := range PathErrors(err) {
			bad++
			if o.OnError != nil {
				o.OnError(e)
			}
		}
	}
	onBad := func(err error) {
		bad++
		if o.OnError != nil {
			o.OnError(err)
		}
	}
	evs = []*cloudtrail.Event{}
	opts := scan.Options{Prefilter: cloudtrail.NewPrefilter(eventInterests()), OnError: onBad}
	if _, err := scan.Run(ctx, objs, opts, func(batch []*cloudtrail.Event) error {
		evs = append(evs, batch...)
		return ctx.Err()
	}); err != nil {
		return nil, bad, fmt.Errorf("read events: %w", err)
	}
	for _, regions := range histories {
		ho, err := o.History.options(ctx, regions, eventInterests(), time.Time{}, o.Until)
		if err != nil {
			return nil, bad, err
		}
		if _, err := eventhistory.Read(ctx, ho, func(batch []*cloudtrail.Event) error {
			evs = append(evs, batch...)
			return nil
		}, onBad); err != nil {
			return nil, bad, fmt.Errorf("read events: %w", err)
		}
	}
	if len(histories) > 0 {
		// Files and the history each come in time order; together they
		// are sorted once (the same record from both is kept twice, as
		// two files holding it would be).
		slices.SortStableFunc(evs, func(a, b *cloudtrail.Event) int { return a.Time.Compare(b.Time) })
	}
	return evs, bad, nil
}

// PathErrors splits the joined error of source.Walk into one error per
// path that could not be read.
func PathErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
