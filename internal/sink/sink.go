// Package sink delivers findings to where people see them: stdout (JSON
// lines), a generic webhook (optionally HMAC-signed), Slack, PagerDuty
// Events v2, SNS and Security Hub (ASFF, in batches). A Sink makes one attempt; a Sender wraps it with the
// policy every sink shares: minimum severity, per-attempt timeout, retries
// with jittered exponential backoff (honouring Retry-After), and a dead
// letter in the store once it gives up.
package sink

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/portcullis-sec/portcullis/internal/backoff"
	"github.com/portcullis-sec/portcullis/internal/finding"
)

// Sink delivers one finding in one attempt. Errors must not contain secrets.
type Sink interface {
	Name() string
	Send(ctx context.Context, f finding.Finding) error
}

// DeadLetter is an alert a sink failed to deliver after all retries.
// Sink defines it and whoever keeps dead letters (the SQLite store of
// `watch`) stores it, so delivery never depends on persistence.
type DeadLetter struct {
	ID        int64     `json:"id"` // set by the store that keeps it
	Sink      string    `json:"sink"`
	FindingID string    `json:"finding_id"`
	Error     string    `json:"error"`
	Attempts  int       `json:"attempts"`
	Time      time.Time `json:"time"`
}

// DeadLetterer records deliveries that failed for good; *store.Store is one.
type DeadLetterer interface {
	AddDeadLetter(ctx context.Context, d DeadLetter) error
}

// Policy is the delivery policy of one sink. Zero fields take defaults.
type Policy struct {
	MinSeverity finding.Severity
	Attempts    int           // total tries, default 5
	Timeout     time.Duration // per attempt, default 10s
	BaseDelay   time.Duration // first backoff (see package backoff), default 500ms
	MaxDelay    time.Duration // backoff (and Retry-After) cap, default 30s
}

func (p Policy) withDefaults() Policy {
	if p.Attempts <= 0 {
		p.Attempts = 5
	}
	if p.Timeout <= 0 {
		p.Timeout = 10 * time.Second
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	return p
}

// Sender is a Sink with its delivery policy. Safe for concurrent use if the
// Sink is.
type Sender struct {
	sink   Sink
	policy Policy
	dl     DeadLetterer
}

// NewSender wraps s; dl may be nil (failures are then only returned).
func NewSender(s Sink, p Policy, dl DeadLetterer) *Sender {
	return &Sender{sink: s, policy: p.withDefaults(), dl: dl}
}

// Name is the sink's name.
func (s *Sender) Name() string { return s.sink.Name() }

// Policy is the effective policy (defaults filled in).
func (s *Sender) Policy() Policy { return s.policy }

// Wants reports whether the finding meets the sink's minimum severity.
func (s *Sender) Wants(f finding.Finding) bool { return f.Severity >= s.policy.MinSeverity }

// Deliver sends f, retrying temporary failures. After the last failure it
// writes a dead letter and returns the error. If ctx ends first it returns
// ctx's error and writes nothing: the alert is still pending and will be
// retried after a restart.
func (s *Sender) Deliver(ctx context.Context, f finding.Finding) error {
	if !s.Wants(f) {
		return nil
	}
	p := s.policy
	var err error
	attempt := 0
	for attempt < p.Attempts {
		attempt++
		actx, cancel := context.WithTimeout(ctx, p.Timeout)
		err = s.sink.Send(actx, f)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		retry, after := classify(err)
		if !retry || attempt == p.Attempts {
			break
		}
		if werr := p.backoff().Wait(ctx, attempt, after); werr != nil {
			return werr
		}
	}
	err = fmt.Errorf("sink %s: finding %s: gave up after %d attempt(s): %w", s.Name(), f.ID, attempt, err)
	if s.dl != nil {
		dl := DeadLetter{Sink: s.Name(), FindingID: f.ID, Error: err.Error(), Attempts: attempt}
		if derr := s.dl.AddDeadLetter(context.WithoutCancel(ctx), dl); derr != nil {
			return errors.Join(err, derr)
		}
	}
	return err
}

// backoff is the policy's wait between attempts.
func (p Policy) backoff() backoff.Policy {
	return backoff.Policy{Base: p.BaseDelay, Max: p.MaxDelay}
}

// Group fans findings out to several senders.
type Group []*Sender

// Deliver sends every finding to every sender that wants it. Senders run
// concurrently; each sees the findings in order. It returns every sender's
// failures joined (they are dead-lettered already), or ctx's error.
func (g Group) Deliver(ctx context.Context, fs []finding.Finding) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, s := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := s.sink.(BatchSink); ok {
				if err := s.DeliverBatch(ctx, fs); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
				return
			}
			for _, f := range fs {
				if err := s.Deliver(ctx, f); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					if ctx.Err() != nil {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.Join(errs...)
}
