package eventhistory_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail/cloudtrailtest"
	"github.com/portcullis-sec/portcullis/internal/source/eventhistory"
)

// TestReadKeepsToTheRate: against a fake that throttles like the real API,
// a reader at the same rate is never throttled; one twice as fast is, and
// still reads everything.
func TestReadKeepsToTheRate(t *testing.T) {
	regions := []string{"us-east-1", "eu-west-1"}
	in := []cloudtrail.Interest{{Source: "sso.amazonaws.com"}}
	h := makeHistory(t, regions, 300, 24*time.Hour, in)
	for _, tc := range []struct {
		name      string
		rate      float64
		throttled bool
	}{
		{"at the limit", 20, false},
		{"twice the limit", 40, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, h, awsfake.WithHistoryRate(20), awsfake.WithHistoryPageSize(5))
			o := options(s, regions, in)
			o.Rate = tc.rate
			o.Since, o.Until = t0, t0.Add(24*time.Hour)
			start := time.Now()
			ids, _, _, st, err := read(t, o)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids) != fmt.Sprint(h.want) {
				t.Errorf("got %d events, want %d", len(ids), len(h.want))
			}
			if tc.throttled != (st.Throttles > 0) {
				t.Errorf("%d throttles at %v/s against a limit of 20/s", st.Throttles, tc.rate)
			}
			// Regions have limits of their own and are read side by side.
			perRegion := float64(st.Requests) / float64(len(regions))
			if el := time.Since(start).Seconds(); !tc.throttled && el < (perRegion-1)/tc.rate {
				t.Errorf("%d requests in %.2fs: faster than %v/s per region", st.Requests, el, tc.rate)
			}
		})
	}
}

// TestMeasureNinetyDays measures a read of 90 days of one region at the
// real API's rate against a fake that throttles like it. It takes minutes:
// PORTCULLIS_MEASURE_HISTORY=10000 go test -run MeasureNinetyDays -v ./internal/source/eventhistory
func TestMeasureNinetyDays(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PORTCULLIS_MEASURE_HISTORY"))
	if n <= 0 {
		t.Skip("set PORTCULLIS_MEASURE_HISTORY=EVENTS to measure")
	}
	until := t0.Add(eventhistory.Horizon)
	in := []cloudtrail.Interest{{Source: "sso.amazonaws.com"}}
	g := cloudtrailtest.New(1)
	s := awsfake.New(awsfake.Sample(), awsfake.WithHistoryRate(eventhistory.Rate))
	defer s.Close()
	var recs [][]byte
	for i := range n {
		at := t0.Add(eventhistory.Horizon / time.Duration(n) * time.Duration(i))
		recs = append(recs, g.AppendKind(nil, cloudtrailtest.KindSSOAdmin, at, "111111111111", "us-east-1"))
	}
	if err := s.AddHistory("us-east-1", recs...); err != nil {
		t.Fatal(err)
	}
	o := options(s, []string{"us-east-1"}, in)
	o.Rate, o.Since, o.Until = eventhistory.Rate, t0, until
	start := time.Now()
	st, err := eventhistory.Read(context.Background(), o, func([]*cloudtrail.Event) error { return nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("%d events, 90 days, 1 region, 1 lookup at %v req/s: %d requests, %d pages, %d slices, %d throttles, %d matched, in %s (%.0f events/s; events/100 = %.0fs)",
		n, eventhistory.Rate, st.Requests, st.Pages, st.Slices, st.Throttles, st.Matched, el.Round(time.Second), float64(n)/el.Seconds(), float64(n)/100)
	if st.Matched != int64(n) {
		t.Errorf("matched %d of %d", st.Matched, n)
	}
}
