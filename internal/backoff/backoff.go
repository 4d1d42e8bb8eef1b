// Package backoff is the one way portcullis waits between tries of
// something that failed or is not done yet: capped exponential backoff
// with jitter, a server's Retry-After hint, and context cancellation. The
// sinks, the SQS consumer and the containment poller use it; AWS SDK calls
// keep the SDK's own retryer.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy is capped exponential backoff. Zero fields take defaults.
type Policy struct {
	Base time.Duration // ceiling of the first delay; default 500ms
	Max  time.Duration // cap of every delay, Retry-After hints included; default 30s
}

func (p Policy) withDefaults() Policy {
	if p.Base <= 0 {
		p.Base = 500 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 30 * time.Second
	}
	return p
}

// Delay is how long to wait after the attempt-th failure (1-based). It is
// "equal jitter": with d = Base·2^(attempt-1), capped at Max, a random
// duration in [d/2, d], so retries spread out but never collapse to zero.
// A retry-after hint (a server's Retry-After) wins when it asks for
// longer, up to Max.
func (p Policy) Delay(attempt int, retryAfter time.Duration) time.Duration {
	p = p.withDefaults()
	d := p.Base << min(max(attempt-1, 0), 20)
	if d <= 0 || d > p.Max {
		d = p.Max
	}
	d = d/2 + rand.N(d/2+1)
	if retryAfter > d {
		d = min(retryAfter, p.Max)
	}
	return d
}

// Wait sleeps Delay(attempt, retryAfter), or returns ctx's error as soon
// as ctx ends.
func (p Policy) Wait(ctx context.Context, attempt int, retryAfter time.Duration) error {
	return Sleep(ctx, p.Delay(attempt, retryAfter))
}

// Sleep waits d, or returns ctx's error as soon as ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
