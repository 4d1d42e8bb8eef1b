package collect

import (
	"context"
	"fmt"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
	"github.com/portcullis-sec/portcullis/internal/source/eventhistory"
)

// maxApplyMissing bounds the Missing entries apply errors add.
const maxApplyMissing = 100

// ReplayOptions bound a replay.
type ReplayOptions struct {
	// Since and Until bound the events to apply (zero: unbounded). A
	// non-zero Until is also the capture time of the result: the state is
	// known up to the end of the window, whether or not anything changed.
	Since, Until time.Time
	// Now ends the event history's read when Until is zero (ReplayHistory;
	// zero: the clock). It is never the capture time.
	Now time.Time
	// OnError receives unreadable input (may be nil); the replay goes on.
	OnError func(error)
	// SkipOtherInstances drops writes of another Identity Center instance
	// than the model's (counted in ReplayStats) instead of refusing them
	// with an *OtherInstanceError.
	SkipOtherInstances bool
}

// ReplayStats is what a replay read and did.
type ReplayStats struct {
	scan.Stats
	Applied     int                 // events that changed the model
	ApplyErrors []error             // writes that could not be applied (*idc.ApplyError)
	History     *eventhistory.Stats // the event history's counts (ReplayHistory)
	// OtherInstance counts the writes of other instances skipped
	// (SkipOtherInstances); FirstOther is the first of them.
	OtherInstance int
	FirstOther    *OtherInstanceError
}

// Replay moves m forward by the Identity Center writes in objs, in time
// order. Afterwards m is as of the end of the window (o.Until) or, without
// one, of the last event replayed, or as before when there was none: never
// the wall clock, which would put every later event before the model and
// hide it from reconcile.
//
// A write of another instance than the model's stops the replay with an
// *OtherInstanceError (unless o.SkipOtherInstances). Unreadable input and
// writes that could not be applied still leave a model, but one marked
// partial, with what is missing in Missing. Otherwise only a cancelled ctx
// is an error.
func Replay(ctx context.Context, m *idc.Model, objs []source.Object, o ReplayOptions) (ReplayStats, error) {
	r := replayer{m: m, last: m.CapturedAt, skipOther: o.SkipOtherInstances}
	stats, err := scan.Run(ctx, objs, scan.Options{
		Prefilter: cloudtrail.NewPrefilter(modelInterests()), Since: o.Since, Until: o.Until,
		OnError: o.OnError,
	}, r.apply)
	r.st.Stats = stats
	if err != nil {
		return r.st, fmt.Errorf("replay: %w", err)
	}
	r.finish(o, stats.Errors+int64(stats.FilesFailed) > 0,
		fmt.Sprintf("events: %d input errors, %d files unreadable (see above)", stats.Errors, stats.FilesFailed))
	return r.st, nil
}

// ReplayHistory is Replay over CloudTrail's event history of regions (none:
// h.AWS's region), o.Since to o.Until (default: the 90 days to now). Records
// that do not decode leave the model partial, as unreadable files do; a
// read that fails (access denied, throttled for good) is an error, since
// a window of changes would be missing.
func ReplayHistory(ctx context.Context, m *idc.Model, regions []string, h History, o ReplayOptions) (ReplayStats, error) {
	readUntil := o.Until
	if readUntil.IsZero() {
		readUntil = o.Now
	}
	ho, err := h.options(ctx, regions, modelInterests(), o.Since, readUntil)
	if err != nil {
		return ReplayStats{}, err
	}
	r := replayer{m: m, last: m.CapturedAt, skipOther: o.SkipOtherInstances}
	var bad int64
	hs, err := eventhistory.Read(ctx, ho, r.apply, func(e error) {
		bad++
		if o.OnError != nil {
			o.OnError(e)
		}
	})
	r.st.History = &hs
	r.st.Records, r.st.Matched, r.st.Errors = hs.Events, hs.Matched, bad
	if err != nil {
		return r.st, fmt.Errorf("replay: %w", err)
	}
	r.finish(o, bad > 0, fmt.Sprintf("events: %d event history records could not be read (see above)", bad))
	return r.st, nil
}

// modelInterests are the sources Apply reads: the prefilter keeps nothing
// else, so a replay decodes a sliver of a trail.
func modelInterests() []cloudtrail.Interest {
	var in []cloudtrail.Interest
	for _, s := range idc.ModelSources() {
		in = append(in, cloudtrail.Interest{Source: s})
	}
	return in
}

// replayer applies events in time order and keeps count.
type replayer struct {
	m         *idc.Model
	last      time.Time // the latest event replayed
	skipOther bool
	st        ReplayStats
}

func (r *replayer) apply(batch []*cloudtrail.Event) error {
	for _, ev := range batch {
		if oe := otherInstance(r.m, ev); oe != nil {
			if !r.skipOther {
				return oe
			}
			if r.st.OtherInstance++; r.st.FirstOther == nil {
				r.st.FirstOther = oe
			}
			continue
		}
		changed, err := r.m.Apply(ev)
		if err != nil {
			r.st.ApplyErrors = append(r.st.ApplyErrors, err)
			continue
		}
		if ev.Time.After(r.last) {
			r.last = ev.Time // read, so the state is known up to here
		}
		if changed {
			r.st.Applied++
		}
	}
	return nil
}

// finish dates the model and marks it partial for what could not be read
// (unread, with its line for Missing) or applied.
func (r *replayer) finish(o ReplayOptions, unread bool, missing string) {
	m := r.m
	m.CapturedAt = r.last.UTC()
	if !o.Until.IsZero() {
		m.CapturedAt = o.Until.UTC()
	}
	for i, e := range r.st.ApplyErrors {
		if i == maxApplyMissing {
			m.Missing = append(m.Missing, fmt.Sprintf("events: %d more writes could not be applied", len(r.st.ApplyErrors)-i))
			break
		}
		m.Missing = append(m.Missing, "events: "+e.Error())
	}
	if unread {
		m.Missing = append(m.Missing, missing)
	}
	m.Partial = m.Partial || len(r.st.ApplyErrors) > 0 || unread
}
