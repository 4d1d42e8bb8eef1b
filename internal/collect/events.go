package collect

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
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
	var objs []source.Object
	if slices.Contains(paths, "-") {
		if stdin == nil {
			return nil, 0, fmt.Errorf("events from stdin: no stdin")
		}
		objs = append(objs, source.Object{Name: source.StdinName, Size: -1,
			Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(stdin), nil }})
		paths = slices.DeleteFunc(slices.Clone(paths), func(p string) bool { return p == "-" })
	}
	if len(paths) > 0 {
		_, err := source.Walk(ctx, paths, source.Filter{}, func(o source.Object) error {
			objs = append(objs, o)
			return nil
		})
		// A path that cannot be read is bad input like a broken file, as
		// long as something else can be read; with nothing left it is the
		// error.
		if err != nil && (ctx.Err() != nil || len(objs) == 0) {
			return nil, 0, err
		}
		for _, e := range PathErrors(err) {
			bad++
			if onError != nil {
				onError(e)
			}
		}
	}
	evs = []*cloudtrail.Event{}
	opts := scan.Options{
		Prefilter: cloudtrail.NewPrefilter(eventInterests()),
		OnError: func(err error) {
			bad++
			if onError != nil {
				onError(err)
			}
		},
	}
	if _, err := scan.Run(ctx, objs, opts, func(batch []*cloudtrail.Event) error {
		evs = append(evs, batch...)
		return ctx.Err()
	}); err != nil {
		return nil, bad, fmt.Errorf("read events: %w", err)
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
