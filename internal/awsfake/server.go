// Package awsfake is a loopback AWS endpoint for tests: it speaks the real
// JSON 1.1 wire protocol of sso-admin, identitystore and organizations
// (POST /, X-Amz-Target, application/x-amz-json-1.1, __type errors, opaque
// NextToken paging) from an in-memory state seeded with an *idc.Model.
// Real SDK clients point at it with BaseEndpoint; hooks inject throttling and
// failures, and every call is logged so tests can assert what was asked.
package awsfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Service names as they appear in Call.Service.
const (
	SSOAdmin      = "sso-admin"
	IdentityStore = "identitystore"
	Organizations = "organizations"
	CloudTrail    = "cloudtrail"
)

// targetPrefix maps the X-Amz-Target prefix to a service.
func targetPrefix(prefix string) (string, bool) {
	switch prefix {
	case "SWBExternalService":
		return SSOAdmin, true
	case "AWSIdentityStore":
		return IdentityStore, true
	case "AWSOrganizationsV20161128":
		return Organizations, true
	case "CloudTrail_20131101", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101":
		return CloudTrail, true
	}
	return "", false
}

// Call is one request the server answered.
type Call struct {
	Service   string          `json:"service"`
	Operation string          `json:"operation"`
	Input     json.RawMessage `json:"input"`
	UserAgent string          `json:"user_agent"`
	Status    int             `json:"status"`
	Error     string          `json:"error,omitempty"`  // error code answered, "" on success
	Region    string          `json:"region,omitempty"` // from the SigV4 credential scope
}

// Param returns a top-level string member of the request ("AccountId").
func (c Call) Param(name string) string {
	var m map[string]any
	if json.Unmarshal(c.Input, &m) != nil {
		return ""
	}
	s, _ := m[name].(string)
	return s
}

// Action is the IAM action the call needs, e.g. "sso:ListInstances".
func (c Call) Action() string {
	prefix := c.Service
	if c.Service == SSOAdmin {
		prefix = "sso"
	}
	return prefix + ":" + c.Operation
}

// Option configures a Server.
type Option func(*Server)

// WithLatency delays every answer by d (outside the server lock), so
// concurrent clients overlap and MaxInFlight shows how many did.
func WithLatency(d time.Duration) Option {
	return func(s *Server) { s.latency = d }
}

// Server is a running fake. All methods are safe for concurrent use.
type Server struct {
	URL string

	ts      *httptest.Server
	routes  map[string]map[string]handler
	latency time.Duration

	inFlight, maxInFlight atomic.Int64

	mu           sync.Mutex
	st           *state
	throttle     map[string]int
	fails        []failRule
	calls        []Call
	asyncPending int
	reqSeq       int
	misbehave    map[string]*misbehaviour
	history      history // CloudTrail's event history (cloudtrail.go)
}

type failRule struct {
	op, code string
	match    func(Call) bool
}

// New starts a server on loopback seeded with a copy of m. Assignments in
// accounts missing from ProvisionedTo count as provisioned (as in AWS,
// where an assignment provisions its permission set).
func New(m *idc.Model, opts ...Option) *Server {
	s := &Server{
		routes:   routes(),
		st:       newState(m),
		throttle: map[string]int{},
	}
	for _, o := range opts {
		o(s)
	}
	s.ts = httptest.NewServer(s)
	s.URL = s.ts.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.ts.Close() }

// Config is an aws.Config for this server: static credentials, region
// us-east-1, BaseEndpoint = URL, and the standard retryer with a 1ms
// backoff cap so throttling hooks do not slow tests. Build any of the
// three clients from it (ssoadmin.NewFromConfig(s.Config())).
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDAWSFAKE", "awsfake-secret", ""),
		BaseEndpoint: aws.String(s.URL),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxBackoff = time.Millisecond
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// ThrottleFirst makes the next n calls of op fail with the service's
// throttling error (ThrottlingException; TooManyRequestsException for
// organizations).
func (s *Server) ThrottleFirst(op string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle[op] = n
}

// FailAlways makes every call of op fail with the error code given.
func (s *Server) FailAlways(op, code string) { s.FailWhen(op, code, nil) }

// FailWhen makes calls of op for which match returns true fail with code;
// a nil match fails every call. The first matching rule wins. match runs
// with the server lock held, so it must not call the Server's methods.
func (s *Server) FailWhen(op, code string, match func(Call) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = append(s.fails, failRule{op: op, code: code, match: match})
}

// AsyncPending sets how many Describe*Status calls answer IN_PROGRESS before
// an asynchronous request reports its outcome (default 0). The state change
// itself is applied when the request is accepted.
func (s *Server) AsyncPending(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asyncPending = n
}

// Calls returns the call log in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the logged calls of one operation.
func (s *Server) CallsTo(op string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Operation == op {
			out = append(out, c)
		}
	}
	return out
}

// ResetCalls clears the call log.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// MaxInFlight is the most requests the server was answering at once.
func (s *Server) MaxInFlight() int { return int(s.maxInFlight.Load()) }

// Model returns a copy of the current state, writes included.
func (s *Server) Model() *idc.Model {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.model()
}

const maxBody = 1 << 20

// ServeHTTP answers one JSON 1.1 request and logs it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for m := s.maxInFlight.Load(); n > m && !s.maxInFlight.CompareAndSwap(m, n); m = s.maxInFlight.Load() {
	}
	if s.latency > 0 {
		time.Sleep(s.latency)
	}
	call := Call{UserAgent: r.Header.Get("User-Agent"), Region: sigV4Region(r.Header.Get("Authorization"))}
	// The operation follows the last dot: CloudTrail's prefix has dots.
	prefix, op := splitTarget(r.Header.Get("X-Amz-Target"))
	svc, known := targetPrefix(prefix)
	call.Service, call.Operation = svc, op
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))

	s.mu.Lock()
	defer s.mu.Unlock()
	var (
		out  any
		aerr *apiError
	)
	switch {
	case err != nil || len(body) > maxBody:
		aerr = &apiError{code: "SerializationException", msg: "request body unreadable or too large"}
	case r.Method != http.MethodPost || r.URL.Path != "/":
		aerr = &apiError{code: "UnknownOperationException", msg: "only POST / is served"}
	case !known || s.routes[svc][op] == nil:
		aerr = &apiError{code: "UnknownOperationException", msg: fmt.Sprintf("unknown target %q", r.Header.Get("X-Amz-Target"))}
	case r.Header.Get("Content-Type") != "application/x-amz-json-1.1":
		aerr = &apiError{code: "SerializationException", msg: "Content-Type must be application/x-amz-json-1.1"}
	case !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 "):
		aerr = &apiError{code: "MissingAuthenticationTokenException", msg: "request is not signed with SigV4"}
	case !json.Valid(body) || !strings.HasPrefix(strings.TrimSpace(string(body)), "{"):
		aerr = &apiError{code: "SerializationException", msg: "body is not a JSON object"}
	}
	if aerr == nil {
		call.Input = json.RawMessage(body)
		aerr = s.injected(call)
	}
	var mb *misbehaviour
	if aerr == nil {
		body, mb = s.misbehaving(op, body)
		s.history.region = call.Region
		out, aerr = s.routes[svc][op](s, body)
	}
	if aerr == nil && mb != nil {
		out = mb.apply(out)
	}
	s.reqSeq++
	reqID := fmt.Sprintf("%08x-0000-4000-8000-%012x", s.reqSeq, s.reqSeq)
	if aerr != nil {
		call.Status = aerr.status(svc)
		call.Error = aerr.code
		s.calls = append(s.calls, call)
		writeJSON(w, reqID, call.Status, map[string]string{"__type": aerr.code, "Message": aerr.msg})
		return
	}
	call.Status = http.StatusOK
	s.calls = append(s.calls, call)
	writeJSON(w, reqID, http.StatusOK, out)
}

// injected applies the throttle and failure hooks. Called with mu held.
func (s *Server) injected(c Call) *apiError {
	if s.throttle[c.Operation] > 0 {
		s.throttle[c.Operation]--
		if c.Service == Organizations {
			return &apiError{code: "TooManyRequestsException", msg: "AWS Organizations can't complete your request because another request is already in progress or rate exceeded"}
		}
		return &apiError{code: "ThrottlingException", msg: "Rate exceeded"}
	}
	for _, f := range s.fails {
		if f.op == c.Operation && (f.match == nil || f.match(c)) {
			return &apiError{code: f.code, msg: "injected failure"}
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, reqID string, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"InternalServerException","Message":"encode response"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", reqID)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
