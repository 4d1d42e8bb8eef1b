package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// Batch is everything one step of the watcher makes durable at once: new
// findings (queued for alerting), the event ids (or object keys) now handled,
// and the detector state after them. Writing them in one transaction is what
// makes a crash at any point lose nothing and duplicate nothing.
type Batch struct {
	Findings  []finding.Finding
	Processed []string
	StateName string // "" = leave state alone
	// State is the rows of the detector state the batch changed (see
	// SaveStateRows); StateFull says they are the whole state.
	State     StateRows
	StateFull bool
}

// Commit applies a Batch atomically and returns the findings that were new
// (the ones to alert on).
func (s *Store) Commit(ctx context.Context, b Batch) (fresh []finding.Finding, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if fresh, err = s.putFindings(ctx, tx, b.Findings, true); err != nil {
			return err
		}
		if err := s.markProcessed(ctx, tx, b.Processed); err != nil {
			return err
		}
		if b.StateName != "" {
			return s.saveStateRows(ctx, tx, b.StateName, b.StateFull, b.State)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: commit: %w", err)
	}
	return fresh, nil
}

// MarkProcessed records event ids (or other keys) as handled.
func (s *Store) MarkProcessed(ctx context.Context, keys []string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error { return s.markProcessed(ctx, tx, keys) })
	if err != nil {
		return fmt.Errorf("store: mark processed: %w", err)
	}
	return nil
}

func (s *Store) markProcessed(ctx context.Context, tx *sql.Tx, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	for _, k := range keys {
		if k == "" {
			return errors.New("empty processed key")
		}
	}
	arr, err := json.Marshal(keys)
	if err != nil {
		return fmt.Errorf("processed keys: %w", err)
	}
	if _, err := tx.StmtContext(ctx, s.writes.insertProcessed).ExecContext(ctx, unixNano(s.now()), string(arr)); err != nil {
		return fmt.Errorf("processed keys %q…: %w", keys[0], err)
	}
	return nil
}

// Seen reports whether key was marked processed.
func (s *Store) Seen(ctx context.Context, key string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM processed WHERE key = ?`, key).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: seen %q: %w", key, err)
	}
	return n > 0, nil
}

// SeenSet returns the subset of keys already processed, in one query per
// chunk (cheaper than Seen per event on a batch). It reads through the
// writer's connection, whose cache the commits keep warm: the watcher asks
// it for every batch, just before committing one.
func (s *Store) SeenSet(ctx context.Context, keys []string) (map[string]bool, error) {
	seen := make(map[string]bool)
	const chunk = 5000
	for start := 0; start < len(keys); start += chunk {
		part, err := json.Marshal(keys[start:min(start+chunk, len(keys))])
		if err != nil {
			return nil, fmt.Errorf("store: seen set: %w", err)
		}
		rows, err := s.writes.seen.QueryContext(ctx, string(part))
		if err != nil {
			return nil, fmt.Errorf("store: seen set: %w", err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: seen set: %w", err)
			}
			seen[k] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: seen set: %w", err)
		}
	}
	return seen, nil
}

// PruneProcessed forgets keys processed before cutoff and returns how many.
// Keep at least the longest redelivery window (SQS retains messages for up
// to 14 days).
func (s *Store) PruneProcessed(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM processed WHERE at < ?`, unixNano(cutoff))
	if err != nil {
		return 0, fmt.Errorf("store: prune processed: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// PendingAlerts returns findings committed by Commit whose alerts have not
// been marked delivered, oldest first.
func (s *Store) PendingAlerts(ctx context.Context, limit int) ([]finding.Finding, error) {
	if limit <= 0 {
		limit = 100
	}
	// Through the writer's connection, as SeenSet: the pages are the ones
	// the last commits wrote, still in its cache.
	rows, err := s.writes.pending.QueryContext(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending alerts: %w", err)
	}
	defer rows.Close()
	var out []finding.Finding
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("store: pending alerts: %w", err)
		}
		out = append(out, r.Finding)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pending alerts: %w", err)
	}
	return out, nil
}

// MarkAlerted clears the pending-alert flag (delivered, or dead-lettered).
func (s *Store) MarkAlerted(ctx context.Context, ids []string) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		st := tx.StmtContext(ctx, s.writes.markAlerted)
		for _, id := range ids {
			if _, err := st.ExecContext(ctx, id); err != nil {
				return fmt.Errorf("finding %s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: mark alerted: %w", err)
	}
	return nil
}
