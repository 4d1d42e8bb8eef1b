package watch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/store"
)

const testSecret = "s3cr3t-shared-with-eventbridge"

func newHTTP(t *testing.T, o HTTPOptions) (*httptest.Server, *store.Store) {
	t.Helper()
	st := openStore(t, "")
	w := newWatcher(t, st, newTestDetector(), nil)
	h, err := w.Handler(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, st
}

func post(t *testing.T, url string, hdr map[string]string, body io.Reader) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, body)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestHTTPEvents(t *testing.T) {
	fixture, err := os.ReadFile("testdata/eventbridge-create-account-assignment.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, st := newHTTP(t, HTTPOptions{Secret: []byte(testSecret), MaxBodyBytes: 64 << 10})
	auth := map[string]string{DefaultSecretHeader: testSecret, "Content-Type": "application/json"}
	arr := "[" + string(writeEvent(t, "h2", attacker, baseTime)) + "," + string(writeEvent(t, "h3", attacker, baseTime.Add(time.Hour))) + "]"
	tests := []struct {
		name      string
		hdr       map[string]string
		body      string
		status    int
		errSubstr string
		received  float64
		findings  float64
	}{
		{name: "no secret", hdr: map[string]string{}, body: string(fixture), status: 401, errSubstr: DefaultSecretHeader},
		{name: "wrong secret", hdr: map[string]string{DefaultSecretHeader: testSecret + "x"}, body: string(fixture), status: 401},
		{name: "secret in wrong header", hdr: map[string]string{"Authorization": testSecret}, body: string(fixture), status: 401},
		{name: "one event", hdr: auth, body: string(fixture), status: 202, received: 1, findings: 1},
		{name: "same event again", hdr: auth, body: string(fixture), status: 202, received: 1, findings: 0},
		{name: "array of events", hdr: auth, body: arr, status: 202, received: 2, findings: 2},
		{name: "json lines", hdr: auth, body: string(writeEvent(t, "h4", attacker, baseTime.Add(2*time.Hour))) + "\n" + string(writeEvent(t, "h5", attacker, baseTime.Add(3*time.Hour))), status: 202, received: 2, findings: 2},
		{name: "empty body", hdr: auth, body: "", status: 400, errSubstr: "empty body"},
		{name: "bad json", hdr: auth, body: `{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":`, status: 400, errSubstr: "record 0"},
		{name: "second record bad", hdr: auth, body: "[" + string(writeEvent(t, "h6", attacker, baseTime)) + `,{"detail-type":"x","detail":{"eventSource":42}}]`, status: 400, errSubstr: "field eventSource"},
		{name: "not cloudtrail", hdr: auth, body: `{"detail-type":"Scheduled Event","source":"aws.events","detail":{}}`, status: 400, errSubstr: "not a CloudTrail record"},
		{name: "oversized", hdr: auth, body: `[` + strings.Repeat(" ", 70<<10) + `]`, status: 413},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, out := post(t, srv.URL+"/events", tc.hdr, strings.NewReader(tc.body))
			if status != tc.status {
				t.Fatalf("status %d, want %d (%v)", status, tc.status, out)
			}
			if tc.errSubstr != "" && !strings.Contains(fmt.Sprint(out["error"]), tc.errSubstr) {
				t.Errorf("error %q lacks %q", out["error"], tc.errSubstr)
			}
			if status == 202 && (out["received"] != tc.received || out["findings"] != tc.findings) {
				t.Errorf("response %v, want received %v findings %v", out, tc.received, tc.findings)
			}
		})
	}
	rs, _ := st.ListFindings(context.Background(), store.Filter{})
	if len(rs) != 5 { // fixture, h2..h5 (h6's batch was refused whole)
		t.Errorf("%d findings stored, want 5", len(rs))
	}
	if seen, _ := st.Seen(context.Background(), "ev:h6"); seen {
		t.Error("a refused batch was partly processed")
	}
}

// A body without Content-Length (chunked) is cut at the limit too.
func TestHTTPChunkedOversize(t *testing.T) {
	srv, _ := newHTTP(t, HTTPOptions{Secret: []byte(testSecret), MaxBodyBytes: 1024})
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("["))
		pw.Write(bytes.Repeat([]byte(" "), 4096))
		pw.Write([]byte("]"))
		pw.Close()
	}()
	status, _ := post(t, srv.URL+"/events", map[string]string{DefaultSecretHeader: testSecret}, pr)
	if status != 413 {
		t.Errorf("status %d, want 413", status)
	}
}

func TestHTTPCustomHeaderAndNoAuth(t *testing.T) {
	srv, _ := newHTTP(t, HTTPOptions{Secret: []byte(testSecret), SecretHeader: "X-Api-Key"})
	body := writeEvent(t, "c1", attacker, baseTime)
	if st, _ := post(t, srv.URL+"/events", map[string]string{DefaultSecretHeader: testSecret}, bytes.NewReader(body)); st != 401 {
		t.Errorf("default header accepted when a custom one is set: %d", st)
	}
	if st, _ := post(t, srv.URL+"/events", map[string]string{"x-api-key": testSecret}, bytes.NewReader(body)); st != 202 {
		t.Errorf("custom header: %d", st)
	}
	open, _ := newHTTP(t, HTTPOptions{InsecureNoAuth: true})
	if st, _ := post(t, open.URL+"/events", nil, bytes.NewReader(body)); st != 202 {
		t.Errorf("insecure-no-auth: %d", st)
	}
	w := newWatcher(t, openStore(t, ""), newTestDetector(), nil)
	if _, err := w.Handler(HTTPOptions{}); err == nil {
		t.Error("Handler without secret succeeded")
	}
	if err := w.ListenAndServe(context.Background(), "127.0.0.1:0", HTTPOptions{}); err == nil {
		t.Error("ListenAndServe without secret succeeded")
	}
}

func TestHTTPHealthzAndMethods(t *testing.T) {
	srv, _ := newHTTP(t, HTTPOptions{Secret: []byte(testSecret)})
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz %d", resp.StatusCode)
	}
	resp, _ = http.Get(srv.URL + "/events")
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("GET /events = %d, want 405", resp.StatusCode)
	}
	resp, _ = http.Get(srv.URL + "/nope")
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET /nope = %d, want 404", resp.StatusCode)
	}
}

// Cancelling Serve's context lets a request in flight finish (and commit),
// then Serve returns and the port is closed.
func TestServeGracefulShutdown(t *testing.T) {
	st := openStore(t, "")
	det := &slowDetector{testDetector: newTestDetector(), started: make(chan struct{}), release: make(chan struct{})}
	w := newWatcher(t, st, det, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- w.Serve(ctx, ln, HTTPOptions{Secret: []byte(testSecret), ShutdownGrace: 5 * time.Second})
	}()
	url := "http://" + ln.Addr().String()
	status := make(chan int, 1)
	go func() {
		st, _ := post(t, url+"/events", map[string]string{DefaultSecretHeader: testSecret}, bytes.NewReader(writeEvent(t, "g1", attacker, baseTime)))
		status <- st
	}()
	<-det.started
	cancel()
	time.Sleep(100 * time.Millisecond) // shutdown has begun; the request is still in Detect
	close(det.release)
	if s := <-status; s != 202 {
		t.Errorf("in-flight request got %d, want 202", s)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if seen, _ := st.Seen(context.Background(), "ev:g1"); !seen {
		t.Error("in-flight event not committed")
	}
	// Ask the listener itself, not the port: another test process may have
	// bound the freed port by now.
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(time.Second)) // an open listener times out
	if c, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		if c != nil {
			c.Close()
		}
		t.Errorf("still listening after shutdown (Accept: %v)", err)
	}
}

type slowDetector struct {
	*testDetector
	started, release chan struct{}
}

func (d *slowDetector) Detect(ctx context.Context, evs []*cloudtrail.Event) ([]finding.Finding, error) {
	close(d.started)
	<-d.release
	return d.testDetector.Detect(ctx, evs)
}

func TestLoadSecret(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	os.WriteFile(file, []byte("  from-file\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "blank"), []byte("\n"), 0o600)
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) { return v, k == SecretEnv && v != "" }
	}
	tests := []struct {
		name, path, env, want string
		wantErr               bool
	}{
		{name: "file wins", path: file, env: "from-env", want: "from-file"},
		{name: "env", env: " from-env ", want: "from-env"},
		{name: "none", wantErr: true},
		{name: "missing file", path: filepath.Join(dir, "nope"), wantErr: true},
		{name: "blank file", path: filepath.Join(dir, "blank"), wantErr: true},
	}
	for _, tc := range tests {
		got, err := LoadSecret(tc.path, env(tc.env))
		if (err != nil) != tc.wantErr || string(got) != tc.want {
			t.Errorf("%s: LoadSecret = %q, %v", tc.name, got, err)
		}
	}
}
