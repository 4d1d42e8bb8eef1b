package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// writes are the statements of the hot write path (the watcher's commit,
// its dedupe and its outbox), prepared once on the writer's connection:
// preparing the findings insert costs more than running it.
type writes struct {
	insertFinding, touchFinding, insertKeys *sql.Stmt
	insertProcessed, seen                   *sql.Stmt
	putState, deleteState, markAlerted      *sql.Stmt
	pending                                 *sql.Stmt
}

func (s *Store) prepareWrites(ctx context.Context) error {
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{
		{&s.writes.insertFinding, `INSERT OR IGNORE INTO findings
			(id, rule, severity, time, status, json, first_seen, last_seen, alert_pending)
			VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)`},
		{&s.writes.touchFinding, `UPDATE findings SET last_seen = ? WHERE id = ?`},
		// Many rows per statement, as a JSON array: one call through
		// database/sql costs more than the row it writes.
		{&s.writes.insertKeys, `INSERT OR IGNORE INTO finding_keys(key, time, id)
			SELECT value, ?, ? FROM json_each(?)`},
		{&s.writes.insertProcessed, `INSERT OR IGNORE INTO processed(key, at)
			SELECT value, ? FROM json_each(?)`},
		{&s.writes.seen, `SELECT key FROM processed WHERE key IN (SELECT value FROM json_each(?))`},
		{&s.writes.putState, `INSERT INTO engine_state(name, kind, key, value) VALUES (?, ?, ?, ?)
			ON CONFLICT(name, kind, key) DO UPDATE SET value = excluded.value`},
		{&s.writes.deleteState, `DELETE FROM engine_state WHERE name = ? AND kind = ? AND key = ?`},
		{&s.writes.markAlerted, `UPDATE findings SET alert_pending = 0 WHERE id = ?`},
		{&s.writes.pending, `SELECT ` + recordColumns + ` FROM findings
			WHERE alert_pending = 1 ORDER BY first_seen, id LIMIT ?`},
	} {
		st, err := s.w.PrepareContext(ctx, p.q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.q, err)
		}
		*p.dst = st
	}
	return nil
}

func (w *writes) close() {
	for _, st := range []*sql.Stmt{w.insertFinding, w.touchFinding, w.insertKeys, w.insertProcessed, w.seen, w.putState, w.deleteState, w.markAlerted, w.pending} {
		if st != nil {
			st.Close()
		}
	}
}

// findingKeys are the finding_keys rows of a finding (see
// findingKeysMigration): one per non-empty field of findingKeyPaths.
func findingKeys(f *finding.Finding) []string {
	var out []string
	for _, k := range findingKeyFields {
		if v := k.field(f); v != "" {
			out = append(out, k.prefix+v)
		}
	}
	return out
}

// findingKeyFields are findingKeyPaths as Go fields, in the same order (a
// test holds them to the JSON paths).
var findingKeyFields = []struct {
	prefix string
	field  func(*finding.Finding) string
}{
	{keyActor, func(f *finding.Finding) string { return f.Actor.ARN }},
	{keyActor, func(f *finding.Finding) string { return f.Actor.Name }},
	{keyActor, func(f *finding.Finding) string { return f.Actor.UserID }},
	{keySubject, func(f *finding.Finding) string { return f.Actor.ARN }},
	{keySubject, func(f *finding.Finding) string { return f.Actor.Name }},
	{keySubject, func(f *finding.Finding) string { return f.Actor.UserID }},
	{keySubject, func(f *finding.Finding) string { return f.Targets.PrincipalID }},
	{keySubject, func(f *finding.Finding) string { return f.Targets.UserID }},
	{keySubject, func(f *finding.Finding) string { return f.Targets.GroupID }},
	{keyAccount, func(f *finding.Finding) string { return f.Account }},
	{keyAccount, func(f *finding.Finding) string { return f.Targets.AccountID }},
}
