package sink

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// BatchSink is a Sink that also delivers many findings in one call (Security
// Hub's BatchImportFindings). SendBatch returns one error per finding, in
// order: nil for delivered, the call's error for all when the whole call
// failed, or that finding's own failure.
type BatchSink interface {
	Sink
	MaxBatch() int
	SendBatch(ctx context.Context, fs []finding.Finding) []error
}

// DeliverBatch sends fs through a BatchSink in calls of at most MaxBatch,
// with the Sender's policy applied per finding: the findings whose failure
// is temporary (throttling, a server fault, a retryable per-finding code)
// are sent again after a backoff, the others dead-lettered at once; after
// the last attempt what is left is dead-lettered. It returns every
// failure joined, or ctx's error (then nothing is dead-lettered: the
// alerts are still pending).
func (s *Sender) DeliverBatch(ctx context.Context, fs []finding.Finding) error {
	bs, ok := s.sink.(BatchSink)
	if !ok {
		return fmt.Errorf("sink %s cannot deliver in batches", s.Name())
	}
	var pending []finding.Finding
	for _, f := range fs {
		if s.Wants(f) {
			pending = append(pending, f)
		}
	}
	p := s.policy
	n := max(bs.MaxBatch(), 1)
	var errs []error
	for attempt := 1; len(pending) > 0; attempt++ {
		var retry []finding.Finding
		var after time.Duration
		for start := 0; start < len(pending); start += n {
			chunk := pending[start:min(start+n, len(pending))]
			actx, cancel := context.WithTimeout(ctx, p.Timeout)
			res := bs.SendBatch(actx, chunk)
			cancel()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			for i, err := range res {
				if err == nil {
					continue
				}
				again, hint := classify(err)
				if again && attempt < p.Attempts {
					retry = append(retry, chunk[i])
					after = max(after, hint)
					continue
				}
				errs = append(errs, s.giveUp(ctx, chunk[i], attempt, err))
			}
		}
		pending = retry
		if len(pending) > 0 {
			if err := p.backoff().Wait(ctx, attempt, after); err != nil {
				return err
			}
		}
	}
	return errors.Join(errs...)
}

// giveUp dead-letters one finding and returns the error.
func (s *Sender) giveUp(ctx context.Context, f finding.Finding, attempts int, cause error) error {
	err := fmt.Errorf("sink %s: finding %s: gave up after %d attempt(s): %w", s.Name(), f.ID, attempts, cause)
	if s.dl != nil {
		dl := DeadLetter{Sink: s.Name(), FindingID: f.ID, Error: err.Error(), Attempts: attempts}
		if derr := s.dl.AddDeadLetter(context.WithoutCancel(ctx), dl); derr != nil {
			return errors.Join(err, derr)
		}
	}
	return err
}
