package detect

import (
	"context"
	"sort"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/finding"
)

// Stream adapts an Engine to a long-running detector (portcullis watch):
// batches of events in, findings out, state serialisable between batches.
type Stream struct{ e *Engine }

// Stream returns the engine's streaming face.
func (e *Engine) Stream() *Stream { return &Stream{e: e} }

// Detect processes a batch in time order (deliveries may arrive out of
// order within a batch).
func (s *Stream) Detect(ctx context.Context, evs []*cloudtrail.Event) ([]finding.Finding, error) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	var out []finding.Finding
	for _, ev := range evs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out = append(out, s.e.Process(ev)...)
	}
	return out, nil
}

// SaveState returns the state rows changed since the last save or
// restore, or all of them when full (Engine.SaveDelta).
func (s *Stream) SaveState(full bool) StateRows { return s.e.SaveDelta(full) }

// RestoreState replaces the state with saved rows (Engine.RestoreRows).
func (s *Stream) RestoreState(rows StateRows) error { return s.e.RestoreRows(rows) }
