package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// clock is a manual clock safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2025, 8, 1, 12, 0, 0, 0, time.UTC)} }

func openTemp(t testing.TB, opts ...Option) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "portcullis.db")
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func mkFinding(rule string, sev finding.Severity, at time.Time, eventID string) finding.Finding {
	return finding.Finding{
		Schema: finding.Schema, ID: finding.StableID(rule, eventID), Rule: rule, Title: rule,
		Severity: sev, Time: at, Summary: "test " + eventID,
		Events: []finding.EventRef{{EventID: eventID, EventName: "CreateAccountAssignment", EventSource: "sso.amazonaws.com", Time: at}},
	}
}

func TestOpenUsesWALAndBusyTimeout(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	var mode string
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	var busy int
	if err := s.db.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
		t.Fatal(err)
	}
	if busy != int(BusyTimeout.Milliseconds()) {
		t.Errorf("busy_timeout = %d, want %d", busy, BusyTimeout.Milliseconds())
	}
}

func TestOpenRejectsEmptyPathAndDirectory(t *testing.T) {
	if _, err := Open(context.Background(), ""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
	if _, err := Open(context.Background(), t.TempDir()); err == nil {
		t.Error("Open(directory) succeeded")
	}
}

func TestReopenKeepsDataAndMigrationsAreIdempotent(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	f := mkFinding("idc.test.rule", finding.High, time.Now().UTC(), "e1")
	if _, err := s.PutFindings(ctx, []finding.Finding{f}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for i := 0; i < 3; i++ {
		s2, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		v, err := s2.Version(ctx)
		if err != nil || v != SchemaVersion() {
			t.Fatalf("reopen %d: version %d, %v; want %d", i, v, err, SchemaVersion())
		}
		var rows int
		s2.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&rows)
		if rows != SchemaVersion() {
			t.Errorf("reopen %d: %d schema_migrations rows, want %d", i, rows, SchemaVersion())
		}
		got, err := s2.GetFinding(ctx, f.ID)
		if err != nil || got.Summary != f.Summary {
			t.Errorf("reopen %d: finding = %+v, %v", i, got, err)
		}
		s2.Close()
	}
}

func TestMigrateAppliesOnlyNewStepsAndRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	next := append(migrations(), `CREATE TABLE extra (x INTEGER)`)
	for i := 0; i < 2; i++ { // twice: the second run must be a no-op
		if err := s.migrate(ctx, next); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	if v, _ := s.Version(ctx); v != len(next) {
		t.Fatalf("version %d, want %d", v, len(next))
	}
	s.Close()
	_, err := Open(ctx, path)
	if err == nil {
		t.Fatal("opening a database from a newer portcullis succeeded")
	}
}

func TestMigrateFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	bad := append(migrations(), `CREATE TABLE ok1 (x INTEGER); THIS IS NOT SQL`)
	if err := s.migrate(ctx, bad); err == nil {
		t.Fatal("bad migration succeeded")
	}
	if v, _ := s.Version(ctx); v != SchemaVersion() {
		t.Errorf("version after failed migration = %d, want %d", v, SchemaVersion())
	}
	var n int
	s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'ok1'`).Scan(&n)
	if n != 0 {
		t.Error("half-applied migration left table ok1 behind")
	}
}

func TestPutFindingsIsIdempotentByID(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s, _ := openTemp(t, WithClock(c.now))
	at := time.Date(2025, 7, 30, 10, 0, 0, 0, time.UTC)
	fs := []finding.Finding{
		mkFinding("r.a", finding.High, at, "e1"),
		mkFinding("r.b", finding.Low, at.Add(time.Minute), "e2"),
	}
	n, err := s.PutFindings(ctx, fs)
	if err != nil || n != 2 {
		t.Fatalf("first put: %d, %v", n, err)
	}
	first := c.now()
	c.add(time.Hour)
	if err := s.SetStatus(ctx, fs[0].ID, StatusAcknowledged, "known change"); err != nil {
		t.Fatal(err)
	}
	n, err = s.PutFindings(ctx, append(fs, mkFinding("r.c", finding.Medium, at, "e3")))
	if err != nil || n != 1 {
		t.Fatalf("second put: inserted %d, %v; want 1", n, err)
	}
	r, err := s.GetFinding(ctx, fs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusAcknowledged || r.StatusNote != "known change" {
		t.Errorf("re-put reset status: %+v", r)
	}
	if !r.FirstSeen.Equal(first) || !r.LastSeen.Equal(c.now()) {
		t.Errorf("first/last seen = %v/%v, want %v/%v", r.FirstSeen, r.LastSeen, first, c.now())
	}
	if pend, _ := s.PendingAlerts(ctx, 0); len(pend) != 0 {
		t.Errorf("PutFindings queued %d alerts, want none", len(pend))
	}
	if _, err := s.PutFindings(ctx, []finding.Finding{{Rule: "r.x"}}); err == nil {
		t.Error("finding without id accepted")
	}
}

func TestListFindingsFilters(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	base := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	fs := []finding.Finding{
		mkFinding("r.a", finding.Critical, base, "e1"),
		mkFinding("r.a", finding.Low, base.Add(1*time.Hour), "e2"),
		mkFinding("r.b", finding.High, base.Add(2*time.Hour), "e3"),
		mkFinding("r.b", finding.Medium, base.Add(3*time.Hour), "e4"),
	}
	if _, err := s.PutFindings(ctx, fs); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(ctx, fs[2].ID, StatusResolved, ""); err != nil {
		t.Fatal(err)
	}
	ids := func(rs []Record) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Events[0].EventID)
		}
		return out
	}
	tests := []struct {
		name string
		f    Filter
		want []string
	}{
		{"all newest first", Filter{}, []string{"e4", "e3", "e2", "e1"}},
		{"status open", Filter{Status: StatusOpen}, []string{"e4", "e2", "e1"}},
		{"status resolved", Filter{Status: StatusResolved}, []string{"e3"}},
		{"min severity high", Filter{MinSeverity: finding.High}, []string{"e3", "e1"}},
		{"rule", Filter{Rule: "r.a"}, []string{"e2", "e1"}},
		{"since", Filter{Since: base.Add(2 * time.Hour)}, []string{"e4", "e3"}},
		{"until", Filter{Until: base.Add(1 * time.Hour)}, []string{"e1"}},
		{"limit", Filter{Limit: 2}, []string{"e4", "e3"}},
		{"combined", Filter{Rule: "r.b", Status: StatusOpen, MinSeverity: finding.Medium}, []string{"e4"}},
		{"no match", Filter{Rule: "nope"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := s.ListFindings(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(rs); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSetStatusErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	f := mkFinding("r", finding.Info, time.Now(), "e")
	s.PutFindings(ctx, []finding.Finding{f})
	if err := s.SetStatus(ctx, "pf-missing", StatusResolved, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
	if err := s.SetStatus(ctx, f.ID, Status("closed"), ""); err == nil {
		t.Error("bad status accepted")
	}
	if _, err := s.GetFinding(ctx, "pf-missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetFinding unknown: %v", err)
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]Status{"open": StatusOpen, "ACK": StatusAcknowledged, "acknowledged": StatusAcknowledged, " resolved ": StatusResolved} {
		if got, err := ParseStatus(in); err != nil || got != want {
			t.Errorf("ParseStatus(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseStatus("done"); err == nil {
		t.Error("ParseStatus(done) succeeded")
	}
}

func TestOpenPathWithSpecialCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a b#c?d%20")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "store.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the literal path: %v", err)
	}
}

// `findings list --format json` prints Records: the finding's fields and
// the triage fields side by side.
func TestRecordJSONIsFlat(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	f := mkFinding("r", finding.High, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), "e1")
	s.PutFindings(ctx, []finding.Finding{f})
	s.SetStatus(ctx, f.ID, StatusAcknowledged, "ticket-42")
	r, err := s.GetFinding(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	var m map[string]any
	json.Unmarshal(b, &m)
	for k, want := range map[string]any{"id": f.ID, "rule": "r", "severity": "high", "status": "acknowledged", "status_note": "ticket-42", "schema": finding.Schema} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if _, ok := m["first_seen"]; !ok {
		t.Error("no first_seen")
	}
}
