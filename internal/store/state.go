package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// StateRows streams a detector's state as rows: it calls put once per row,
// named by kind and key. A nil value deletes the row. A detector hands the
// rows a batch changed; the store writes only those, so the cost of a
// commit follows the batch, not the size of the state.
type StateRows func(put func(kind, key string, value []byte) error) error

// StateRowCount says how many rows a named state holds.
func (s *Store) StateRowCount(ctx context.Context, name string) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM engine_state WHERE name = ?`, name).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: state %s: %w", name, err)
	}
	return n, nil
}

// ForEachStateRow calls fn for every row of the named state, in kind and
// key order, and returns how many there were. fn's value is only valid
// during the call.
func (s *Store) ForEachStateRow(ctx context.Context, name string, fn func(kind, key string, value []byte) error) (int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, key, value FROM engine_state WHERE name = ? ORDER BY kind, key`, name)
	if err != nil {
		return 0, fmt.Errorf("store: load state %s: %w", name, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var kind, key string
		var value sql.RawBytes
		if err := rows.Scan(&kind, &key, &value); err != nil {
			return n, fmt.Errorf("store: load state %s: %w", name, err)
		}
		if err := fn(kind, key, value); err != nil {
			return n, fmt.Errorf("state %s: %s %q: %w", name, kind, key, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("store: load state %s: %w", name, err)
	}
	return n, nil
}

// SaveStateRows writes rows of a named state in one transaction. full
// replaces the state: every row not in rows goes, and so does a
// single-blob state of that name (SaveState's older form).
func (s *Store) SaveStateRows(ctx context.Context, name string, full bool, rows StateRows) error {
	err := s.tx(ctx, func(tx *sql.Tx) error { return s.saveStateRows(ctx, tx, name, full, rows) })
	if err != nil {
		return fmt.Errorf("store: save state %s: %w", name, err)
	}
	return nil
}

func (s *Store) saveStateRows(ctx context.Context, tx *sql.Tx, name string, full bool, rows StateRows) error {
	if name == "" {
		return errors.New("state rows without a state name")
	}
	if full {
		if _, err := tx.ExecContext(ctx, `DELETE FROM engine_state WHERE name = ?`, name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM state WHERE name = ?`, name); err != nil {
			return err
		}
	}
	if rows == nil {
		return nil
	}
	put, del := tx.StmtContext(ctx, s.writes.putState), tx.StmtContext(ctx, s.writes.deleteState)
	return rows(func(kind, key string, value []byte) error {
		var err error
		switch {
		case value != nil:
			_, err = put.ExecContext(ctx, name, kind, key, value)
		case !full: // after a full save's DELETE there is nothing left to delete
			_, err = del.ExecContext(ctx, name, kind, key)
		}
		return err
	})
}
