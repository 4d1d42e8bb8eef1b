package watch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultHealthMaxAge bounds how old the SQS consumer's last good receive
// may be: long polls end every 20s, so a minute and a half without one
// means it is stuck.
const DefaultHealthMaxAge = 90 * time.Second

// Health is how the SQS consumer or the Lambda handler is doing, as GET
// /healthz reports it: 200 while the last receive (or invocation)
// succeeded within MaxAge, 503 with the last error otherwise. Safe for
// concurrent use.
type Health struct {
	// MaxAge: a success older than this is stale (the consumer is stuck).
	// 0: never stale, for Lambda, whose invocations may be hours apart.
	MaxAge time.Duration
	Now    func() time.Time // default time.Now

	mu              sync.Mutex
	lastOK, lastBad time.Time
	lastErr         error
	failures        int // in a row
}

// Success records a receive (or invocation) that went through.
func (h *Health) Success() {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastOK, h.failures = h.now(), 0
}

// Failure records one that did not.
func (h *Health) Failure(err error) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastBad, h.lastErr = h.now(), err
	h.failures++
}

func (h *Health) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Status is the report: HTTP status and body.
func (h *Health) Status() (int, map[string]any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	body := map[string]any{}
	if !h.lastOK.IsZero() {
		body["last_success"] = h.lastOK.UTC().Format(time.RFC3339)
	}
	switch {
	case !h.lastBad.IsZero() && !h.lastBad.Before(h.lastOK):
		body["status"], body["error"], body["failures"] = "failing", h.lastErr.Error(), h.failures
		body["since"] = h.lastBad.UTC().Format(time.RFC3339)
		return http.StatusServiceUnavailable, body
	case h.lastOK.IsZero() && h.MaxAge > 0:
		body["status"] = "starting"
		return http.StatusServiceUnavailable, body
	case h.MaxAge > 0 && now.Sub(h.lastOK) > h.MaxAge:
		body["status"] = fmt.Sprintf("stale: no receive for %s", now.Sub(h.lastOK).Round(time.Second))
		return http.StatusServiceUnavailable, body
	}
	body["status"] = "ok"
	return http.StatusOK, body
}

// ServeHealth serves GET /healthz from h on addr until ctx ends. A
// host-less addr (":8081") binds loopback; onListen hears the address
// bound, after the bind.
func ServeHealth(ctx context.Context, addr string, h *Health, onListen func(net.Addr)) error {
	addr = LoopbackDefault(addr)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("watch: health listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(rw http.ResponseWriter, _ *http.Request) {
		status, body := h.Status()
		writeJSON(rw, status, body)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 10 * time.Second}
	if onListen != nil {
		onListen(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("watch: health: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	<-errc
	return nil
}
