package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/portcullis-sec/portcullis/internal/sink"
)

// SaveState stores a named state blob (the detector's correlation windows).
func (s *Store) SaveState(ctx context.Context, name string, blob []byte) error {
	err := s.tx(ctx, func(tx *sql.Tx) error { return s.saveState(ctx, tx, name, blob) })
	if err != nil {
		return fmt.Errorf("store: save state %s: %w", name, err)
	}
	return nil
}

func (s *Store) saveState(ctx context.Context, tx *sql.Tx, name string, blob []byte) error {
	if blob == nil {
		blob = []byte{}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO state(name, blob, updated) VALUES (?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET blob = excluded.blob, updated = excluded.updated`,
		name, blob, unixNano(s.now()))
	return err
}

// LoadState returns a state blob; nil (and no error) when none was saved.
func (s *Store) LoadState(ctx context.Context, name string) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT blob FROM state WHERE name = ?`, name).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: load state %s: %w", name, err)
	}
	return b, nil
}

// SetCheckpoint records a resume point (e.g. the last S3 key listed).
func (s *Store) SetCheckpoint(ctx context.Context, key, value string) error {
	_, err := s.exec(ctx, `INSERT INTO checkpoints(key, value, updated) VALUES (?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated = excluded.updated`,
		key, value, unixNano(s.now()))
	if err != nil {
		return fmt.Errorf("store: set checkpoint %s: %w", key, err)
	}
	return nil
}

// Checkpoint returns a resume point; ok is false when none was set.
func (s *Store) Checkpoint(ctx context.Context, key string) (value string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT value FROM checkpoints WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: checkpoint %s: %w", key, err)
	}
	return value, true, nil
}

// AddDeadLetter records a failed delivery (Time defaults to now).
func (s *Store) AddDeadLetter(ctx context.Context, d sink.DeadLetter) error {
	if d.Time.IsZero() {
		d.Time = s.now()
	}
	_, err := s.exec(ctx, `INSERT INTO dead_letters(sink, finding_id, error, attempts, time) VALUES (?, ?, ?, ?, ?)`,
		d.Sink, d.FindingID, d.Error, d.Attempts, unixNano(d.Time))
	if err != nil {
		return fmt.Errorf("store: dead letter for %s/%s: %w", d.Sink, d.FindingID, err)
	}
	return nil
}

// DeadLetters lists failed deliveries, oldest first (limit 0 = all).
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]sink.DeadLetter, error) {
	q := `SELECT id, sink, finding_id, error, attempts, time FROM dead_letters ORDER BY time, id`
	var args []any
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: dead letters: %w", err)
	}
	defer rows.Close()
	var out []sink.DeadLetter
	for rows.Next() {
		var d sink.DeadLetter
		var t int64
		if err := rows.Scan(&d.ID, &d.Sink, &d.FindingID, &d.Error, &d.Attempts, &t); err != nil {
			return nil, fmt.Errorf("store: dead letters: %w", err)
		}
		d.Time = fromNano(t)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: dead letters: %w", err)
	}
	return out, nil
}

// DeleteDeadLetter removes one record (after a successful replay).
func (s *Store) DeleteDeadLetter(ctx context.Context, id int64) error {
	if _, err := s.exec(ctx, `DELETE FROM dead_letters WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete dead letter %d: %w", id, err)
	}
	return nil
}
