package sink_test

// Tests that end in a dead letter keep it in the real SQLite store.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/sink"
	"github.com/portcullis-sec/portcullis/internal/store"
)

func TestSenderRetriesThenDeadLetters(t *testing.T) {
	tests := []struct {
		name         string
		statuses     []int
		attempts     int
		wantRequests int
		wantErr      bool
	}{
		{"success first try", []int{200}, 4, 1, false},
		{"recovers after 5xx", []int{500, 502, 200}, 4, 3, false},
		{"408 and 429 are retried", []int{408, 429, 204}, 4, 3, false},
		{"gives up after attempts", []int{503}, 4, 4, true},
		{"400 is permanent", []int{400}, 4, 1, true},
		{"404 is permanent", []int{404, 200}, 4, 1, true},
		{"redirect is not followed", []int{302}, 4, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url, requests := sink.NewRecorder(t, tc.statuses...)
			st := tempStore(t)
			secretURL := url + "/hooks/T0/B0/very-secret-token"
			s := sink.NewSender(sink.NewWebhook("hook", secretURL, nil, nil), sink.FastPolicy(tc.attempts), st)
			err := s.Deliver(context.Background(), sink.TestFinding(finding.High))
			if got := requests(); got != tc.wantRequests {
				t.Errorf("%d requests, want %d", got, tc.wantRequests)
			}
			dls, _ := st.DeadLetters(context.Background(), 0)
			if !tc.wantErr {
				if err != nil || len(dls) != 0 {
					t.Fatalf("err = %v, dead letters %v", err, dls)
				}
				return
			}
			if err == nil {
				t.Fatal("want an error")
			}
			if len(dls) != 1 || dls[0].Sink != "hook" || dls[0].Attempts != tc.wantRequests || dls[0].FindingID != sink.TestFinding(0).ID {
				t.Fatalf("dead letters = %+v", dls)
			}
			for _, msg := range []string{err.Error(), dls[0].Error} {
				if strings.Contains(msg, "very-secret-token") {
					t.Errorf("secret leaked into error: %s", msg)
				}
			}
		})
	}
}

func TestSenderCancelledLeavesNoDeadLetter(t *testing.T) {
	url, _ := sink.NewRecorder(t, 503)
	st := tempStore(t)
	p := sink.FastPolicy(10)
	p.BaseDelay, p.MaxDelay = time.Second, time.Second
	s := sink.NewSender(sink.NewWebhook("hook", url, nil, nil), p, st)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := s.Deliver(ctx, sink.TestFinding(finding.High))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
	if dls, _ := st.DeadLetters(context.Background(), 0); len(dls) != 0 {
		t.Errorf("dead letter written on shutdown: %+v", dls)
	}
}

func TestSenderTimeoutPerAttempt(t *testing.T) {
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer slow.Close()
	defer close(block) // runs first: unblock handlers before Close waits for them
	p := sink.FastPolicy(2)
	p.Timeout = 50 * time.Millisecond
	st := tempStore(t)
	start := time.Now()
	err := sink.NewSender(sink.NewWebhook("slow", slow.URL, nil, nil), p, st).Deliver(context.Background(), sink.TestFinding(finding.High))
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
	if dls, _ := st.DeadLetters(context.Background(), 0); len(dls) != 1 || dls[0].Attempts != 2 {
		t.Errorf("dead letters = %+v", dls)
	}
}

func TestGroupDeliversToEverySink(t *testing.T) {
	aURL, aRequests := sink.NewRecorder(t, 200)
	bURL, bRequests := sink.NewRecorder(t, 500)
	st := tempStore(t)
	g := sink.Group{
		sink.NewSender(sink.NewWebhook("a", aURL, nil, nil), sink.FastPolicy(2), st),
		sink.NewSender(sink.NewWebhook("b", bURL, nil, nil), sink.FastPolicy(2), st),
	}
	fs := []finding.Finding{sink.TestFinding(finding.High), sink.TestFinding(finding.Low)}
	fs[1].ID = "pf-second"
	err := g.Deliver(context.Background(), fs)
	if err == nil {
		t.Error("want b's failures reported")
	}
	if aRequests() != 2 || bRequests() != 4 {
		t.Errorf("a got %d, b got %d requests; want 2 and 4", aRequests(), bRequests())
	}
	if dls, _ := st.DeadLetters(context.Background(), 0); len(dls) != 2 {
		t.Errorf("%d dead letters, want 2 (b × 2 findings)", len(dls))
	}
}

func TestNetworkErrorsAreRedactedAndRetried(t *testing.T) {
	st := tempStore(t)
	// Port 1 on loopback refuses connections.
	s := sink.NewSender(sink.NewSlack("slack", "http://127.0.0.1:1/services/T/B/NETSECRET", nil), sink.FastPolicy(2), st)
	err := s.Deliver(context.Background(), sink.TestFinding(finding.High))
	if err == nil {
		t.Fatal("want a connection error")
	}
	dls, _ := st.DeadLetters(context.Background(), 0)
	if len(dls) != 1 || dls[0].Attempts != 2 {
		t.Fatalf("dead letters %+v", dls)
	}
	for _, msg := range []string{err.Error(), dls[0].Error} {
		if strings.Contains(msg, "NETSECRET") || !strings.Contains(msg, "127.0.0.1") {
			t.Errorf("error = %q", msg)
		}
	}
	var perm sink.PermanentError
	if errors.As(err, &perm) {
		t.Error("network error classed permanent")
	}
}

func TestSNSPermanentErrorNotRetried(t *testing.T) {
	url, requests := sink.NewFakeSNS(t, "NotFound")
	st := tempStore(t)
	s := sink.NewSender(sink.NewSNS("sns", sink.TestTopic, sink.NewSNSClient(sink.TestAWSConfig(), "", url)), sink.FastPolicy(4), st)
	err := s.Deliver(context.Background(), sink.TestFinding(finding.High))
	if err == nil || !strings.Contains(err.Error(), "NotFound") {
		t.Fatalf("err = %v", err)
	}
	if n := requests(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	if dls, _ := st.DeadLetters(context.Background(), 0); len(dls) != 1 {
		t.Errorf("dead letters = %v", dls)
	}
}

func tempStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
