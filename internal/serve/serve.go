// Package serve is portcullis's web view: an HTTP server on loopback with
// the pages (embedded, no CDN, no build step) and the JSON API they use
// (/api/v1/...). It reads findings from a watch store or a hunt's output,
// effective access from a snapshot, and the reports of reconcile and
// posture; the only writes it makes are a finding's triage status.
//
// Every value shown comes from CloudTrail or a snapshot and is hostile:
// the pages build text nodes (never HTML from data), the Content Security
// Policy forbids inline script, and writes need a session cookie plus a
// per-session CSRF token and a same-origin request, or a bearer token.
package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/access"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/drift"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/posture"
	"github.com/portcullis-sec/portcullis/internal/store"
)

// DefaultListen is where serve binds unless told.
const DefaultListen = "127.0.0.1:8443"

// Source is one set of findings the pages can show.
type Source struct {
	Name     string       // "store" or "findings": the API's ?source=
	Label    string       // the file, for people
	Store    *store.Store // queried for every page
	Writable bool         // acknowledge / resolve allowed (a watch store, not a hunt file)
}

// Options is what the server shows and how it guards it.
type Options struct {
	Sources   []Source   // first is the default; may be empty
	Model     *idc.Model // effective access, containment plans; nil = not given
	ModelName string
	Config    *config.Config // nil = defaults
	Reconcile *drift.ReconcileReport
	Posture   *posture.Report
	// Token is the access token (exchanged at /login for a session cookie,
	// or sent as Authorization: Bearer).
	Token string
	// TLS marks cookies Secure. Loopback enables the Host check that stops
	// DNS rebinding (a hostile name resolving to 127.0.0.1).
	TLS, Loopback bool
	Now           func() time.Time
	Logf          func(format string, a ...any)
}

// Server serves one set of Options. Build it with New.
type Server struct {
	o     Options
	auth  *auth
	graph *access.Graph // nil without a model
}

// New checks the options and computes what the pages need up front.
func New(o Options) (*Server, error) {
	if len(o.Token) < 16 {
		return nil, errors.New("serve: the access token must be at least 16 characters")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	if o.Config == nil {
		o.Config = config.Default()
	}
	s := &Server{o: o, auth: newAuth(o.Token, o.TLS, o.Now)}
	if o.Model != nil {
		s.graph = access.Compute(o.Model)
	}
	return s, nil
}

// Handler is the whole site: pages, assets and API behind the security
// headers, the Host check and authentication.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", s.auth.loginPage)
	mux.HandleFunc("POST /login", s.auth.loginForm)
	mux.HandleFunc("POST /logout", s.auth.logout)
	mux.Handle("GET /assets/", assetHandler())
	mux.Handle("GET /{$}", s.auth.page(indexHandler()))

	api := http.NewServeMux()
	s.routes(api)
	mux.Handle("/api/", s.auth.api(api))
	return secureHeaders(s.hostCheck(mux))
}

// routes registers the JSON API (documented in the README).
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/session", s.session)
	mux.HandleFunc("GET /api/v1/findings", s.listFindings)
	mux.HandleFunc("GET /api/v1/findings/{id}", s.getFinding)
	mux.HandleFunc("GET /api/v1/findings/{id}/plan", s.plan)
	mux.HandleFunc("POST /api/v1/findings/{id}/ack", s.setStatus(store.StatusAcknowledged))
	mux.HandleFunc("POST /api/v1/findings/{id}/resolve", s.setStatus(store.StatusResolved))
	mux.HandleFunc("POST /api/v1/findings/{id}/reopen", s.setStatus(store.StatusOpen))
	mux.HandleFunc("GET /api/v1/histogram", s.histogram)
	mux.HandleFunc("GET /api/v1/timeline", s.timeline)
	mux.HandleFunc("GET /api/v1/rules", s.rules)
	mux.HandleFunc("GET /api/v1/access/search", s.accessSearch)
	mux.HandleFunc("GET /api/v1/access/graph", s.accessGraph)
	mux.HandleFunc("GET /api/v1/access/blast", s.accessBlast)
	mux.HandleFunc("GET /api/v1/reconcile", s.reconcile)
	mux.HandleFunc("GET /api/v1/posture", s.posture)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint: %s %s", r.Method, r.URL.Path)
	})
}

// hostCheck refuses requests for a host name other than a loopback one
// when bound to loopback: a page on evil.example whose name is made to
// resolve to 127.0.0.1 would otherwise be same-origin with us.
func (s *Server) hostCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.o.Loopback && !loopbackHost(r.Host) {
			writeError(w, http.StatusMisdirectedRequest, "host %q is not this server's loopback address", r.Host)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func loopbackHost(hostport string) bool {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		h = hostport
	}
	h = strings.Trim(h, "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// CheckListen refuses a non-loopback address without TLS: the token and
// the cookie would cross the network in clear. It reports whether the
// address is loopback.
func CheckListen(addr string, tlsGiven bool) (loopback bool, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("--listen %q: want HOST:PORT (e.g. %s): %w", addr, DefaultListen, err)
	}
	loopback = host != "" && loopbackHost(host)
	if !loopback && !tlsGiven {
		return false, fmt.Errorf("--listen %s is not a loopback address: give --tls-cert and --tls-key to serve it over TLS", addr)
	}
	return loopback, nil
}

// Timeouts and limits of the HTTP server.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 10 * time.Second
	maxHeaderBytes    = 64 << 10
)

// Serve answers on ln until ctx ends, then shuts down gracefully (open
// requests get shutdownTimeout to finish). With certFile and keyFile it
// speaks TLS 1.2+.
func (s *Server) Serve(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- srv.ServeTLS(ln, certFile, keyFile)
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// source picks the findings source a request names (?source=), or the
// first one.
func (s *Server) source(r *http.Request) (*Source, error) {
	if len(s.o.Sources) == 0 {
		return nil, errNoFindings
	}
	name := r.URL.Query().Get("source")
	if name == "" {
		return &s.o.Sources[0], nil
	}
	for i := range s.o.Sources {
		if s.o.Sources[i].Name == name {
			return &s.o.Sources[i], nil
		}
	}
	return nil, fmt.Errorf("unknown source %q", name)
}

var errNoFindings = errors.New("no findings given: start portcullis serve with --store FILE (a watch store) or --findings FILE (hunt output)")
