package scan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// Reasons a record (or, for SkipUnreadable, a file) was not handed on.
const (
	SkipPrefilter     = "prefilter"
	SkipOutsideWindow = "outside-time-window"
	SkipInvalidJSON   = "invalid-json"
	SkipNotObject     = "not-an-object"
	SkipNotCloudTrail = "not-cloudtrail"
	SkipUnreadable    = "unreadable-file"
)

// reasons indexes the per-object counters.
var reasons = [...]string{SkipPrefilter, SkipOutsideWindow, SkipInvalidJSON, SkipNotObject, SkipNotCloudTrail, SkipUnreadable}

const (
	rPrefilter = iota
	rOutside
	rInvalid
	rNotObject
	rNotCloudTrail
	rUnreadable
)

// maxErrsPerObject bounds the lines one broken file can print.
const maxErrsPerObject = 10

// InputError is one problem with the input: a file that cannot be read
// (Record -1) or a bad record. Its message names the file. When one file
// has more than a few problems, the rest are summed up in one last
// InputError with an empty Reason.
type InputError struct {
	File   string
	Record int    // record index in the file; -1 for the whole file
	Reason string // a Skip* constant
	Err    error
}

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// result is what a worker learned from one object.
type result struct {
	events       []*cloudtrail.Event
	bytes        int64
	uncompressed int64
	records      int64
	skipped      [len(reasons)]int64
	failed       bool
	errs         []error
	moreErrs     int64  // problems beyond maxErrsPerObject
	kinds        uint64 // Census kinds seen
}

func (r *result) problem(reason int, file string, index int, err error) {
	if reason != rUnreadable {
		r.skipped[reason]++
	}
	if len(r.errs) >= maxErrsPerObject {
		r.moreErrs++
		return
	}
	r.errs = append(r.errs, &InputError{File: file, Record: index, Reason: reasons[reason], Err: err})
}

// worker owns the reader (and its buffers) it reuses from object to object.
type worker struct {
	opt    *Options
	reader cloudtrail.ObjectReader
	// seen: the Census kinds this worker has met. Once it has met them all
	// it stops looking, so on a real trail the census costs a few objects.
	seen uint64
}

func (w *worker) read(ctx context.Context, obj source.Object) (r result) {
	defer func() {
		// Bad input must never crash a scan; a bug found by it is reported
		// against the file rather than taking the whole hunt down.
		if p := recover(); p != nil {
			r.failed = true
			r.problem(rUnreadable, obj.Name, -1, fmt.Errorf("%s: internal error while reading: %v", obj.Name, p))
		}
	}()
	rc, err := obj.Open(ctx)
	if err != nil {
		r.failed = true
		r.problem(rUnreadable, obj.Name, -1, nameErr(obj.Name, err))
		return r
	}
	cr := countingReader{r: rc}
	w.reader.MaxBytes, w.reader.MaxRecordBytes = w.opt.MaxObjectBytes, w.opt.MaxRecordBytes
	n, cut, _ := w.reader.Split(&cr, obj.Name, w.record(ctx, obj.Name, &r), w.onBad(obj.Name, &r))
	_ = rc.Close()
	r.bytes, r.uncompressed = cr.n, n
	if cut != nil {
		// The records before the cut are kept: each was complete, and the
		// object is reported as failed all the same.
		r.failed = true
		r.problem(rUnreadable, obj.Name, -1, fmt.Errorf("%w (%d records read before it%s)", cut, r.records, w.hint(cut)))
	}
	return r
}

// hint names the flag that raises the cap an object went over.
func (w *worker) hint(cut error) string {
	switch {
	case errors.Is(cut, cloudtrail.ErrTooLarge):
		return "; raise the cap with --max-object-size"
	case errors.Is(cut, cloudtrail.ErrRecordTooLarge):
		return "; raise the cap with --max-record-size"
	}
	return ""
}

func (w *worker) onBad(name string, r *result) func(int, int64, error) {
	return func(index int, _ int64, err error) {
		switch {
		case errors.Is(err, cloudtrail.ErrNotObject):
			r.problem(rNotObject, name, index, fmt.Errorf("%s: %w", name, err))
		case errors.Is(err, cloudtrail.ErrNotCloudTrail):
			r.problem(rNotCloudTrail, name, index, fmt.Errorf("%s: %w", name, err))
		default:
			r.problem(rInvalid, name, index, fmt.Errorf("%s: %w", name, err))
		}
	}
}

func (w *worker) record(ctx context.Context, name string, r *result) func(*cloudtrail.Record) error {
	pf, census := w.opt.Prefilter, w.opt.Census
	all := census.All()
	since, until := w.opt.Since, w.opt.Until
	return func(rec *cloudtrail.Record) error {
		r.records++
		if r.records&4095 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if w.seen != all {
			k := census.Record(rec)
			r.kinds |= k
			w.seen |= k
		}
		if !pf.MatchRecord(rec) {
			// A record without eventSource is bad input, not a record no
			// rule wants: decode the rare candidates to say which.
			if rec.MayLackSource() {
				if _, err := cloudtrail.DecodeFast(rec.Raw, cloudtrail.Origin{File: name, Index: rec.Index}); err != nil {
					r.problem(decodeReason(err), name, rec.Index, err)
					return nil
				}
			}
			r.skipped[rPrefilter]++
			return nil
		}
		// Lazy: the tree is built when the event is delivered (resolve),
		// so the events of a group waiting for its last object hold
		// their bytes only.
		ev, err := cloudtrail.DecodeLazy(rec.Raw, cloudtrail.Origin{File: name, Index: rec.Index})
		if err != nil {
			r.problem(decodeReason(err), name, rec.Index, err)
			return nil
		}
		if !pf.MatchEvent(ev) {
			r.skipped[rPrefilter]++
			return nil
		}
		if !ev.Time.IsZero() && (!since.IsZero() && ev.Time.Before(since) || !until.IsZero() && !ev.Time.Before(until)) {
			r.skipped[rOutside]++
			return nil
		}
		r.events = append(r.events, ev)
		return nil
	}
}

// decodeReason tells invalid JSON from a JSON object that is not a usable
// CloudTrail record.
func decodeReason(err error) int {
	var syn *json.SyntaxError
	if errors.Is(err, cloudtrail.ErrInvalidJSON) || errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) {
		return rInvalid
	}
	return rNotCloudTrail
}

// nameErr makes sure an error names the object it is about.
func nameErr(name string, err error) error {
	if strings.Contains(err.Error(), name) {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
