package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations returns the schema steps in order; entry i creates schema
// version i+1. Never edit a released entry: append a new one.
func migrations() []string {
	return []string{
		`CREATE TABLE findings (
		id          TEXT PRIMARY KEY,
		rule        TEXT NOT NULL,
		severity    INTEGER NOT NULL,
		time        INTEGER NOT NULL,
		status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','acknowledged','resolved')),
		status_note TEXT NOT NULL DEFAULT '',
		status_time INTEGER NOT NULL DEFAULT 0,
		json        BLOB NOT NULL,
		first_seen  INTEGER NOT NULL,
		last_seen   INTEGER NOT NULL,
		alert_pending INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX findings_time ON findings(time);
	CREATE INDEX findings_rule ON findings(rule, time);
	CREATE INDEX findings_pending ON findings(alert_pending) WHERE alert_pending = 1;
	CREATE TABLE processed (
		key TEXT PRIMARY KEY,
		at  INTEGER NOT NULL
	) WITHOUT ROWID;
	CREATE INDEX processed_at ON processed(at);
	CREATE TABLE state (
		name    TEXT PRIMARY KEY,
		blob    BLOB NOT NULL,
		updated INTEGER NOT NULL
	);
	CREATE TABLE checkpoints (
		key     TEXT PRIMARY KEY,
		value   TEXT NOT NULL,
		updated INTEGER NOT NULL
	);
	CREATE TABLE dead_letters (
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		sink       TEXT NOT NULL,
		finding_id TEXT NOT NULL,
		error      TEXT NOT NULL,
		attempts   INTEGER NOT NULL,
		time       INTEGER NOT NULL
	);
	CREATE INDEX dead_letters_time ON dead_letters(time);`,
	}
}

// SchemaVersion is the version a fully migrated database reports.
func SchemaVersion() int { return len(migrations()) }

// migrate applies pending migrations, each in its own transaction together
// with its row in schema_migrations, so a crash leaves a consistent version
// and a concurrent opener re-checks the version under the write lock.
func (s *Store) migrate(ctx context.Context, migrations []string) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		applied INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for i, m := range migrations {
		v := i + 1
		err := s.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied) VALUES (?, ?)`, v, unixNano(s.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate to version %d: %w", v, err)
		}
	}
	var max int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&max); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if max > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this portcullis (%d): upgrade portcullis", max, len(migrations))
	}
	return nil
}

// Version reports the applied schema version.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
