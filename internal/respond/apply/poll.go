package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/portcullis-sec/portcullis/internal/backoff"
	"github.com/portcullis-sec/portcullis/internal/respond"
)

// errRequestFailed is an asynchronous request that reported FAILED: a
// resume must send the call again rather than poll the same request.
var errRequestFailed = errors.New("request failed")

// wait polls the step's status operation with jittered exponential backoff
// until SUCCEEDED, FAILED or the timeout.
func (r *run) wait(ctx context.Context, s *respond.Step, requestID string) error {
	if requestID == "" {
		return errors.New("the call returned no request id to wait on")
	}
	w := s.Wait
	deadline := r.opts.Clock().Add(r.opts.PollTimeout)
	// Jitter spreads the polls: Identity Center APIs share a low rate limit.
	pause := backoff.Policy{Base: r.opts.PollInterval, Max: r.opts.PollMaxInterval}
	for attempt := 1; ; attempt++ {
		params := maps.Clone(w.Params)
		params[w.RequestParam] = requestID
		out, err := r.call(ctx, s.ID, "poll", respond.Call{Service: w.Service, Operation: w.Operation, Params: params})
		if err != nil {
			return err
		}
		switch status := out["Status"]; status {
		case "SUCCEEDED":
			return nil
		case "FAILED":
			r.st.step(s.ID).Status = statusFailed
			reason := out["FailureReason"]
			if reason == "" {
				reason = "no reason given"
			}
			return fmt.Errorf("%w: %s reports FAILED for request %s: %s", errRequestFailed, w.Operation, requestID, reason)
		case "IN_PROGRESS", "":
		default:
			return fmt.Errorf("%s answered unknown status %q for request %s", w.Operation, status, requestID)
		}
		d := pause.Delay(attempt, 0)
		if !r.opts.Clock().Add(d).Before(deadline) {
			return fmt.Errorf("request %s still IN_PROGRESS after %d polls (%s): run again with the same state file to keep waiting", requestID, attempt, r.opts.PollTimeout)
		}
		if err := backoff.Sleep(ctx, d); err != nil {
			return fmt.Errorf("waiting for request %s: %w", requestID, err)
		}
	}
}
