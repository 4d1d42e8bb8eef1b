package scan_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
)

var may1 = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

// dayObjects makes n objects delivered on day d, each holding records with
// random times of that day; ids say day.object.record.
func dayObjects(r *rand.Rand, d, n int) []source.Object {
	var objs []source.Object
	day := may1.AddDate(0, 0, d)
	for o := 0; o < n; o++ {
		var recs []string
		for i := 0; i < 20; i++ {
			at := day.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
			recs = append(recs, rec(fmt.Sprintf("%d.%d.%02d", d, o, i), "sso", "A", at.Format(time.RFC3339Nano)))
		}
		objs = append(objs, memObject(fmt.Sprintf("day%d/obj%d.json", d, o), []byte(envelope(recs...)), day))
	}
	return objs
}

func TestRunOrdersByTime(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var objs []source.Object
	for d := 2; d >= 0; d-- { // given out of order on purpose
		objs = append(objs, dayObjects(r, d, 4)...)
	}
	// Delivered after midnight, within the lag: must still come in order.
	objs = append(objs, memObject("day1/late.json", []byte(envelope(rec("late", "sso", "A", "2026-05-01T23:40:00Z"))), may1.AddDate(0, 0, 1)))
	// Loose files: no day; their events merge into the days by time.
	objs = append(objs, memObject("loose.jsonl", []byte(rec("loose-a", "sso", "A", "2026-05-02T12:00:00Z")+"\n"+
		rec("loose-b", "sso", "A", "2026-05-01T05:00:00Z")+"\n"+rec("loose-notime", "sso", "A", "")), time.Time{}))

	var runs [][]string
	for _, workers := range []int{1, 2, 3} {
		var all []*cloudtrail.Event
		var ids []string
		nb := 0
		_, err := scan.Run(context.Background(), objs, scan.Options{Workers: workers}, func(b []*cloudtrail.Event) error {
			nb++
			if !slices.IsSortedFunc(b, byTimeID) {
				t.Errorf("batch %d not sorted", nb)
			}
			all = append(all, b...)
			for _, e := range b {
				ids = append(ids, e.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Batches: the loose file's events before the first day (the one
		// without eventTime), then one per day.
		if len(all) != 3*4*20+4 || nb != 4 {
			t.Fatalf("workers=%d: %d events in %d batches, want %d in 4", workers, len(all), nb, 3*4*20+4)
		}
		if !slices.IsSortedFunc(all, byTimeID) {
			t.Errorf("workers=%d: events out of order across batches", workers)
		}
		if all[0].ID != "loose-notime" {
			t.Errorf("an event without eventTime sorts first, got %s", all[0].ID)
		}
		runs = append(runs, ids)
	}
	for i := 1; i < len(runs); i++ {
		if !slices.Equal(runs[0], runs[i]) {
			t.Errorf("order depends on the number of workers")
		}
	}
}

func byTimeID(a, b *cloudtrail.Event) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// Groups are read at most two at a time: when an object of day g is
// opened, day g-2 has been handed to fn.
func TestRunBoundsDaysInFlight(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var mu sync.Mutex
	delivered := -1
	var objs []source.Object
	for d := 0; d < 8; d++ {
		for _, o := range dayObjects(r, d, 3) {
			open := o.Open
			o.Open = func(ctx context.Context) (io.ReadCloser, error) {
				mu.Lock()
				if d > delivered+2 {
					t.Errorf("opened an object of day %d while only days up to %d were delivered", d, delivered)
				}
				mu.Unlock()
				return open(ctx)
			}
			objs = append(objs, o)
		}
	}
	_, err := scan.Run(context.Background(), objs, scan.Options{Workers: 2}, func(b []*cloudtrail.Event) error {
		time.Sleep(5 * time.Millisecond) // a slow rule engine
		mu.Lock()
		delivered = int(b[len(b)-1].Time.Sub(may1) / (24 * time.Hour)) // earlier ones may be held-back late records
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if delivered != 7 {
		t.Errorf("last day delivered %d, want 7", delivered)
	}
}

func TestRunBatchesMayBeKept(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var objs []source.Object
	for d := 0; d < 3; d++ {
		objs = append(objs, dayObjects(r, d, 2)...)
	}
	var kept [][]*cloudtrail.Event
	var copies [][]string
	_, err := scan.Run(context.Background(), objs, scan.Options{Workers: 2}, func(b []*cloudtrail.Event) error {
		var ids []string
		for _, e := range b {
			ids = append(ids, e.ID)
		}
		copies = append(copies, ids)
		b = append(b, &cloudtrail.Event{ID: "scribble"}) // must not write into what Run keeps
		kept = append(kept, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range kept {
		for j, id := range copies[i] {
			if b[j].ID != id {
				t.Fatalf("batch %d changed after it was handed out", i)
			}
		}
	}
}

func TestRunStops(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var objs []source.Object
	for d := 0; d < 5; d++ {
		objs = append(objs, dayObjects(r, d, 3)...)
	}
	stop := errors.New("rule engine failed")
	calls := 0
	_, err := scan.Run(context.Background(), objs, scan.Options{Workers: 2}, func([]*cloudtrail.Event) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Errorf("got %v after %d calls, want fn's error after 1", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = scan.Run(ctx, objs, scan.Options{}, func([]*cloudtrail.Event) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: got %v", err)
	}
}

func TestRunProgress(t *testing.T) {
	slow := memObject("slow.json", []byte(envelope(rec("s", "sso", "A", "2026-05-01T00:00:00Z"))), time.Time{})
	open := slow.Open
	slow.Open = func(ctx context.Context) (io.ReadCloser, error) {
		time.Sleep(700 * time.Millisecond)
		return open(ctx)
	}
	fast := memObject("fast.json", []byte(envelope(rec("f", "sso", "A", "2026-05-01T00:00:00Z"))), time.Time{})
	var calls []scan.Stats
	st, err := scan.Run(context.Background(), []source.Object{fast, slow}, scan.Options{Workers: 2, Progress: func(s scan.Stats) {
		calls = append(calls, s)
	}}, func([]*cloudtrail.Event) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 || calls[0].Files > st.Files {
		t.Errorf("progress calls %+v, final %+v", calls, st)
	}
}

// Objects whose names give the delivery time are grouped by hour: batches
// come per hour, in order, even when a file holds records from up to
// DeliveryLag before its hour.
func TestRunGroupsByDeliveryHour(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var objs []source.Object
	for h := 11; h >= 0; h-- {
		for o := 0; o < 3; o++ {
			delivered := may1.Add(time.Duration(h)*time.Hour + time.Duration(r.IntN(60))*time.Minute)
			var recs []string
			for i := 0; i < 10; i++ {
				at := delivered.Add(-time.Duration(r.Int64N(int64(source.DeliveryLag))))
				recs = append(recs, rec(fmt.Sprintf("%02d.%d.%d", h, o, i), "sso", "A", at.Format(time.RFC3339Nano)))
			}
			obj := memObject(fmt.Sprintf("h%02d-%d.json", h, o), []byte(envelope(recs...)), may1)
			obj.Key.Delivered = delivered
			objs = append(objs, obj)
		}
	}
	var all []*cloudtrail.Event
	batches := 0
	_, err := scan.Run(context.Background(), objs, scan.Options{Workers: 2}, func(b []*cloudtrail.Event) error {
		batches++
		all = append(all, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 12*3*10 || batches < 10 {
		t.Errorf("%d events in %d batches, want %d in about one batch per hour", len(all), batches, 12*3*10)
	}
	if !slices.IsSortedFunc(all, byTimeID) {
		t.Errorf("events out of order across hourly batches")
	}
}

// The workers go on reading the next group while fn works on a batch: the
// rule engine and the reading overlap.
func TestRunReadsWhileFnWorks(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	opened := make(chan struct{}, 100)
	var objs []source.Object
	for d := 0; d < 2; d++ {
		for _, o := range dayObjects(r, d, 6) {
			open := o.Open
			o.Open = func(ctx context.Context) (io.ReadCloser, error) {
				if d == 1 {
					opened <- struct{}{}
				}
				return open(ctx)
			}
			objs = append(objs, o)
		}
	}
	first := true
	_, err := scan.Run(context.Background(), objs, scan.Options{Workers: 1}, func([]*cloudtrail.Event) error {
		if !first {
			return nil
		}
		first = false
		for i := 0; i < 6; i++ { // every object of day 1 is read while day 0 is with fn
			select {
			case <-opened:
			case <-time.After(5 * time.Second):
				return fmt.Errorf("only %d objects of the next day were read while fn worked", i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
