package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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
		findingKeysMigration,
		engineStateMigration,
		// Version 4: fewer pages per commit. The writer fills finding_keys
		// itself (findingKeys), from the finding it holds, instead of a
		// trigger parsing the JSON it just wrote eleven times over;
		// findings_page (time, id) serves every query findings_time did;
		// finding_keys_id served only the delete trigger, and portcullis
		// never deletes a finding (a hand-made DELETE still works, by a
		// scan). Each index is a page of its own in every commit.
		`DROP TRIGGER findings_keys_insert;
	DROP INDEX findings_time;
	DROP INDEX finding_keys_id;`,
	}
}

// engineStateMigration (version 3) keeps a detector's state as rows, one
// per correlation group, model object or enrichment entry, so a commit
// writes what a batch changed instead of the whole state (see state.go).
// The single-blob table stays for stores written before it: its row is
// read once and replaced by rows.
const engineStateMigration = `CREATE TABLE engine_state (
		name  TEXT NOT NULL,
		kind  TEXT NOT NULL,
		key   TEXT NOT NULL,
		value BLOB NOT NULL,
		PRIMARY KEY (name, kind, key)
	) WITHOUT ROWID;`

// findingKeysMigration (version 2) indexes who and where of each finding for
// the web view's filters: one row per (key, time, id), where key is
// "actor:" + the actor's ARN, name or user id, "account:" + the account it
// happened in or targeted, "subject:" + any of those actor values or a
// targeted principal, user or group id. A trigger fills it, so the writers
// (watch, hunt imports) stay as they are; existing rows are backfilled.
var findingKeysMigration = func() string {
	var trigger, backfill strings.Builder
	for _, k := range findingKeyPaths {
		fmt.Fprintf(&trigger, `
		INSERT OR IGNORE INTO finding_keys(key, time, id)
			SELECT '%[1]s' || v, NEW.time, NEW.id FROM (SELECT json_extract(NEW.json, '%[2]s') AS v) WHERE v IS NOT NULL AND v <> '';`, k.prefix, k.path)
		fmt.Fprintf(&backfill, `
	INSERT OR IGNORE INTO finding_keys(key, time, id)
		SELECT '%[1]s' || v, time, id FROM (SELECT json_extract(json, '%[2]s') AS v, time, id FROM findings) WHERE v IS NOT NULL AND v <> '';`, k.prefix, k.path)
	}
	return `CREATE TABLE finding_keys (
		key  TEXT NOT NULL,
		time INTEGER NOT NULL,
		id   TEXT NOT NULL,
		PRIMARY KEY (key, time, id)
	) WITHOUT ROWID;
	CREATE INDEX finding_keys_id ON finding_keys(id);
	CREATE INDEX findings_page ON findings(time, id);
	CREATE INDEX findings_status_sev ON findings(status, severity, time, id);
	CREATE TRIGGER findings_keys_insert AFTER INSERT ON findings BEGIN` + trigger.String() + `
	END;
	CREATE TRIGGER findings_keys_delete AFTER DELETE ON findings BEGIN
		DELETE FROM finding_keys WHERE id = OLD.id;
	END;` + backfill.String()
}()

// findingKeyPaths are the finding JSON fields behind each key prefix.
var findingKeyPaths = []struct{ prefix, path string }{
	{keyActor, "$.actor.arn"}, {keyActor, "$.actor.name"}, {keyActor, "$.actor.user_id"},
	{keySubject, "$.actor.arn"}, {keySubject, "$.actor.name"}, {keySubject, "$.actor.user_id"},
	{keySubject, "$.targets.principal_id"}, {keySubject, "$.targets.user_id"}, {keySubject, "$.targets.group_id"},
	{keyAccount, "$.account"}, {keyAccount, "$.targets.account_id"},
}

// Key prefixes of finding_keys.
const (
	keyActor   = "actor:"
	keySubject = "subject:"
	keyAccount = "account:"
)

// SchemaVersion is the version a fully migrated database reports.
func SchemaVersion() int { return len(migrations()) }

// migrate applies pending migrations, each in its own transaction together
// with its row in schema_migrations, so a crash leaves a consistent version
// and a concurrent opener re-checks the version under the write lock.
func (s *Store) migrate(ctx context.Context, migrations []string) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
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
