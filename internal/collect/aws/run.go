package awscollect

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// Page sizes asked for: the APIs' maxima, to keep the call count low.
const (
	ssoPage   = 100
	storePage = 100
	orgPage   = 20
)

// pager is what the SDK's NewListXPaginator values have in common.
type pager[Out, Opts any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*Opts)) (Out, error)
}

// drain reads every page of p, holding a concurrency slot only while a
// request (with its retries) is in flight.
func drain[Out, Opts any](ctx context.Context, c *collector, p pager[Out, Opts], each func(Out)) error {
	for p.HasMorePages() {
		out, err := call(ctx, c, func(ctx context.Context) (Out, error) { return p.NextPage(ctx) })
		if err != nil {
			return err
		}
		each(out)
	}
	return nil
}

// call makes one request under the concurrency limit.
func call[Out any](ctx context.Context, c *collector, fn func(context.Context) (Out, error)) (Out, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		var zero Out
		return zero, ctx.Err()
	}
	defer func() { <-c.sem }()
	return fn(ctx)
}

// newGroup is an errgroup whose goroutines are capped at limit. Fan-outs
// nest (permission sets, then their accounts), so requests are bounded by
// the collector's semaphore, not by the groups.
func newGroup(ctx context.Context, limit int) (*errgroup.Group, context.Context) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	return g, gctx
}
