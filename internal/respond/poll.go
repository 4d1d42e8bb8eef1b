package respond

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"regexp"
	"time"
)

// errRequestFailed is an asynchronous request that reported FAILED: a
// resume must send the call again rather than poll the same request.
var errRequestFailed = errors.New("request failed")

// wait polls the step's status operation with jittered exponential backoff
// until SUCCEEDED, FAILED or the timeout.
func (r *run) wait(ctx context.Context, s *Step, requestID string) error {
	if requestID == "" {
		return errors.New("the call returned no request id to wait on")
	}
	w := s.Wait
	deadline := r.opts.Clock().Add(r.opts.PollTimeout)
	delay := r.opts.PollInterval
	for attempt := 1; ; attempt++ {
		params := maps.Clone(w.Params)
		params[w.RequestParam] = requestID
		out, err := r.call(ctx, s.ID, "poll", Call{Service: w.Service, Operation: w.Operation, Params: params})
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
		if !r.opts.Clock().Add(delay).Before(deadline) {
			return fmt.Errorf("request %s still IN_PROGRESS after %d polls (%s): run again with the same state file to keep waiting", requestID, attempt, r.opts.PollTimeout)
		}
		// Jitter spreads retries: Identity Center APIs share a low rate limit.
		d := time.Duration(float64(delay) * (0.8 + 0.4*rand.Float64()))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("waiting for request %s: %w", requestID, ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, r.opts.PollMaxInterval)
	}
}

// auditRecord is one line of the audit log.
type auditRecord struct {
	Time      time.Time         `json:"time"`
	Plan      string            `json:"plan"`
	Step      string            `json:"step,omitempty"`
	Event     string            `json:"event"` // confirm, call, read, poll, result, skip, manual, dry-run, note, done, failed, aborted, finish
	Service   string            `json:"service,omitempty"`
	Operation string            `json:"operation,omitempty"`
	Params    map[string]any    `json:"params,omitempty"`
	Output    map[string]string `json:"output,omitempty"`
	Error     string            `json:"error,omitempty"`
	Message   string            `json:"message,omitempty"`
}

type auditLog struct {
	w     io.Writer
	plan  string
	clock func() time.Time
}

// write appends one JSON line. A log that cannot be written stops the run:
// no call goes unrecorded.
func (a *auditLog) write(rec auditRecord) error {
	rec.Time = a.clock().UTC()
	rec.Plan = a.plan
	rec.Params = redactParams(rec.Params)
	rec.Output = redactOutput(rec.Output)
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if _, err := a.w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

// Nothing a plan sends is a secret, but a key that names one is masked
// anyway, so a future operation cannot leak a token into the log.
var secretKey = regexp.MustCompile(`(?i)(secret|password|credential|bearer|token$|accesskey|sessiontoken)`)

func redactParams(p map[string]any) map[string]any {
	if p == nil {
		return nil
	}
	out := make(map[string]any, len(p))
	for k, v := range p {
		if secretKey.MatchString(k) {
			v = "REDACTED"
		}
		out[k] = v
	}
	return out
}

func redactOutput(o map[string]string) map[string]string {
	if o == nil {
		return nil
	}
	out := make(map[string]string, len(o))
	for k, v := range o {
		if secretKey.MatchString(k) {
			v = "REDACTED"
		}
		out[k] = v
	}
	return out
}
