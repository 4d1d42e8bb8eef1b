package awscollect

import (
	"context"
	"errors"
	"fmt"
	"reflect"

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
// request (with its retries) is in flight. A server that misbehaves cannot
// keep it going: a NextToken seen before in this series (a loop), more
// than MaxPages pages, or a page of more than MaxItemsPerPage items is an
// error (the caller names the call), never a listing cut short in silence.
func drain[Out, Opts any](ctx context.Context, c *collector, p pager[Out, Opts], each func(Out)) error {
	seen := map[string]bool{}
	for pages := 0; p.HasMorePages(); pages++ {
		if pages >= c.o.MaxPages {
			return fmt.Errorf("%w: still more after %d pages (the most one listing may take; the server may be paging forever)", ErrPaging, pages)
		}
		out, err := call(ctx, c, func(ctx context.Context) (Out, error) { return p.NextPage(ctx) })
		if err != nil {
			return err
		}
		token, items := pageInfo(out)
		if items > c.o.MaxItemsPerPage {
			return fmt.Errorf("%w: page %d holds %d items, more than the %d a page may hold", ErrPaging, pages+1, items, c.o.MaxItemsPerPage)
		}
		if token != "" {
			if seen[token] {
				return fmt.Errorf("%w: page %d repeats a NextToken the service gave before; the listing would never end", ErrPaging, pages+1)
			}
			seen[token] = true
		}
		each(out)
	}
	return nil
}

// ErrPaging: a listing the service would not let end, or a page too big.
var ErrPaging = errors.New("pagination refused")

// pageInfo reads an SDK output's NextToken and counts the items of its
// list members.
func pageInfo(out any) (token string, items int) {
	v := reflect.ValueOf(out)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", 0
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return "", 0
	}
	if f := v.FieldByName("NextToken"); f.IsValid() && f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String {
		token = f.Elem().String()
	}
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Slice {
			items += f.Len()
		}
	}
	return token, items
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
