//go:build cgo

package athenafake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Options shape the server's behaviour.
type Options struct {
	// Workgroups and their result locations; default {"primary":
	// "s3://aws-athena-query-results-fake/"}. A workgroup with "" has no
	// result location: queries need ResultConfiguration.OutputLocation.
	Workgroups map[string]string
	// QueuedPolls and RunningPolls are how many GetQueryExecution calls
	// see a query QUEUED, then RUNNING, before it runs (default 1 each).
	// RunningPolls < 0 keeps it RUNNING until stopped.
	QueuedPolls, RunningPolls int
	Account, Region           string // for ARNs in messages
}

// Server is a loopback Athena endpoint.
type Server struct {
	URL string
	db  *DB
	opt Options
	srv *httptest.Server

	mu       sync.Mutex
	queries  map[string]*query
	seq      int
	calls    []string
	throttle map[string][]string // op -> error codes for the next calls
	deny     map[string]bool
	failNext string
}

// NewServer starts a server over db. Close it when done.
func NewServer(db *DB, opt Options) *Server {
	if opt.Workgroups == nil {
		opt.Workgroups = map[string]string{"primary": "s3://aws-athena-query-results-fake/"}
	}
	if opt.QueuedPolls == 0 {
		opt.QueuedPolls = 1
	}
	if opt.RunningPolls == 0 {
		opt.RunningPolls = 1
	}
	if opt.Account == "" {
		opt.Account = "111111111111"
	}
	if opt.Region == "" {
		opt.Region = "us-east-1"
	}
	s := &Server{db: db, opt: opt, queries: map[string]*query{}, throttle: map[string][]string{}, deny: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Calls lists the operations received, in order.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// Throttle makes the next n calls of op fail with code
// (ThrottlingException or TooManyRequestsException), as a busy account does.
func (s *Server) Throttle(op string, n int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.throttle[op] = append(s.throttle[op], code)
	}
}

// Deny refuses op with AccessDeniedException, as IAM does.
func (s *Server) Deny(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny[op] = true
}

// FailNextQuery makes the next query FAILED with reason (say, an S3
// permission error on the trail).
func (s *Server) FailNextQuery(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = reason
}

// QueryState reports a query's state (tests).
func (s *Server) QueryState(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.queries[id]; q != nil {
		return q.state
	}
	return ""
}

// apiError is an error response of the JSON 1.1 protocol.
type apiError struct {
	status int
	body   map[string]any
}

func errInvalid(code, msg string) *apiError {
	return &apiError{400, map[string]any{"__type": "InvalidRequestException", "Message": msg, "AthenaErrorCode": code}}
}

func errType(typ, msg string) *apiError {
	return &apiError{400, map[string]any{"__type": typ, "Message": msg}}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AmazonAthena.")
	if r.Method != http.MethodPost || !ok {
		writeJSON(w, 400, map[string]any{"__type": "UnknownOperationException", "Message": "unknown target " + target})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeJSON(w, 400, map[string]any{"__type": "SerializationException", "Message": "want application/x-amz-json-1.1, got " + ct})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		writeJSON(w, 400, map[string]any{"__type": "MissingAuthenticationTokenException", "Message": "Missing Authentication Token"})
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSON(w, 400, map[string]any{"__type": "SerializationException", "Message": err.Error()})
		return
	}
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSON(w, 400, map[string]any{"__type": "SerializationException", "Message": err.Error()})
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, op)
	if codes := s.throttle[op]; len(codes) > 0 {
		s.throttle[op] = codes[1:]
		s.mu.Unlock()
		b := map[string]any{"__type": codes[0], "Message": "Rate exceeded"}
		if codes[0] == "TooManyRequestsException" {
			b["Reason"] = "CONCURRENT_QUERY_LIMIT_EXCEEDED"
			b["Message"] = "You have exceeded the limit for the number of queries you can run concurrently. Reduce the number of concurrent queries submitted by this account."
		}
		writeJSON(w, 400, b)
		return
	}
	denied := s.deny[op]
	s.mu.Unlock()
	if denied {
		writeJSON(w, 400, map[string]any{"__type": "AccessDeniedException", "Message": fmt.Sprintf(
			"User: arn:aws:iam::%s:user/hunter is not authorized to perform: athena:%s on resource: arn:aws:athena:%s:%s:workgroup/primary because no identity-based policy allows the athena:%s action",
			s.opt.Account, op, s.opt.Region, s.opt.Account, op)})
		return
	}
	var out any
	var aerr *apiError
	switch op {
	case "StartQueryExecution":
		out, aerr = s.start(in)
	case "GetQueryExecution":
		out, aerr = s.get(r, in)
	case "GetQueryResults":
		out, aerr = s.results(in)
	case "StopQueryExecution":
		out, aerr = s.stop(in)
	case "GetTableMetadata":
		out, aerr = s.tableMetadata(in)
	default:
		aerr = &apiError{400, map[string]any{"__type": "UnknownOperationException", "Message": "the fake does not implement " + op}}
	}
	if aerr != nil {
		writeJSON(w, aerr.status, aerr.body)
		return
	}
	writeJSON(w, 200, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-RequestId", fmt.Sprintf("%d", time.Now().UnixNano()))
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func str(in map[string]any, key string) string {
	s, _ := in[key].(string)
	return s
}

func obj(in map[string]any, key string) map[string]any {
	m, _ := in[key].(map[string]any)
	return m
}
