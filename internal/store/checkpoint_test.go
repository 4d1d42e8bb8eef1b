package store

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// TestCheckpointerKeepsTheWALBounded: the writer never checkpoints itself,
// so without the checkpointer the WAL would hold every page every commit
// wrote. With it the WAL is copied back and reused, and stays a small
// fraction of what was written.
func TestCheckpointerKeepsTheWALBounded(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	const commits = 100 * checkpointEvery
	for i := range commits {
		keys := make([]string, 20)
		for j := range keys {
			keys[j] = fmt.Sprintf("ev:%06d-%02d", i, j)
		}
		if err := s.MarkProcessed(ctx, keys); err != nil {
			t.Fatal(err)
		}
	}
	var busy, logFrames, done int
	if err := s.w.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&busy); err != nil {
		t.Fatal(err)
	}
	pageSize := busy
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// Every commit writes a page of processed, one of its index, and the
	// pages above them as the tree grows.
	t.Logf("WAL %d bytes after %d commits", fi.Size(), commits)
	if written := int64(commits * 4 * pageSize); fi.Size() > written/4 {
		t.Errorf("WAL is %d bytes after %d commits that wrote at least %d: not checkpointed", fi.Size(), commits, written)
	}
	// What is in it is readable and the database is whole.
	if err := s.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done); err != nil {
		t.Fatal(err)
	}
	if seen, err := s.Seen(ctx, fmt.Sprintf("ev:%06d-%02d", commits-1, 19)); err != nil || !seen {
		t.Errorf("last key seen = %v, %v", seen, err)
	}
}
