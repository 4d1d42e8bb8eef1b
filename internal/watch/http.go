package watch

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// Defaults of the HTTP endpoint.
const (
	DefaultSecretHeader = "X-Portcullis-Secret"
	SecretEnv           = "PORTCULLIS_WATCH_SECRET"
	DefaultMaxBodyBytes = 1 << 20
)

// HTTPOptions configure the EventBridge API-destination endpoint.
type HTTPOptions struct {
	SecretHeader   string // default DefaultSecretHeader (EventBridge connections let users pick it)
	Secret         []byte // required unless InsecureNoAuth
	InsecureNoAuth bool
	MaxBodyBytes   int64         // default 1 MiB; larger bodies get 413
	ShutdownGrace  time.Duration // default 10s
	// OnListen, when set, hears the address actually bound, once the bind
	// has succeeded (for a banner that says what is true).
	OnListen func(net.Addr)

	lookupIP func(context.Context, string) ([]net.IPAddr, error) // tests: a resolver
}

// LoadSecret reads the shared secret from a file when path is set, else
// from the PORTCULLIS_WATCH_SECRET environment variable. Surrounding
// whitespace is dropped. lookupEnv nil means os.LookupEnv.
func LoadSecret(path string, lookupEnv func(string) (string, bool)) ([]byte, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	var s string
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("secret file: %w", err)
		}
		if s = strings.TrimSpace(string(b)); s == "" {
			return nil, fmt.Errorf("secret file %s is empty", path)
		}
		return []byte(s), nil
	}
	v, _ := lookupEnv(SecretEnv)
	if s = strings.TrimSpace(v); s == "" {
		return nil, fmt.Errorf("no shared secret: set %s or --secret-file (or --insecure-no-auth to run without one)", SecretEnv)
	}
	return []byte(s), nil
}

// Handler returns the endpoint's routes: POST /events, GET /healthz.
func (w *Watcher) Handler(o HTTPOptions) (http.Handler, error) {
	if o.SecretHeader == "" {
		o.SecretHeader = DefaultSecretHeader
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if len(o.Secret) == 0 && !o.InsecureNoAuth {
		return nil, errors.New("watch: refusing to serve without a shared secret (use InsecureNoAuth to override)")
	}
	// Hashing first gives ConstantTimeCompare equal lengths, so neither the
	// secret's bytes nor its length leak through timing.
	want := sha256.Sum256(o.Secret)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(rw http.ResponseWriter, r *http.Request) {
		if _, err := w.st.Version(r.Context()); err != nil {
			writeJSON(rw, http.StatusServiceUnavailable, map[string]any{"status": "store unavailable"})
			return
		}
		writeJSON(rw, http.StatusOK, map[string]any{"status": "ok"})
	})
	mux.HandleFunc("/events", func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			rw.Header().Set("Allow", "POST")
			writeJSON(rw, http.StatusMethodNotAllowed, map[string]any{"error": "use POST"})
			return
		}
		if !o.InsecureNoAuth {
			got := sha256.Sum256([]byte(r.Header.Get(o.SecretHeader)))
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				writeJSON(rw, http.StatusUnauthorized, map[string]any{"error": "missing or wrong " + o.SecretHeader + " header"})
				return
			}
		}
		w.serveEvents(rw, r, o.MaxBodyBytes)
	})
	return mux, nil
}

func (w *Watcher) serveEvents(rw http.ResponseWriter, r *http.Request, limit int64) {
	tooBig := func() {
		writeJSON(rw, http.StatusRequestEntityTooLarge, map[string]any{"error": fmt.Sprintf("body larger than %d bytes", limit)})
	}
	if r.ContentLength > limit {
		tooBig()
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooBig()
			return
		}
		writeJSON(rw, http.StatusBadRequest, map[string]any{"error": "read body: " + err.Error()})
		return
	}
	evs, err := DecodeEvents(body, "request body")
	if err != nil {
		writeJSON(rw, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	res, err := w.Ingest(r.Context(), evs)
	if err != nil {
		w.log.Error("ingest", "remote", r.RemoteAddr, "events", len(evs), "err", err)
		// 5xx makes EventBridge retry; the commit did not happen.
		writeJSON(rw, http.StatusServiceUnavailable, map[string]any{"error": "could not store events; retry"})
		return
	}
	writeJSON(rw, http.StatusAccepted, map[string]any{"received": res.Received, "duplicates": res.Duplicates, "findings": res.Findings})
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	enc := json.NewEncoder(rw)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client may be gone; nothing to do then
}

// Serve runs the endpoint on ln until ctx ends, then shuts down gracefully:
// requests in flight finish (up to ShutdownGrace) and are committed.
func (w *Watcher) Serve(ctx context.Context, ln net.Listener, o HTTPOptions) error {
	h, err := w.Handler(o)
	if err != nil {
		ln.Close()
		return err
	}
	if o.InsecureNoAuth && !boundLoopback(ln.Addr()) {
		ln.Close()
		return errInsecure(fmt.Errorf("bound to %s", ln.Addr()))
	}
	if o.OnListen != nil {
		o.OnListen(ln.Addr())
	}
	grace := o.ShutdownGrace
	if grace <= 0 {
		grace = 10 * time.Second
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("watch: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("watch: shutdown: %w", err)
	}
	<-errc
	return nil
}

// ListenAndServe listens on addr (host:port) and calls Serve.
func (w *Watcher) ListenAndServe(ctx context.Context, addr string, o HTTPOptions) error {
	if _, err := w.Handler(o); err != nil { // refuse before binding
		return err
	}
	if o.InsecureNoAuth {
		if err := checkLoopback(ctx, addr, o.lookupIP); err != nil {
			return errInsecure(err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("watch: listen %s: %w", addr, err)
	}
	return w.Serve(ctx, ln, o)
}
