package scan

import (
	"context"
	"fmt"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// Reader reads objects one at a time through the same steps as Run —
// decompress, split, prefilter, fast decode, time window — for callers
// that are handed objects one by one (watch, with the trail files S3
// announces). It reuses its buffers: one Reader per goroutine.
type Reader struct{ w worker }

// NewReader returns a Reader using o's Prefilter, Since/Until and
// MaxObjectBytes; the other options are Run's alone.
func NewReader(o Options) *Reader { return &Reader{w: worker{opt: &o}} }

// ObjectResult is what reading one object gave.
type ObjectResult struct {
	Events  []*cloudtrail.Event // matched events, in the object's order
	Records int64               // records split out
	// Problems holds one *InputError per problem, the same errors Run
	// hands to OnError for this object (capped the same way).
	Problems []error
	// Failed: the object could not be read, or only up to some damage
	// (Events then holds what came before it).
	Failed bool
}

// Read reads obj. Bad input is reported in the result, never returned as
// a panic. When ctx ends during the read the object counts as failed: the
// split stops early, so what was read is incomplete.
func (r *Reader) Read(ctx context.Context, obj source.Object) ObjectResult {
	res := r.w.read(ctx, obj)
	if err := ctx.Err(); err != nil {
		return ObjectResult{Failed: true, Problems: []error{
			&InputError{File: obj.Name, Record: -1, Reason: SkipUnreadable, Err: fmt.Errorf("%s: %w", obj.Name, err)}}}
	}
	if err := resolve(res.events); err != nil {
		return ObjectResult{Failed: true, Problems: []error{&InputError{File: obj.Name, Record: -1, Reason: SkipUnreadable, Err: err}}}
	}
	return ObjectResult{Events: res.events, Records: res.records, Problems: res.problems(), Failed: res.failed}
}
