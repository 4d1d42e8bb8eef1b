package scan

import (
	"bytes"
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
	moreErrs     int64 // problems beyond maxErrsPerObject
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

// worker owns the buffers it reuses from object to object.
type worker struct {
	opt    *Options
	reader cloudtrail.ObjectReader
	buf    bytes.Buffer
}

// dropBuffersOver keeps one huge object from pinning its buffer for the
// rest of the scan.
const dropBuffersOver = 256 << 20

func (w *worker) read(ctx context.Context, obj source.Object) (r result) {
	defer func() {
		// Bad input must never crash a scan; a bug found by it is reported
		// against the file rather than taking the whole hunt down.
		if p := recover(); p != nil {
			r.failed = true
			r.problem(rUnreadable, obj.Name, -1, fmt.Errorf("%s: internal error while reading: %v", obj.Name, p))
		}
		if w.buf.Cap() > dropBuffersOver {
			w.buf = bytes.Buffer{}
		}
	}()
	rc, err := obj.Open(ctx)
	if err != nil {
		r.failed = true
		r.problem(rUnreadable, obj.Name, -1, nameErr(obj.Name, err))
		return r
	}
	cr := countingReader{r: rc}
	w.reader.MaxBytes = w.opt.MaxObjectBytes
	data, rerr := w.reader.Read(&cr, obj.Name, &w.buf)
	_ = rc.Close()
	r.bytes, r.uncompressed = cr.n, int64(len(data))
	if rerr != nil && len(data) == 0 {
		r.failed = true
		r.problem(rUnreadable, obj.Name, -1, rerr)
		return r
	}
	w.split(ctx, obj.Name, data, rerr != nil, &r)
	if rerr != nil {
		r.failed = true
		r.problem(rUnreadable, obj.Name, -1, fmt.Errorf("%w (%d records read before the damage)", rerr, r.records))
	}
	return r
}

func (w *worker) split(ctx context.Context, name string, data []byte, damaged bool, r *result) {
	pf := w.opt.Prefilter
	since, until := w.opt.Since, w.opt.Until
	onBad := func(index int, _ int64, err error) {
		switch {
		case errors.Is(err, cloudtrail.ErrNotObject):
			r.problem(rNotObject, name, index, fmt.Errorf("%s: %w", name, err))
		case errors.Is(err, cloudtrail.ErrNotCloudTrail):
			r.problem(rNotCloudTrail, name, index, fmt.Errorf("%s: %w", name, err))
		case damaged && errors.Is(err, cloudtrail.ErrTruncated):
			// The read error already says the file is cut short.
		default:
			r.problem(rInvalid, name, index, fmt.Errorf("%s: %w", name, err))
		}
	}
	_ = cloudtrail.SplitRecords(data, func(rec *cloudtrail.Record) error {
		r.records++
		if r.records&4095 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if !pf.MatchRecord(rec) {
			r.skipped[rPrefilter]++
			return nil
		}
		ev, err := cloudtrail.DecodeFast(rec.Raw, cloudtrail.Origin{File: name, Index: rec.Index})
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
	}, onBad)
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
