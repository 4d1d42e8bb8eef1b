package watch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/store"
)

func TestIngestDedupesByEventID(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	w := newWatcher(t, st, newTestDetector(), nil)
	evs := decodeAll(t,
		writeEvent(t, "e1", attacker, baseTime),
		writeEvent(t, "e2", "arn:aws:iam::111111111111:role/terraform", baseTime.Add(time.Second)), // allow-listed
		writeEvent(t, "e1", attacker, baseTime),                                                    // repeated within the input
	)
	res, err := w.Ingest(ctx, evs)
	if err != nil {
		t.Fatal(err)
	}
	if res != (Result{Received: 3, Duplicates: 1, Findings: 1}) {
		t.Errorf("first ingest = %+v", res)
	}
	res, err = w.Ingest(ctx, evs[:2])
	if err != nil || res != (Result{Received: 2, Duplicates: 2, Findings: 0}) {
		t.Errorf("redelivery = %+v, %v", res, err)
	}
	rs, _ := st.ListFindings(ctx, store.Filter{})
	if len(rs) != 1 || rs[0].Events[0].EventID != "e1" {
		t.Errorf("stored %+v", rs)
	}
}

func TestEventKeyWithoutEventID(t *testing.T) {
	a, _ := cloudtrail.Decode([]byte(`{"eventSource":"sso.amazonaws.com","eventName":"X"}`), cloudtrail.Origin{})
	b, _ := cloudtrail.Decode([]byte(` {"eventSource":"sso.amazonaws.com","eventName":"X"} `), cloudtrail.Origin{})
	c, _ := cloudtrail.Decode([]byte(`{"eventSource":"sso.amazonaws.com","eventName":"Y"}`), cloudtrail.Origin{})
	if EventKey(a) != EventKey(b) || EventKey(a) == EventKey(c) {
		t.Errorf("keys: %s %s %s", EventKey(a), EventKey(b), EventKey(c))
	}
}

// Many concurrent callers (as HTTP requests are) must each get their events
// committed exactly once, in whatever groups the commits form.
func TestConcurrentIngestGroupCommits(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	w := newWatcher(t, st, newTestDetector(), nil)
	const callers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for c := 0; c < callers; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				// Every caller also resends the previous caller's event.
				id := fmt.Sprintf("c%d-%d", c, i)
				dup := fmt.Sprintf("c%d-%d", (c+1)%callers, i)
				evs := decodeAll(t, writeEvent(t, id, fmt.Sprintf("arn:aws:iam::1:user/u%d", c), baseTime.Add(time.Duration(i)*time.Hour)),
					writeEvent(t, dup, fmt.Sprintf("arn:aws:iam::1:user/u%d", (c+1)%callers), baseTime.Add(time.Duration(i)*time.Hour)))
				if _, err := w.Ingest(ctx, evs); err != nil {
					errs <- err
					return
				}
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rs, _ := st.ListFindings(ctx, store.Filter{})
	if len(rs) != callers*each {
		t.Errorf("%d findings, want %d", len(rs), callers*each)
	}
	pend, _ := st.PendingAlerts(ctx, 10000)
	if len(pend) != callers*each {
		t.Errorf("%d pending alerts, want %d", len(pend), callers*each)
	}
}

// A failed Detect must leave no trace: no findings, no processed ids, and
// the detector back at its committed state, so the retry counts right.
func TestFailedBatchRollsBack(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	det := newTestDetector()
	w := newWatcher(t, st, det, nil)
	if _, err := w.Ingest(ctx, decodeAll(t, writeEvent(t, "a1", attacker, baseTime))); err != nil {
		t.Fatal(err)
	}
	det.failOn = "DeletePermissionSet"
	bad := decodeAll(t,
		writeEvent(t, "a2", attacker, baseTime.Add(time.Minute)),
		mustJSON(t, ebEvent(record("a3", "sso.amazonaws.com", "DeletePermissionSet", attacker, baseTime.Add(2*time.Minute)))),
	)
	if _, err := w.Ingest(ctx, bad); err == nil {
		t.Fatal("want the detector's error")
	}
	if seen, _ := st.Seen(ctx, "ev:a2"); seen {
		t.Error("a2 marked processed by a failed batch")
	}
	if n := len(det.recent[attacker]); n != 1 {
		t.Errorf("detector window holds %d writes after rollback, want 1", n)
	}
	det.failOn = ""
	res, err := w.Ingest(ctx, bad)
	if err != nil {
		t.Fatal(err)
	}
	// a2, a3 are findings, and a3 is the third write: a burst.
	if res.Findings != 3 {
		t.Errorf("retry raised %d findings, want 3 (two writes and a burst)", res.Findings)
	}
}

// A failed batch whose rollback fails too (the committed state cannot be
// read back) leaves the detector marked stale: the next batch reloads the
// committed state before it runs, so the failed batch's writes never count.
func TestFailedRollbackReloadsBeforeTheNextBatch(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	det := newTestDetector()
	w := newWatcher(t, st, det, nil)
	if _, err := w.Ingest(ctx, decodeAll(t, writeEvent(t, "r1", attacker, baseTime))); err != nil {
		t.Fatal(err)
	}
	det.failOn, det.failRestores = "DeletePermissionSet", 2
	bad := decodeAll(t,
		writeEvent(t, "r2", attacker, baseTime.Add(time.Minute)),
		mustJSON(t, ebEvent(record("r3", "sso.amazonaws.com", "DeletePermissionSet", attacker, baseTime.Add(2*time.Minute)))),
	)
	if _, err := w.Ingest(ctx, bad); err == nil || !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want the detector's and the rollback's", err)
	}
	det.failOn = ""
	if _, err := w.Ingest(ctx, bad); !errors.Is(err, errBoom) {
		t.Fatalf("the reload before the retry: err = %v, want it to fail once more", err)
	}
	res, err := w.Ingest(ctx, bad)
	if err != nil {
		t.Fatal(err)
	}
	if res.Findings != 3 { // r2, r3 and the burst: r1's window, not a doubled r2
		t.Errorf("retry raised %d findings, want 3", res.Findings)
	}
	if n := len(det.recent[attacker]); n != 3 {
		t.Errorf("window holds %d writes, want 3", n)
	}
}

// The burst window survives a restart: two writes before, one after.
func TestStateSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	w := newWatcher(t, st, newTestDetector(), nil)
	if _, err := w.Ingest(ctx, decodeAll(t, writeEvent(t, "b1", attacker, baseTime), writeEvent(t, "b2", attacker, baseTime.Add(time.Minute)))); err != nil {
		t.Fatal(err)
	}
	w2 := newWatcher(t, st, newTestDetector(), nil) // a fresh process
	res, err := w2.Ingest(ctx, decodeAll(t, writeEvent(t, "b3", attacker, baseTime.Add(2*time.Minute))))
	if err != nil {
		t.Fatal(err)
	}
	if res.Findings != 2 {
		t.Fatalf("after restart: %d findings, want 2 (write + burst)", res.Findings)
	}
	rs, _ := st.ListFindings(ctx, store.Filter{Rule: ruleBurst})
	if len(rs) != 1 {
		t.Errorf("%d burst findings, want 1", len(rs))
	}
}

func TestNewRejectsBadState(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	st.SaveState(ctx, DefaultStateName, []byte("not json"))
	if _, err := New(ctx, Options{Detector: newTestDetector(), Store: st}); err == nil {
		t.Error("New accepted unreadable state")
	}
	if _, err := New(ctx, Options{Store: st}); err == nil {
		t.Error("New without a detector")
	}
}

func TestDeliverPendingOutbox(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	rec := &recorder{}
	w := newWatcher(t, st, newTestDetector(), rec)
	evs := decodeAll(t, writeEvent(t, "d1", attacker, baseTime), writeEvent(t, "d2", attacker, baseTime.Add(time.Hour)))
	if _, err := w.Ingest(ctx, evs); err != nil {
		t.Fatal(err)
	}
	// Shutdown mid-delivery: nothing is marked, so it is all sent next time.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	rec.fail = cctx.Err()
	if _, err := w.DeliverPending(cctx); err == nil {
		t.Fatal("cancelled delivery reported success")
	}
	rec.fail = nil
	n, err := w.DeliverPending(ctx)
	if err != nil || n != 2 {
		t.Fatalf("DeliverPending = %d, %v", n, err)
	}
	if n, _ := w.DeliverPending(ctx); n != 0 {
		t.Errorf("second DeliverPending sent %d again", n)
	}
	// A sink failure (dead-lettered by the sink) does not block the outbox.
	rec.fail = errBoom
	w.Ingest(ctx, decodeAll(t, writeEvent(t, "d3", attacker, baseTime.Add(2*time.Hour))))
	if n, err := w.DeliverPending(ctx); n != 1 || err != nil {
		t.Errorf("with failing sink: %d, %v", n, err)
	}
	if pend, _ := st.PendingAlerts(ctx, 10); len(pend) != 0 {
		t.Errorf("%d still pending", len(pend))
	}
}

func TestRunDeliversAsFindingsArrive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := openStore(t, "")
	got := make(chan string, 10)
	rec := &recorder{onGot: func(f finding.Finding) { got <- f.ID }}
	w := newWatcher(t, st, newTestDetector(), rec)
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	if _, err := w.Ingest(ctx, decodeAll(t, writeEvent(t, "r1", attacker, baseTime))); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(3 * time.Second):
		t.Fatal("alert not delivered within 3s")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}
