package sink

import "testing"

// What the external tests (package sink_test) use. They keep dead letters
// in the real SQLite store, and store imports sink for the DeadLetter
// type, so only an external test package can import both.

var (
	FastPolicy    = fastPolicy
	TestFinding   = testFinding
	TestAWSConfig = testAWSConfig
)

const TestTopic = testTopic

type PermanentError = permanent

// NewRecorder starts a scripted webhook server (see recorder) and returns
// its URL and a count of the requests it got.
func NewRecorder(t *testing.T, statuses ...int) (url string, requests func() int) {
	r := newRecorder(t, statuses...)
	return r.srv.URL, func() int { return len(r.requests()) }
}

// NewFakeSNS starts a fake SNS endpoint (see fakeSNS) and returns its URL
// and a count of the requests it got.
func NewFakeSNS(t *testing.T, errs ...string) (url string, requests func() int) {
	f := newFakeSNS(t, errs...)
	return f.srv.URL, func() int { return len(f.requests()) }
}
