package eventhistory

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/portcullis-sec/portcullis/internal/backoff"
	ct "github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// API is the one call the reader makes (IAM: cloudtrail:LookupEvents).
type API interface {
	LookupEvents(context.Context, *cloudtrail.LookupEventsInput, ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// IAMAction is what API needs.
const IAMAction = "cloudtrail:LookupEvents"

// NewClient returns a client maker for Options.Client: cfg's credentials,
// user agent and HTTP client, the endpoint when not "", and no SDK retries
// (Read retries throttled and failed requests itself, and counts them).
func NewClient(cfg aws.Config, endpoint string) func(region string) API {
	return func(region string) API {
		return cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) {
			o.Region = region
			o.Retryer = aws.NopRetryer{}
			if endpoint != "" {
				o.BaseEndpoint = aws.String(endpoint)
			}
		})
	}
}

// lookup is one pass over a slice: one lookup attribute, or none.
type lookup struct {
	key   types.LookupAttributeKey // "" reads every management event
	value string
}

func (l lookup) String() string {
	if l.key == "" {
		return "all events"
	}
	return string(l.key) + "=" + l.value
}

// maxNamePasses: a source wanted for at most this many event names is read
// by name (AssumeRoleWithSAML, not every sts call), else by source.
const maxNamePasses = 2

// lookupsFor turns interests into the fewest lookups that return every
// event they want (and some more, which the prefilter drops).
func lookupsFor(in []ct.Interest) []lookup {
	type want struct {
		any   bool
		names map[string]bool
	}
	bySource := map[string]*want{}
	for _, i := range in {
		if i.Source == "" {
			return []lookup{{}}
		}
		w := bySource[i.Source]
		if w == nil {
			w = &want{names: map[string]bool{}}
			bySource[i.Source] = w
		}
		if len(i.Names) == 0 || len(i.NamePrefixes) > 0 {
			w.any = true
		}
		for _, n := range i.Names {
			w.names[n] = true
		}
	}
	if len(bySource) == 0 {
		return []lookup{{}}
	}
	seen := map[lookup]bool{}
	var out []lookup
	add := func(l lookup) {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	for _, src := range slices.Sorted(maps.Keys(bySource)) {
		w := bySource[src]
		if w.any || len(w.names) > maxNamePasses {
			add(lookup{types.LookupAttributeKeyEventSource, src})
			continue
		}
		for _, n := range slices.Sorted(maps.Keys(w.names)) {
			add(lookup{types.LookupAttributeKeyEventName, n})
		}
	}
	return out
}

// region is one region's client and rate limit, shared by its passes.
type region struct {
	name string
	api  API
	lim  *limiter
	next int // records read, for Origin.Index
	mu   sync.Mutex
}

// maxRestarts bounds how often one pass starts over after its NextToken
// was refused.
const maxRestarts = 2

// pass pages through one lookup over [a, b) in one region, newest first,
// and files what it gets in the slice.
func (r *reader) pass(ctx context.Context, rg *region, l lookup, a, b time.Time, sl *slice) error {
	in := &cloudtrail.LookupEventsInput{
		StartTime: aws.Time(a), EndTime: aws.Time(b.Add(-time.Second)), MaxResults: aws.Int32(PageSize),
	}
	if l.key != "" {
		in.LookupAttributes = []types.LookupAttribute{{AttributeKey: l.key, AttributeValue: aws.String(l.value)}}
	}
	restarts := 0
	for {
		out, err := r.call(ctx, rg, in)
		var badToken *types.InvalidNextTokenException
		if err != nil && in.NextToken != nil && errors.As(err, &badToken) && restarts < maxRestarts {
			// Tokens expire; start the pass over (what was read is deduplicated).
			restarts++
			in.NextToken = nil
			r.update(func(st *Stats) { st.TokenRestarts++ }, false)
			continue
		}
		if err != nil {
			return fmt.Errorf("event history %s, %s, %s – %s: %w", rg.name, l, a.Format(time.RFC3339), b.Format(time.RFC3339), err)
		}
		if err := r.file(rg, out.Events, sl); err != nil {
			return err
		}
		if aws.ToString(out.NextToken) == "" {
			return nil
		}
		in.NextToken = out.NextToken
	}
}

// file runs one page through the prefilter, the decoder and the time
// window, like a record split from a file, and adds what passes.
func (r *reader) file(rg *region, evs []types.Event, sl *slice) error {
	var dup int64
	var err error
	for _, e := range evs {
		rg.mu.Lock()
		origin := ct.Origin{File: "event-history:" + rg.name, Index: rg.next}
		rg.next++
		rg.mu.Unlock()
		id := aws.ToString(e.EventId)
		if id == "" {
			id = rg.name + "#" + strconv.Itoa(origin.Index)
		}
		if !sl.claim(id) {
			dup++
			continue
		}
		raw := []byte(aws.ToString(e.CloudTrailEvent))
		if len(raw) == 0 {
			err = sl.add(nil, &ct.DecodeError{Origin: origin, Field: "CloudTrailEvent", Err: fmt.Errorf("event %s has none", id)})
		} else if r.pf.Match(raw) {
			ev, derr := ct.DecodeFast(raw, origin)
			switch {
			case derr != nil:
				err = sl.add(nil, derr)
			case !r.pf.MatchEvent(ev):
			case !ev.Time.IsZero() && (ev.Time.Before(r.o.Since) || !ev.Time.Before(r.o.Until)):
			default:
				err = sl.add(ev, nil)
			}
		}
		if err != nil {
			break
		}
	}
	r.update(func(st *Stats) {
		st.Pages++
		st.Events += int64(len(evs))
		st.Duplicates += dup
	}, false)
	return err
}

// call sends one request within the region's rate, retrying throttling,
// 5xx and connection errors with jittered exponential backoff.
func (r *reader) call(ctx context.Context, rg *region, in *cloudtrail.LookupEventsInput) (*cloudtrail.LookupEventsOutput, error) {
	for attempt := 1; ; attempt++ {
		if err := rg.lim.wait(ctx); err != nil {
			return nil, err
		}
		r.update(func(st *Stats) { st.Requests++ }, false)
		out, err := rg.api.LookupEvents(ctx, in)
		if err == nil {
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		throttled := retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary
		again := throttled || retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
		r.update(func(st *Stats) {
			if throttled {
				st.Throttles++
			}
			if again && attempt < r.o.MaxAttempts {
				st.Retries++
			}
		}, false)
		if !again || attempt >= r.o.MaxAttempts {
			if again {
				return nil, fmt.Errorf("LookupEvents failed %d times: %w", attempt, err)
			}
			return nil, fmt.Errorf("LookupEvents: %w", err)
		}
		if err := r.o.Backoff.Wait(ctx, attempt, 0); err != nil {
			return nil, err
		}
	}
}

// limiter is a token bucket of one token: requests go out evenly spaced,
// at most rate a second.
type limiter struct {
	mu    sync.Mutex
	next  time.Time
	every time.Duration
}

func newLimiter(rate float64) *limiter {
	return &limiter{every: time.Duration(float64(time.Second) / rate)}
}

func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	t := l.next
	if t.Before(now) {
		t = now
	}
	l.next = t.Add(l.every)
	l.mu.Unlock()
	return backoff.Sleep(ctx, t.Sub(now))
}
