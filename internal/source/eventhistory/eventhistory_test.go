package eventhistory_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/backoff"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail/cloudtrailtest"
	"github.com/portcullis-sec/portcullis/internal/source/eventhistory"
)

var t0 = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

// history is what a fake account holds: per region, realistic records over
// a few days, with the Identity Center share raised so a test sees hundreds.
type history struct {
	records map[string][][]byte
	want    []string // ids of the events the interests want, in (time, id) order
}

func makeHistory(t *testing.T, regions []string, perRegion int, span time.Duration, in []cloudtrail.Interest) history {
	t.Helper()
	g := cloudtrailtest.New(7)
	h := history{records: map[string][][]byte{}}
	pf := cloudtrail.NewPrefilter(in)
	type key struct {
		t  time.Time
		id string
	}
	var want []key
	kinds := []cloudtrailtest.Kind{cloudtrailtest.KindNoise, cloudtrailtest.KindNoise, cloudtrailtest.KindSSOPortal, cloudtrailtest.KindSSOAdmin,
		cloudtrailtest.KindSAMLReserved, cloudtrailtest.KindIdentityStore, cloudtrailtest.KindIAMBySSO, cloudtrailtest.KindSignin}
	for _, r := range regions {
		for i := range perRegion {
			at := t0.Add(span * time.Duration(i) / time.Duration(perRegion)).Truncate(time.Second)
			rec := g.AppendKind(nil, kinds[i%len(kinds)], at, "111111111111", r)
			h.records[r] = append(h.records[r], rec)
			ev, err := cloudtrail.Decode(rec, cloudtrail.Origin{})
			if err != nil {
				t.Fatal(err)
			}
			if pf.Match(rec) && pf.MatchEvent(ev) {
				want = append(want, key{ev.Time, ev.ID})
			}
		}
	}
	slices.SortFunc(want, func(a, b key) int {
		if c := a.t.Compare(b.t); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	for _, k := range want {
		h.want = append(h.want, k.id)
	}
	return h
}

func serve(t *testing.T, h history, opts ...awsfake.Option) *awsfake.Server {
	t.Helper()
	s := awsfake.New(awsfake.Sample(), opts...)
	t.Cleanup(s.Close)
	for r, recs := range h.records {
		if err := s.AddHistory(r, recs...); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// options reads the fake fast: no rate limit to speak of, tiny backoff.
func options(s *awsfake.Server, regions []string, in []cloudtrail.Interest) eventhistory.Options {
	return eventhistory.Options{
		Regions: regions, Client: eventhistory.NewClient(s.Config(), s.URL), Interests: in,
		Since: t0, Until: t0.Add(72 * time.Hour), Rate: 1000,
		Backoff: backoff.Policy{Base: time.Millisecond, Max: 5 * time.Millisecond},
	}
}

// read collects what Read hands on, checking each batch is in order.
func read(t *testing.T, o eventhistory.Options) (ids []string, batches []int, bad []error, st eventhistory.Stats, err error) {
	t.Helper()
	var last *cloudtrail.Event
	st, err = eventhistory.Read(context.Background(), o, func(batch []*cloudtrail.Event) error {
		batches = append(batches, len(batch))
		for _, ev := range batch {
			if last != nil && (ev.Time.Before(last.Time) || ev.Time.Equal(last.Time) && ev.ID < last.ID) {
				t.Errorf("%s (%s) handed on after %s (%s)", ev.ID, ev.Time, last.ID, last.Time)
			}
			last = ev
			ids = append(ids, ev.ID)
		}
		return nil
	}, func(e error) { bad = append(bad, e) })
	return ids, batches, bad, st, err
}

func TestReadHandsOnWhatTheRulesWantInTimeOrder(t *testing.T) {
	regions := []string{"us-east-1", "eu-west-1"}
	in := cloudtrailtest.Interests()
	h := makeHistory(t, regions, 1500, 60*time.Hour, in)
	s := serve(t, h, awsfake.WithHistoryPageSize(20))

	cases := []struct {
		name        string
		sliceEvents int
		resliced    bool
	}{
		{name: "roomy slices", sliceEvents: 10000},
		{name: "dense slices are cut in halves", sliceEvents: 40, resliced: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.ResetCalls()
			o := options(s, regions, in)
			o.SliceEvents = tc.sliceEvents
			ids, batches, bad, st, err := read(t, o)
			if err != nil || len(bad) > 0 {
				t.Fatalf("read: %v, bad %v", err, bad)
			}
			if len(h.want) < 300 {
				t.Fatalf("only %d wanted events in the history", len(h.want))
			}
			if fmt.Sprint(ids) != fmt.Sprint(h.want) {
				t.Errorf("got %d events, want %d (first difference matters)", len(ids), len(h.want))
			}
			if st.Matched != int64(len(h.want)) || st.Regions != 2 || st.Pages == 0 || st.Requests < st.Pages+st.Retries || !st.Reached.Equal(o.Until) {
				t.Errorf("stats %+v", st)
			}
			if tc.resliced != (st.Resliced > 0) {
				t.Errorf("resliced %d times", st.Resliced)
			}
			if m := slices.Max(batches); m > 4*tc.sliceEvents {
				t.Errorf("a batch of %d events: memory is meant to hold about %d", m, tc.sliceEvents)
			}
			// One attribute per request, the right lookups, within bounds.
			lookups := map[string]bool{}
			for _, c := range s.CallsTo("LookupEvents") {
				var req struct {
					LookupAttributes []struct{ AttributeKey, AttributeValue string }
					MaxResults       int
				}
				if err := json.Unmarshal(c.Input, &req); err != nil || len(req.LookupAttributes) != 1 || req.MaxResults != 50 {
					t.Fatalf("request %s: %v", c.Input, err)
				}
				lookups[req.LookupAttributes[0].AttributeKey+"="+req.LookupAttributes[0].AttributeValue] = true
				if !strings.Contains(c.UserAgent, "aws-sdk-go-v2") {
					t.Errorf("user agent %q", c.UserAgent)
				}
			}
			for _, want := range []string{"EventSource=sso.amazonaws.com", "EventSource=identitystore.amazonaws.com", "EventSource=iam.amazonaws.com",
				"EventName=AssumeRoleWithSAML", "EventName=RegisterDelegatedAdministrator"} {
				if !lookups[want] {
					t.Errorf("no lookup %s (got %v)", want, lookups)
				}
			}
			if lookups["EventSource=sts.amazonaws.com"] {
				t.Error("read every sts event to find AssumeRoleWithSAML")
			}
		})
	}
}

func TestReadRecovers(t *testing.T) {
	regions := []string{"us-east-1"}
	in := []cloudtrail.Interest{{Source: "sso.amazonaws.com"}, {Source: "identitystore.amazonaws.com"}}
	h := makeHistory(t, regions, 800, 48*time.Hour, in)

	cases := []struct {
		name  string
		setup func(*awsfake.Server)
		check func(t *testing.T, st eventhistory.Stats)
	}{
		// Retries may exceed the faults injected: the SDK now and then
		// reports a 200 answer whose connection closed under it as
		// "use of closed network connection" (aws-sdk-go-v2#2737), which
		// is retried as a connection error.
		{"throttling", func(s *awsfake.Server) { s.ThrottleFirst("LookupEvents", 3) },
			func(t *testing.T, st eventhistory.Stats) {
				if st.Throttles != 3 || st.Retries < 3 || st.Requests != st.Pages+st.Retries {
					t.Errorf("stats %+v", st)
				}
			}},
		{"a server error", func(s *awsfake.Server) {
			n := 0
			s.FailWhen("LookupEvents", "InternalFailure", func(awsfake.Call) bool { n++; return n == 2 })
		}, func(t *testing.T, st eventhistory.Stats) {
			if st.Retries < 1 || st.Throttles != 0 || st.Requests != st.Pages+st.Retries {
				t.Errorf("stats %+v", st)
			}
		}},
		{"a refused NextToken", func(s *awsfake.Server) {
			n := 0
			s.FailWhen("LookupEvents", "InvalidNextTokenException", func(c awsfake.Call) bool {
				if c.Param("NextToken") == "" {
					return false
				}
				n++
				return n == 2
			})
		}, func(t *testing.T, st eventhistory.Stats) {
			if st.TokenRestarts != 1 || st.Duplicates == 0 {
				t.Errorf("a restarted pass: stats %+v", st)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, h, awsfake.WithHistoryPageSize(25))
			tc.setup(s)
			ids, _, bad, st, err := read(t, options(s, regions, in))
			if err != nil || len(bad) > 0 {
				t.Fatalf("read: %v, bad %v", err, bad)
			}
			if fmt.Sprint(ids) != fmt.Sprint(h.want) || len(ids) == 0 {
				t.Errorf("got %d events, want the same %d as without trouble", len(ids), len(h.want))
			}
			tc.check(t, st)
		})
	}
}

func TestReadFails(t *testing.T) {
	regions := []string{"us-east-1"}
	in := []cloudtrail.Interest{{Source: "sso.amazonaws.com"}}
	h := makeHistory(t, regions, 100, 24*time.Hour, in)

	t.Run("access denied names the region and lookup", func(t *testing.T) {
		s := serve(t, h)
		s.FailAlways("LookupEvents", "AccessDeniedException")
		_, _, _, st, err := read(t, options(s, regions, in))
		if err == nil || !strings.Contains(err.Error(), "us-east-1") || !strings.Contains(err.Error(), "EventSource=sso.amazonaws.com") ||
			!strings.Contains(err.Error(), "AccessDeniedException") {
			t.Errorf("got %v", err)
		}
		denied := 0
		for _, c := range s.CallsTo("LookupEvents") {
			if c.Error == "AccessDeniedException" {
				denied++
			}
		}
		if denied != 1 || !st.Reached.Equal(t0) {
			t.Errorf("a denied request is not retried (%d answers) and nothing is reached: %+v", denied, st)
		}
	})
	t.Run("throttled for good", func(t *testing.T) {
		s := serve(t, h)
		s.ThrottleFirst("LookupEvents", 100)
		o := options(s, regions, in)
		o.MaxAttempts = 4
		_, _, _, st, err := read(t, o)
		if err == nil || !strings.Contains(err.Error(), "failed 4 times") || st.Throttles != 4 {
			t.Errorf("got %v, %+v", err, st)
		}
	})
	t.Run("a record that does not decode is bad input, the rest goes on", func(t *testing.T) {
		s := serve(t, h)
		if err := s.AddHistory("us-east-1", []byte(`{"eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment","eventTime":"2026-05-01T06:00:00Z","eventID":"broken","awsRegion":5}`)); err != nil {
			t.Fatal(err)
		}
		ids, _, bad, st, err := read(t, options(s, regions, in))
		var de *cloudtrail.DecodeError
		if err != nil || len(bad) != 1 || !errors.As(bad[0], &de) || !strings.Contains(bad[0].Error(), "event-history:us-east-1") ||
			!strings.Contains(bad[0].Error(), "awsRegion") {
			t.Fatalf("got %v, bad %v", err, bad)
		}
		if fmt.Sprint(ids) != fmt.Sprint(h.want) || st.Matched != int64(len(h.want)) {
			t.Errorf("the good events: got %d, want %d", len(ids), len(h.want))
		}
	})
}

func TestReadWindowAndStop(t *testing.T) {
	regions := []string{"us-east-1"}
	in := []cloudtrail.Interest{{Source: "sso.amazonaws.com"}}
	h := makeHistory(t, regions, 400, 40*time.Hour, in)
	s := serve(t, h)
	o := options(s, regions, in)
	o.Since, o.Until = t0.Add(10*time.Hour), t0.Add(20*time.Hour)
	ids, _, _, st, err := read(t, o)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, id := range h.want {
		ev := find(t, h, id)
		if !ev.Time.Before(o.Since) && ev.Time.Before(o.Until) {
			want = append(want, id)
		}
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) || len(want) == 0 {
		t.Errorf("window: got %d events, want %d", len(ids), len(want))
	}
	if !st.Since.Equal(o.Since) || !st.Until.Equal(o.Until) {
		t.Errorf("stats window %v – %v", st.Since, st.Until)
	}

	// Events: a consumer that stops early ends the read quietly.
	var st2 eventhistory.Stats
	n := 0
	for ev, err := range eventhistory.Events(context.Background(), options(s, regions, in), &st2) {
		if err != nil || ev == nil {
			t.Fatalf("event %v, %v", ev, err)
		}
		if n++; n == 5 {
			break
		}
	}
	if st2.Matched != 0 || st2.Pages == 0 {
		t.Errorf("stopped in the first slice: %+v", st2)
	}
}

func find(t *testing.T, h history, id string) *cloudtrail.Event {
	t.Helper()
	for _, recs := range h.records {
		for _, rec := range recs {
			if strings.Contains(string(rec), `"eventID":"`+id+`"`) {
				ev, err := cloudtrail.Decode(rec, cloudtrail.Origin{})
				if err != nil {
					t.Fatal(err)
				}
				return ev
			}
		}
	}
	t.Fatalf("no record %s", id)
	return nil
}

// TestEventsStopsOnABadRecord: a consumer that stops at a record that does
// not decode ends the read; nothing more is yielded to it.
func TestEventsStopsOnABadRecord(t *testing.T) {
	regions := []string{"us-east-1"}
	in := []cloudtrail.Interest{{Source: "sso.amazonaws.com"}}
	h := makeHistory(t, regions, 200, 48*time.Hour, in)
	s := serve(t, h)
	if err := s.AddHistory("us-east-1", []byte(`{"eventSource":"sso.amazonaws.com","eventName":"ListAccounts","eventTime":"2026-05-01T00:00:30Z","eventID":"bad","awsRegion":5}`)); err != nil {
		t.Fatal(err)
	}
	var st eventhistory.Stats
	n := 0
	for _, err := range eventhistory.Events(context.Background(), options(s, regions, in), &st) {
		n++
		if err != nil {
			var de *cloudtrail.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want the decode error", err)
			}
			break
		}
	}
	if n == 0 || st.Slices != 0 {
		t.Errorf("%d items, %d slices handed on: want the read to end in the first slice", n, st.Slices)
	}
}
