package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// Status is a finding's triage state.
type Status string

const (
	StatusOpen         Status = "open"
	StatusAcknowledged Status = "acknowledged"
	StatusResolved     Status = "resolved"
)

// ParseStatus accepts open, acknowledged (or ack) and resolved.
func ParseStatus(s string) (Status, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "open":
		return StatusOpen, nil
	case "acknowledged", "ack":
		return StatusAcknowledged, nil
	case "resolved":
		return StatusResolved, nil
	}
	return "", fmt.Errorf("unknown status %q (want open, acknowledged or resolved)", s)
}

// Record is a stored finding with its triage fields. In JSON the finding's
// own fields come first-level (embedded), followed by the store's.
type Record struct {
	finding.Finding
	Status     Status    `json:"status"`
	StatusNote string    `json:"status_note,omitempty"`
	StatusTime time.Time `json:"status_time,omitzero"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
}

// Filter selects findings. Zero fields match everything.
type Filter struct {
	Status      Status
	MinSeverity finding.Severity
	Rule        string
	Since       time.Time // finding time >= Since
	Until       time.Time // finding time < Until
	Limit       int       // 0 = no limit
}

// PutFindings stores findings without queueing alerts for them (hunt
// results, imports). A finding already present keeps its status and first
// copy; only last_seen moves. It returns how many were new.
func (s *Store) PutFindings(ctx context.Context, fs []finding.Finding) (inserted int, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		fresh, err := s.putFindings(ctx, tx, fs, false)
		inserted = len(fresh)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: put findings: %w", err)
	}
	return inserted, nil
}

func (s *Store) putFindings(ctx context.Context, tx *sql.Tx, fs []finding.Finding, pending bool) ([]finding.Finding, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	ins := tx.StmtContext(ctx, s.writes.insertFinding)
	upd := tx.StmtContext(ctx, s.writes.touchFinding)
	keys := tx.StmtContext(ctx, s.writes.insertKeys)
	now := unixNano(s.now())
	var fresh []finding.Finding
	for i, f := range fs {
		if f.ID == "" {
			return nil, fmt.Errorf("finding %d (rule %s): empty id", i, f.Rule)
		}
		blob, err := json.Marshal(f)
		if err != nil {
			return nil, fmt.Errorf("finding %s: encode: %w", f.ID, err)
		}
		res, err := ins.ExecContext(ctx, f.ID, f.Rule, int(f.Severity), unixNano(f.Time), blob, now, now, pending)
		if err != nil {
			return nil, fmt.Errorf("finding %s: insert: %w", f.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			fresh = append(fresh, f)
			if ks := findingKeys(&f); len(ks) > 0 {
				arr, err := json.Marshal(ks)
				if err != nil {
					return nil, fmt.Errorf("finding %s: keys: %w", f.ID, err)
				}
				if _, err := keys.ExecContext(ctx, unixNano(f.Time), f.ID, string(arr)); err != nil {
					return nil, fmt.Errorf("finding %s: keys: %w", f.ID, err)
				}
			}
			continue
		}
		if _, err := upd.ExecContext(ctx, now, f.ID); err != nil {
			return nil, fmt.Errorf("finding %s: update: %w", f.ID, err)
		}
	}
	return fresh, nil
}

const recordColumns = `json, status, status_note, status_time, first_seen, last_seen`

func scanRecord(sc interface{ Scan(...any) error }) (Record, error) {
	var (
		r                        Record
		blob                     []byte
		status                   string
		statusT, first, lastSeen int64
	)
	if err := sc.Scan(&blob, &status, &r.StatusNote, &statusT, &first, &lastSeen); err != nil {
		return r, err
	}
	if err := json.Unmarshal(blob, &r.Finding); err != nil {
		return r, fmt.Errorf("decode stored finding: %w", err)
	}
	r.Status = Status(status)
	r.StatusTime, r.FirstSeen, r.LastSeen = fromNano(statusT), fromNano(first), fromNano(lastSeen)
	return r, nil
}

// ListFindings returns matching findings, newest (by finding time) first.
func (s *Store) ListFindings(ctx context.Context, f Filter) ([]Record, error) {
	var (
		where []string
		args  []any
	)
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.MinSeverity > finding.Info {
		where, args = append(where, "severity >= ?"), append(args, int(f.MinSeverity))
	}
	if f.Rule != "" {
		where, args = append(where, "rule = ?"), append(args, f.Rule)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "time >= ?"), append(args, unixNano(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "time < ?"), append(args, unixNano(f.Until))
	}
	q := `SELECT ` + recordColumns + ` FROM findings`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY time DESC, id"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list findings: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list findings: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list findings: %w", err)
	}
	return out, nil
}

// GetFinding returns one finding by id (ErrNotFound if absent).
func (s *Store) GetFinding(ctx context.Context, id string) (Record, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM findings WHERE id = ?`, id)
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("store: finding %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("store: finding %s: %w", id, err)
	}
	return r, nil
}

// SetStatus changes a finding's triage status and note (ErrNotFound if the
// id is unknown).
func (s *Store) SetStatus(ctx context.Context, id string, st Status, note string) error {
	if _, err := ParseStatus(string(st)); err != nil {
		return fmt.Errorf("store: finding %s: %w", id, err)
	}
	res, err := s.exec(ctx, `UPDATE findings SET status = ?, status_note = ?, status_time = ? WHERE id = ?`,
		string(st), note, unixNano(s.now()), id)
	if err != nil {
		return fmt.Errorf("store: finding %s: set status: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: finding %s: %w", id, ErrNotFound)
	}
	return nil
}
