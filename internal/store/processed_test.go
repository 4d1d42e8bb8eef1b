package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/sink"
)

func TestCommitIsAtomicAndReturnsOnlyNewFindings(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	at := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	f1, f2 := mkFinding("r", finding.High, at, "e1"), mkFinding("r", finding.High, at, "e2")
	fresh, err := s.Commit(ctx, Batch{Findings: []finding.Finding{f1}, Processed: []string{"e1"}, StateName: "det", State: oneRow("s1")})
	if err != nil || len(fresh) != 1 || fresh[0].ID != f1.ID {
		t.Fatalf("commit 1: %v, %v", fresh, err)
	}
	fresh, err = s.Commit(ctx, Batch{Findings: []finding.Finding{f1, f2}, Processed: []string{"e1", "e2"}, StateName: "det", State: oneRow("s2")})
	if err != nil || len(fresh) != 1 || fresh[0].ID != f2.ID {
		t.Fatalf("commit 2: %v, %v", fresh, err)
	}
	// A failing batch (finding without id) must leave nothing behind.
	_, err = s.Commit(ctx, Batch{Findings: []finding.Finding{mkFinding("r", finding.Low, at, "e3"), {Rule: "x"}}, Processed: []string{"e3"}, StateName: "det", State: oneRow("s3")})
	if err == nil {
		t.Fatal("bad batch committed")
	}
	if seen, _ := s.Seen(ctx, "e3"); seen {
		t.Error("failed batch marked e3 processed")
	}
	if st := stateRow(t, s, "det"); st != "s2" {
		t.Errorf("state after failed batch = %q, want s2", st)
	}
	if rs, _ := s.ListFindings(ctx, Filter{}); len(rs) != 2 {
		t.Errorf("%d findings stored, want 2", len(rs))
	}
	pend, err := s.PendingAlerts(ctx, 10)
	if err != nil || len(pend) != 2 {
		t.Fatalf("pending = %d, %v; want 2", len(pend), err)
	}
	if err := s.MarkAlerted(ctx, []string{f1.ID}); err != nil {
		t.Fatal(err)
	}
	pend, _ = s.PendingAlerts(ctx, 10)
	if len(pend) != 1 || pend[0].ID != f2.ID {
		t.Errorf("pending after MarkAlerted = %v", pend)
	}
}

func TestSeenSetAndPrune(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, _ := openTemp(t, WithClock(c.now))
	var old, recent []string
	for i := 0; i < 700; i++ { // more than one SeenSet chunk
		old = append(old, fmt.Sprintf("old-%d", i))
	}
	if err := s.MarkProcessed(ctx, old); err != nil {
		t.Fatal(err)
	}
	c.add(48 * time.Hour)
	for i := 0; i < 5; i++ {
		recent = append(recent, fmt.Sprintf("new-%d", i))
	}
	if err := s.MarkProcessed(ctx, recent); err != nil {
		t.Fatal(err)
	}
	probe := append(append([]string{"never"}, old...), recent...)
	seen, err := s.SeenSet(ctx, probe)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(old)+len(recent) || seen["never"] {
		t.Errorf("SeenSet: %d seen (never=%v), want %d", len(seen), seen["never"], len(old)+len(recent))
	}
	n, err := s.PruneProcessed(ctx, c.now().Add(-24*time.Hour))
	if err != nil || n != int64(len(old)) {
		t.Fatalf("pruned %d, %v; want %d", n, err, len(old))
	}
	if ok, _ := s.Seen(ctx, "old-3"); ok {
		t.Error("old-3 still seen after prune")
	}
	if ok, _ := s.Seen(ctx, "new-3"); !ok {
		t.Error("new-3 pruned")
	}
	if err := s.MarkProcessed(ctx, []string{""}); err == nil {
		t.Error("empty key accepted")
	}
}

// The store keeps what a sink gives up on: it is the sink's dead-letter recorder.
var _ sink.DeadLetterer = (*Store)(nil)

func TestStateCheckpointsDeadLetters(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if b, err := s.LoadState(ctx, "det"); err != nil || b != nil {
		t.Errorf("LoadState on empty store = %q, %v", b, err)
	}
	if _, ok, err := s.Checkpoint(ctx, "s3:bucket/prefix"); ok || err != nil {
		t.Errorf("Checkpoint on empty store: ok=%v err=%v", ok, err)
	}
	if err := s.SaveState(ctx, "det", []byte(`{"w":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveState(ctx, "det", []byte(`{"w":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCheckpoint(ctx, "s3:bucket/prefix", "AWSLogs/1/x"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddDeadLetter(ctx, sink.DeadLetter{Sink: "slack", FindingID: "pf-1", Error: "HTTP 500", Attempts: 5}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddDeadLetter(ctx, sink.DeadLetter{Sink: "pagerduty", FindingID: "pf-1", Error: "HTTP 400", Attempts: 1}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if b, _ := s.LoadState(ctx, "det"); string(b) != `{"w":2}` {
		t.Errorf("state after reopen = %q", b)
	}
	if v, ok, _ := s.Checkpoint(ctx, "s3:bucket/prefix"); !ok || v != "AWSLogs/1/x" {
		t.Errorf("checkpoint = %q, %v", v, ok)
	}
	dls, err := s.DeadLetters(ctx, 0)
	if err != nil || len(dls) != 2 || dls[0].Sink != "slack" || dls[0].Attempts != 5 || dls[0].Time.IsZero() {
		t.Fatalf("dead letters = %+v, %v", dls, err)
	}
	if err := s.DeleteDeadLetter(ctx, dls[0].ID); err != nil {
		t.Fatal(err)
	}
	if dls, _ := s.DeadLetters(ctx, 0); len(dls) != 1 || dls[0].Sink != "pagerduty" {
		t.Errorf("after delete: %+v", dls)
	}
}

// Two handles on one file stand in for two processes; each writes from
// several goroutines. Every commit must succeed (no SQLITE_BUSY) and every
// finding must be stored exactly once.
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	var handles []*Store
	for i := 0; i < 2; i++ {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		handles = append(handles, s)
	}
	const workers, batches = 6, 20
	at := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, workers*batches)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := handles[w%2]
			for b := 0; b < batches; b++ {
				// Workers overlap pairwise on event ids, so half the findings
				// are contended duplicates.
				id := fmt.Sprintf("e-%d-%d", w/2, b)
				_, err := s.Commit(ctx, Batch{
					Findings:  []finding.Finding{mkFinding("r", finding.High, at, id)},
					Processed: []string{id},
					StateName: "det", State: oneRow(id),
				})
				if err != nil {
					errs <- err
					return
				}
				if _, err := s.ListFindings(ctx, Filter{Limit: 5}); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rs, err := handles[0].ListFindings(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := workers / 2 * batches; len(rs) != want {
		t.Errorf("%d findings, want %d", len(rs), want)
	}
	pend, _ := handles[1].PendingAlerts(ctx, 1000)
	if len(pend) != len(rs) {
		t.Errorf("%d pending alerts, want %d (each finding queued once)", len(pend), len(rs))
	}
}
