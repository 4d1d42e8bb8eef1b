package sink

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
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
			rec := newRecorder(t, tc.statuses...)
			st := tempStore(t)
			secretURL := rec.srv.URL + "/hooks/T0/B0/very-secret-token"
			s := NewSender(NewWebhook("hook", secretURL, nil, nil), fastPolicy(tc.attempts), st)
			err := s.Deliver(context.Background(), testFinding(finding.High))
			if got := len(rec.requests()); got != tc.wantRequests {
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
			if len(dls) != 1 || dls[0].Sink != "hook" || dls[0].Attempts != tc.wantRequests || dls[0].FindingID != testFinding(0).ID {
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

func TestSenderHonoursRetryAfter(t *testing.T) {
	rec := newRecorder(t, 429, 200)
	rec.header.Set("Retry-After", "1")
	p := fastPolicy(3)
	p.MaxDelay = 3 * time.Second
	s := NewSender(NewWebhook("hook", rec.srv.URL, nil, nil), p, nil)
	if err := s.Deliver(context.Background(), testFinding(finding.High)); err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 900*time.Millisecond {
		t.Errorf("retried after %v, want >= 1s (Retry-After)", gap)
	}
}

func TestBackoff(t *testing.T) {
	p := Policy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	tests := []struct {
		attempt    int
		retryAfter time.Duration
		lo, hi     time.Duration
	}{
		{1, 0, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 0, 100 * time.Millisecond, 200 * time.Millisecond},
		{4, 0, 400 * time.Millisecond, 800 * time.Millisecond},
		{10, 0, 500 * time.Millisecond, time.Second}, // capped
		{60, 0, 500 * time.Millisecond, time.Second}, // no overflow
		{1, 700 * time.Millisecond, 700 * time.Millisecond, 700 * time.Millisecond},
		{1, time.Hour, time.Second, time.Second}, // Retry-After capped too
	}
	for _, tc := range tests {
		for i := 0; i < 50; i++ {
			if d := p.backoff().Delay(tc.attempt, tc.retryAfter); d < tc.lo || d > tc.hi {
				t.Fatalf("backoff(attempt %d, retryAfter %v) = %v, want in [%v, %v]", tc.attempt, tc.retryAfter, d, tc.lo, tc.hi)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"5":                             5 * time.Second,
		"-1":                            0,
		"soon":                          0,
		"Fri, 01 Aug 2025 00:00:30 GMT": 30 * time.Second,
		"Thu, 31 Jul 2025 00:00:30 GMT": 0, // in the past
	}
	for in, want := range tests {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestSenderMinSeverity(t *testing.T) {
	rec := newRecorder(t, 200)
	s := NewSender(NewWebhook("hook", rec.srv.URL, nil, nil), Policy{MinSeverity: finding.High}, nil)
	for _, sev := range []finding.Severity{finding.Info, finding.Low, finding.Medium, finding.High, finding.Critical} {
		if err := s.Deliver(context.Background(), testFinding(sev)); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(rec.requests()); got != 2 {
		t.Errorf("%d deliveries, want 2 (high and critical)", got)
	}
}

func TestSenderCancelledLeavesNoDeadLetter(t *testing.T) {
	rec := newRecorder(t, 503)
	st := tempStore(t)
	p := fastPolicy(10)
	p.BaseDelay, p.MaxDelay = time.Second, time.Second
	s := NewSender(NewWebhook("hook", rec.srv.URL, nil, nil), p, st)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := s.Deliver(ctx, testFinding(finding.High))
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
	p := fastPolicy(2)
	p.Timeout = 50 * time.Millisecond
	st := tempStore(t)
	start := time.Now()
	err := NewSender(NewWebhook("slow", slow.URL, nil, nil), p, st).Deliver(context.Background(), testFinding(finding.High))
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
	if dls, _ := st.DeadLetters(context.Background(), 0); len(dls) != 1 || dls[0].Attempts != 2 {
		t.Errorf("dead letters = %+v", dls)
	}
}

func TestGroupDeliversToEverySink(t *testing.T) {
	a, b := newRecorder(t, 200), newRecorder(t, 500)
	st := tempStore(t)
	g := Group{
		NewSender(NewWebhook("a", a.srv.URL, nil, nil), fastPolicy(2), st),
		NewSender(NewWebhook("b", b.srv.URL, nil, nil), fastPolicy(2), st),
	}
	fs := []finding.Finding{testFinding(finding.High), testFinding(finding.Low)}
	fs[1].ID = "pf-second"
	err := g.Deliver(context.Background(), fs)
	if err == nil {
		t.Error("want b's failures reported")
	}
	if len(a.requests()) != 2 || len(b.requests()) != 4 {
		t.Errorf("a got %d, b got %d requests; want 2 and 4", len(a.requests()), len(b.requests()))
	}
	if dls, _ := st.DeadLetters(context.Background(), 0); len(dls) != 2 {
		t.Errorf("%d dead letters, want 2 (b × 2 findings)", len(dls))
	}
}
