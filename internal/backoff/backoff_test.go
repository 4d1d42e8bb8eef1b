package backoff

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	p := Policy{Base: 100 * time.Millisecond, Max: time.Second}
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
		{0, 0, 50 * time.Millisecond, 100 * time.Millisecond},
		{1, 700 * time.Millisecond, 700 * time.Millisecond, 700 * time.Millisecond},
		{4, 10 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}, // a shorter hint does not shorten
		{1, time.Hour, time.Second, time.Second},                                   // Retry-After capped too
	}
	for _, tc := range tests {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := p.Delay(tc.attempt, tc.retryAfter)
			if d < tc.lo || d > tc.hi {
				t.Fatalf("Delay(attempt %d, retryAfter %v) = %v, want in [%v, %v]", tc.attempt, tc.retryAfter, d, tc.lo, tc.hi)
			}
			seen[d] = true
		}
		if tc.lo != tc.hi && len(seen) < 10 {
			t.Errorf("Delay(attempt %d): only %d distinct values in 200 draws: no jitter", tc.attempt, len(seen))
		}
	}
	if d := (Policy{}).Delay(1, 0); d < 250*time.Millisecond || d > 500*time.Millisecond {
		t.Errorf("default first delay %v, want in [250ms, 500ms]", d)
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := (Policy{Base: time.Hour, Max: time.Hour}).Wait(ctx, 1, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait on a cancelled context = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Error("Wait slept past the context's end")
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep = %v", err)
	}
}
