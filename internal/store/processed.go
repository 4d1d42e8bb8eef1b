package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
	State     []byte
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
			return s.saveState(ctx, tx, b.StateName, b.State)
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
	st, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO processed(key, at) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	now := unixNano(s.now())
	for _, k := range keys {
		if k == "" {
			return errors.New("empty processed key")
		}
		if _, err := st.ExecContext(ctx, k, now); err != nil {
			return fmt.Errorf("processed key %q: %w", k, err)
		}
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
// chunk (cheaper than Seen per event on a batch).
func (s *Store) SeenSet(ctx context.Context, keys []string) (map[string]bool, error) {
	seen := make(map[string]bool)
	const chunk = 500 // well under SQLite's bound-parameter limit
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		q := `SELECT key FROM processed WHERE key IN (?` + strings.Repeat(",?", len(part)-1) + `)`
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		rows, err := s.db.QueryContext(ctx, q, args...)
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
	rows, err := s.db.QueryContext(ctx, `SELECT `+recordColumns+` FROM findings
		WHERE alert_pending = 1 ORDER BY first_seen, id LIMIT ?`, limit)
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
		st, err := tx.PrepareContext(ctx, `UPDATE findings SET alert_pending = 0 WHERE id = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
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
