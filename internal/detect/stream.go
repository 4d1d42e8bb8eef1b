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

// State serialises the windows and the model.
func (s *Stream) State() ([]byte, error) { return s.e.SaveState() }

// Restore loads what State wrote.
func (s *Stream) Restore(b []byte) error { return s.e.RestoreState(b) }
