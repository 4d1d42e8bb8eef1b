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
	Since, Until time.Time // the events to apply; zero: unbounded
	// Now is the capture time of a model no event changed and that had
	// none before.
	Now time.Time
	// OnError receives unreadable input (may be nil); the replay goes on.
	OnError func(error)
}

// ReplayStats is what a replay read and did.
type ReplayStats struct {
	scan.Stats
	Applied     int                 // events that changed the model
	ApplyErrors []error             // writes that could not be applied (*idc.ApplyError)
	History     *eventhistory.Stats // the event history's counts (ReplayHistory)
}

// Replay moves m forward by the Identity Center writes in objs, in time
// order. Afterwards m is as of the last change applied (CapturedAt).
// Unreadable input and writes that could not be applied still leave a
// model, but one marked partial, with what is missing in Missing. Only a
// cancelled ctx is an error.
func Replay(ctx context.Context, m *idc.Model, objs []source.Object, o ReplayOptions) (ReplayStats, error) {
	r := replayer{m: m, last: m.CapturedAt}
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
	ho, err := h.options(ctx, regions, modelInterests(), o.Since, o.Until)
	if err != nil {
		return ReplayStats{}, err
	}
	r := replayer{m: m, last: m.CapturedAt}
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
	m    *idc.Model
	last time.Time
	st   ReplayStats
}

func (r *replayer) apply(batch []*cloudtrail.Event) error {
	for _, ev := range batch {
		changed, err := r.m.Apply(ev)
		if err != nil {
			r.st.ApplyErrors = append(r.st.ApplyErrors, err)
			continue
		}
		if changed {
			r.st.Applied++
			if ev.Time.After(r.last) {
				r.last = ev.Time
			}
		}
	}
	return nil
}

// finish dates the model and marks it partial for what could not be read
// (unread, with its line for Missing) or applied.
func (r *replayer) finish(o ReplayOptions, unread bool, missing string) {
	m := r.m
	m.CapturedAt = r.last
	if m.CapturedAt.IsZero() {
		m.CapturedAt = o.Now.UTC()
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
