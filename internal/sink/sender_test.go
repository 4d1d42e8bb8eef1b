package sink

import (
	"context"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

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
