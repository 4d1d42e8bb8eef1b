package apply

import (
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

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
	b, err := finding.JSON(rec)
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
