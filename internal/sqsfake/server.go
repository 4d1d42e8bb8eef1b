// Package sqsfake is a loopback SQS server that speaks the JSON protocol
// (awsJson1_0: POST /, X-Amz-Target: AmazonSQS.<Operation>,
// application/x-amz-json-1.0) which current AWS SDK for Go v2 SQS clients
// use. goaws, the usual local SQS, only speaks the older query/XML protocol,
// so the real SDK cannot talk to it.
//
// It implements the semantics the watcher relies on: CreateQueue,
// GetQueueUrl, GetQueueAttributes, SendMessage(Batch), ReceiveMessage with
// long polling (WaitTimeSeconds honoured), visibility timeouts, a new
// receipt handle per receive, DeleteMessage(Batch) (a stale handle succeeds
// without deleting, as on SQS), ChangeMessageVisibility(Batch), redelivery
// after the visibility timeout, and the ApproximateReceiveCount,
// SentTimestamp and ApproximateFirstReceiveTimestamp attributes.
package sqsfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// AccountID appears in queue URLs and ARNs.
const AccountID = "000000000000"

// MaxBodyBytes is SQS's message size limit.
const MaxBodyBytes = 256 << 10

// Server is the fake. The zero value is not usable; call New or Start.
type Server struct {
	mu       sync.Mutex
	base     string // scheme://host:port, for queue URLs
	queues   map[string]*queue
	calls    map[string]int
	failNext map[string]int
	now      func() time.Time

	httpSrv *http.Server
	ln      net.Listener
	done    chan struct{}
}

// New returns a server whose queue URLs start with base (set it to where
// the handler is served). Use it with httptest.NewServer or your own mux.
func New(base string) *Server {
	return &Server{base: strings.TrimRight(base, "/"), queues: map[string]*queue{},
		calls: map[string]int{}, failNext: map[string]int{}, now: time.Now, done: make(chan struct{})}
}

// Start serves on addr ("127.0.0.1:0" picks a free loopback port) until
// Close.
func Start(addr string) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sqsfake: listen %s: %w", addr, err)
	}
	s := New("http://" + ln.Addr().String())
	s.ln = ln
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.httpSrv.Serve(ln)
	return s, nil
}

// URL is the endpoint to give the SDK (BaseEndpoint).
func (s *Server) URL() string { return s.base }

// Close stops a server made by Start and ends pending long polls.
func (s *Server) Close() error {
	s.mu.Lock()
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.mu.Unlock()
	if s.httpSrv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.httpSrv.Shutdown(ctx)
}

// Calls reports how many requests an operation received.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// FailNext makes the next n calls of op answer 500 InternalError (to test
// client retries and crash handling).
func (s *Server) FailNext(op string, n int) {
	s.mu.Lock()
	s.failNext[op] += n
	s.mu.Unlock()
}

// apiError is an SQS error in the JSON protocol's shape.
type apiError struct {
	status      int
	code        string // the __type shape name
	queryCode   string // the legacy query code, for x-amzn-query-error
	senderFault bool
	msg         string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func errParam(format string, a ...any) *apiError {
	return &apiError{400, "InvalidParameterValue", "InvalidParameterValue", true, fmt.Sprintf(format, a...)}
}

func errNoQueue(url string) *apiError {
	return &apiError{400, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", true,
		"The specified queue does not exist for this wsdl version: " + url}
}

func writeError(w http.ResponseWriter, e *apiError) {
	fault := "Receiver"
	if e.senderFault {
		fault = "Sender"
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Query-Error", e.queryCode+";"+fault)
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + e.code, "message": e.msg})
}

// ServeHTTP dispatches on X-Amz-Target.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AmazonSQS.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, &apiError{400, "InvalidAction", "InvalidAction", true, fmt.Sprintf("unsupported request %s %s target %q (this fake speaks the SQS JSON protocol only)", r.Method, r.URL.Path, target)})
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.0") {
		writeError(w, &apiError{400, "InvalidParameterValue", "InvalidParameterValue", true, "content type " + ct + " is not application/x-amz-json-1.0"})
		return
	}
	s.mu.Lock()
	s.calls[op]++
	fail := s.failNext[op] > 0
	if fail {
		s.failNext[op]--
	}
	s.mu.Unlock()
	if fail {
		writeError(w, &apiError{500, "InternalError", "InternalError", false, "injected failure"})
		return
	}
	h, ok := s.ops()[op]
	if !ok {
		writeError(w, &apiError{400, "InvalidAction", "InvalidAction", true, "operation " + op + " is not implemented by sqsfake"})
		return
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 2<<20))
	out, err := h(r.Context(), dec)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{400, "InvalidParameterValue", "InvalidParameterValue", true, err.Error()}
		}
		writeError(w, ae)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-RequestId", randomID())
	json.NewEncoder(w).Encode(out)
}

type handler func(ctx context.Context, dec *json.Decoder) (any, error)

func (s *Server) ops() map[string]handler {
	return map[string]handler{
		"CreateQueue":                  s.createQueue,
		"GetQueueUrl":                  s.getQueueURL,
		"GetQueueAttributes":           s.getQueueAttributes,
		"SendMessage":                  s.sendMessage,
		"SendMessageBatch":             s.sendMessageBatch,
		"ReceiveMessage":               s.receiveMessage,
		"DeleteMessage":                s.deleteMessage,
		"DeleteMessageBatch":           s.deleteMessageBatch,
		"ChangeMessageVisibility":      s.changeVisibility,
		"ChangeMessageVisibilityBatch": s.changeVisibilityBatch,
		"PurgeQueue":                   s.purgeQueue,
	}
}

// decode reads the request body into v.
func decode(dec *json.Decoder, v any) error {
	if err := dec.Decode(v); err != nil {
		return &apiError{400, "SerializationException", "SerializationException", true, "bad JSON body: " + err.Error()}
	}
	return nil
}

// queueFor finds a queue by URL (the name is its last path segment). The
// caller holds s.mu.
func (s *Server) queueFor(url string) (*queue, error) {
	name := url[strings.LastIndexByte(url, '/')+1:]
	q, ok := s.queues[name]
	if !ok || url == "" {
		return nil, errNoQueue(url)
	}
	return q, nil
}
