package collect

import (
	"context"
	"fmt"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// maxApplyMissing bounds the Missing entries apply errors add.
const maxApplyMissing = 100

// ReplayOptions bound a replay.
type ReplayOptions struct {
	// Since and Until bound the events to apply (zero: unbounded). A
	// non-zero Until is also the capture time of the result: the state is
	// known up to the end of the window, whether or not anything changed.
	Since, Until time.Time
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
	Applied     int     // events that changed the model
	ApplyErrors []error // writes that could not be applied (*idc.ApplyError)
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
	// Only the sources Apply reads: the prefilter keeps nothing else, so a
	// replay decodes a sliver of a trail.
	var interest []cloudtrail.Interest
	for _, s := range idc.ModelSources() {
		interest = append(interest, cloudtrail.Interest{Source: s})
	}
	var (
		st   ReplayStats
		last = m.CapturedAt
	)
	stats, err := scan.Run(ctx, objs, scan.Options{
		Prefilter: cloudtrail.NewPrefilter(interest), Since: o.Since, Until: o.Until,
		OnError: o.OnError,
	}, func(batch []*cloudtrail.Event) error {
		for _, ev := range batch {
			if oe := otherInstance(m, ev); oe != nil {
				if !o.SkipOtherInstances {
					return oe
				}
				if st.OtherInstance++; st.FirstOther == nil {
					st.FirstOther = oe
				}
				continue
			}
			changed, err := m.Apply(ev)
			if err != nil {
				st.ApplyErrors = append(st.ApplyErrors, err)
				continue
			}
			if ev.Time.After(last) {
				last = ev.Time // read, so the state is known up to here
			}
			if changed {
				st.Applied++
			}
		}
		return nil
	})
	st.Stats = stats
	if err != nil {
		return st, fmt.Errorf("replay: %w", err)
	}
	m.CapturedAt = last.UTC()
	if !o.Until.IsZero() {
		m.CapturedAt = o.Until.UTC()
	}
	for i, e := range st.ApplyErrors {
		if i == maxApplyMissing {
			m.Missing = append(m.Missing, fmt.Sprintf("events: %d more writes could not be applied", len(st.ApplyErrors)-i))
			break
		}
		m.Missing = append(m.Missing, "events: "+e.Error())
	}
	if stats.Errors > 0 || stats.FilesFailed > 0 {
		m.Missing = append(m.Missing, fmt.Sprintf("events: %d input errors, %d files unreadable (see above)", stats.Errors, stats.FilesFailed))
	}
	m.Partial = m.Partial || len(st.ApplyErrors) > 0 || stats.Errors > 0 || stats.FilesFailed > 0
	return st, nil
}
