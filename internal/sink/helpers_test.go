package sink

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// fastPolicy keeps retry tests quick.
func fastPolicy(attempts int) Policy {
	return Policy{Attempts: attempts, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, Timeout: 2 * time.Second}
}

func testFinding(sev finding.Severity) finding.Finding {
	at := time.Date(2025, 8, 1, 9, 30, 0, 0, time.UTC)
	return finding.Finding{
		Schema: finding.Schema, ID: finding.StableID("idc.assignment.sensitive-account", "evt-1"),
		Rule: "idc.assignment.sensitive-account", Title: "Permission set assigned on a sensitive account",
		Severity: sev, Time: at,
		Actor:   finding.Actor{ARN: "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/mallory", Type: "AssumedRole", Name: "mallory"},
		Account: "111111111111", Region: "us-east-1",
		Targets: finding.Targets{AccountID: "222222222222", PermissionSetName: "AdministratorAccess",
			PermissionSetARN: "arn:aws:sso:::permissionSet/ssoins-1/ps-1", PrincipalType: "USER", PrincipalID: "u-1"},
		Events:  []finding.EventRef{{EventID: "evt-1", EventName: "CreateAccountAssignment", EventSource: "sso.amazonaws.com", Time: at}},
		Summary: "mallory assigned AdministratorAccess to user u-1 on 222222222222 <prod>",
		Attack:  []string{"T1098.003"}, Remediation: "Delete the assignment & review the actor.",
	}
}

// recorder is a loopback HTTP server that answers from a script of status
// codes (the last repeats) and keeps every request.
type recorder struct {
	mu       sync.Mutex
	reqs     []recorded
	statuses []int
	header   http.Header // extra response headers
	srv      *httptest.Server
}

type recorded struct {
	Path   string
	Header http.Header
	Body   []byte
	At     time.Time
}

func newRecorder(t *testing.T, statuses ...int) *recorder {
	r := &recorder{statuses: statuses, header: http.Header{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{Path: req.URL.Path, Header: req.Header.Clone(), Body: b, At: time.Now()})
		n := len(r.reqs)
		st := http.StatusOK
		if len(r.statuses) > 0 {
			st = r.statuses[min(n-1, len(r.statuses)-1)]
		}
		for k, v := range r.header {
			w.Header()[k] = v
		}
		r.mu.Unlock()
		w.WriteHeader(st)
		io.WriteString(w, http.StatusText(st))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}
