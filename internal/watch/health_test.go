package watch

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestHealthStatus(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	now := t0
	cases := []struct {
		name   string
		maxAge time.Duration
		steps  func(h *Health)
		at     time.Duration // since t0, when asked
		code   int
		status string
	}{
		{"SQS before any receive", time.Minute, func(*Health) {}, 0, 503, "starting"},
		{"Lambda before any invocation", 0, func(*Health) {}, 0, 200, "ok"},
		{"receive succeeded", time.Minute, func(h *Health) { h.Success() }, 30 * time.Second, 200, "ok"},
		{"last receive failed", time.Minute, func(h *Health) { h.Success(); now = now.Add(time.Second); h.Failure(errors.New("sqs down")) }, 2 * time.Second, 503, "failing"},
		{"recovered", time.Minute, func(h *Health) { h.Failure(errors.New("x")); now = now.Add(time.Second); h.Success() }, 2 * time.Second, 200, "ok"},
		{"stale", time.Minute, func(h *Health) { h.Success() }, 2 * time.Minute, 503, "stale: no receive for 2m0s"},
		{"Lambda idle for hours", 0, func(h *Health) { h.Success() }, 5 * time.Hour, 200, "ok"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now = t0
			h := &Health{MaxAge: c.maxAge, Now: func() time.Time { return now }}
			c.steps(h)
			now = t0.Add(c.at)
			code, body := h.Status()
			if code != c.code || body["status"] != c.status {
				t.Errorf("got %d %v, want %d %q", code, body, c.code, c.status)
			}
			if code == http.StatusServiceUnavailable && body["status"] == "failing" && body["error"] == "" {
				t.Error("failing without the error")
			}
		})
	}
}
