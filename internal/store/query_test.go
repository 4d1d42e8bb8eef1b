package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// queryFixture is a small store whose findings differ in every field a
// Query filters on.
func queryFixture(t *testing.T) (*Store, map[string]string) {
	t.Helper()
	s, _ := openTemp(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	mk := func(name, rule string, sev finding.Severity, h int, actorARN, actorName, acct, targetAcct, principal string) finding.Finding {
		f := mkFinding(rule, sev, t0.Add(time.Duration(h)*time.Hour), name)
		f.Actor = finding.Actor{ARN: actorARN, Name: actorName}
		f.Account = acct
		f.Targets = finding.Targets{AccountID: targetAcct, PrincipalID: principal}
		return f
	}
	fs := []finding.Finding{
		mk("a", "idc.x", finding.High, 0, "arn:aws:iam::111111111111:user/mallory", "mallory", "111111111111", "222222222222", "u-1"),
		mk("b", "idc.x", finding.Low, 1, "arn:aws:iam::111111111111:user/mallory", "mallory", "111111111111", "", ""),
		mk("c", "idc.y", finding.Critical, 2, "", "alice", "333333333333", "444444444444", "g-9"),
		mk("d", "idc.y", finding.Medium, 3, "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/bob", "bob", "111111111111", "", "u-1"),
		mk("e", "idc.z", finding.Info, 4, "", "", "", "", ""),
	}
	if _, err := s.PutFindings(ctx, fs); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, f := range fs {
		ids[f.ID] = strings.TrimPrefix(f.Summary, "test ")
	}
	if err := s.SetStatus(ctx, fs[1].ID, StatusAcknowledged, "seen"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(ctx, fs[3].ID, StatusResolved, ""); err != nil {
		t.Fatal(err)
	}
	return s, ids
}

// names maps a page back to the fixture's short names, in page order.
func names(p Page, ids map[string]string) string {
	var out []string
	for _, r := range p.Records {
		out = append(out, ids[r.ID])
	}
	return strings.Join(out, ",")
}

func TestQueryFindingsFilters(t *testing.T) {
	s, ids := queryFixture(t)
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		q    Query
		want string // newest first
	}{
		{"everything newest first", Query{}, "e,d,c,b,a"},
		{"oldest first", Query{Oldest: true}, "a,b,c,d,e"},
		{"one status", Query{Statuses: []Status{StatusOpen}}, "e,c,a"},
		{"two statuses", Query{Statuses: []Status{StatusAcknowledged, StatusResolved}}, "d,b"},
		{"severities", Query{Severities: []finding.Severity{finding.Critical, finding.High}}, "c,a"},
		{"rule", Query{Rules: []string{"idc.y"}}, "d,c"},
		{"actor by ARN", Query{Actor: "arn:aws:iam::111111111111:user/mallory"}, "b,a"},
		{"actor by name", Query{Actor: "bob"}, "d"},
		{"actor is exact, not a prefix", Query{Actor: "mal"}, ""},
		{"account where it happened or targeted", Query{Account: "222222222222"}, "a"},
		{"account where it happened", Query{Account: "111111111111"}, "d,b,a"},
		{"subject: actor or targeted principal", Query{Subject: "u-1"}, "d,a"},
		{"subject by actor name", Query{Subject: "alice"}, "c"},
		{"time window", Query{Since: t0.Add(time.Hour), Until: t0.Add(3 * time.Hour)}, "c,b"},
		{"filters combine", Query{Actor: "mallory", Statuses: []Status{StatusOpen}}, "a"},
		{"no match", Query{Rules: []string{"nope"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.QueryFindings(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p, ids); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if want := len(strings.Split(tc.want, ",")); tc.want != "" && p.Total != want {
				t.Errorf("total %d, want %d", p.Total, want)
			}
		})
	}
}

func TestQueryFindingsPagesAgreeWithTotal(t *testing.T) {
	s, ids := queryFixture(t)
	ctx := context.Background()
	var all []string
	for off := 0; off < 10; off += 2 {
		p, err := s.QueryFindings(ctx, Query{Offset: off, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 5 || p.Offset != off || p.Limit != 2 {
			t.Fatalf("offset %d: total %d offset %d limit %d", off, p.Total, p.Offset, p.Limit)
		}
		if n := names(p, ids); n != "" {
			all = append(all, n)
		}
	}
	if got := strings.Join(all, ","); got != "e,d,c,b,a" {
		t.Errorf("pages joined = %q", got)
	}
	if _, err := s.QueryFindings(ctx, Query{Offset: -1}); err == nil {
		t.Error("negative offset accepted")
	}
	p, _ := s.QueryFindings(ctx, Query{Limit: MaxPageSize * 10})
	if p.Limit != MaxPageSize {
		t.Errorf("limit not capped: %d", p.Limit)
	}
}

func TestFindingsHistogramCountsPerBucketAndSeverity(t *testing.T) {
	s, _ := queryFixture(t)
	ctx := context.Background()
	h, err := s.FindingsHistogram(ctx, Query{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if h.Bucket != time.Hour || len(h.Buckets) != 5 || h.Total != 5 {
		t.Fatalf("bucket %v, %d buckets, total %d", h.Bucket, len(h.Buckets), h.Total)
	}
	want := [][5]int{{0, 0, 0, 1, 0}, {0, 1, 0, 0, 0}, {0, 0, 0, 0, 1}, {0, 0, 1, 0, 0}, {1, 0, 0, 0, 0}}
	for i, b := range h.Buckets {
		if b.Counts != want[i] {
			t.Errorf("bucket %d (%s) = %v, want %v", i, b.Start, b.Counts, want[i])
		}
	}
	// Fewer buckets allowed: wider ones, same total.
	h, _ = s.FindingsHistogram(ctx, Query{}, 2)
	sum := 0
	for _, b := range h.Buckets {
		for _, c := range b.Counts {
			sum += c
		}
	}
	if h.Bucket != 3*time.Hour || sum != 5 {
		t.Errorf("2 buckets max: width %v, sum %d", h.Bucket, sum)
	}
	h, _ = s.FindingsHistogram(ctx, Query{Rules: []string{"nope"}}, 0)
	if h.Total != 0 || len(h.Buckets) != 0 {
		t.Errorf("empty histogram = %+v", h)
	}
}

// Both ways of counting (GROUP BY for few findings, index range counts
// for many) give the same histogram.
func TestHistogramRangeCountsAgreeWithGrouping(t *testing.T) {
	s, _ := queryFixture(t)
	ctx := context.Background()
	for _, q := range []Query{{}, {Statuses: []Status{StatusOpen}}, {Severities: []finding.Severity{finding.High, finding.Critical}},
		{Since: time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC)}, {Actor: "mallory"}} {
		for _, buckets := range []int{2, 10, 60} {
			grouped, err := s.histogram(ctx, q, buckets, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			ranged, err := s.histogram(ctx, q, buckets, 0)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(grouped) != fmt.Sprint(ranged) {
				t.Errorf("%+v, %d buckets:\ngrouped %v\nranged  %v", q, buckets, grouped, ranged)
			}
		}
	}
}

func TestRuleCounts(t *testing.T) {
	s, _ := queryFixture(t)
	rc, err := s.RuleCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rc) != "[{idc.x 2} {idc.y 2} {idc.z 1}]" {
		t.Errorf("rule counts = %v", rc)
	}
}

// A store written by a portcullis before the finding_keys migration gets
// its findings indexed when a newer one opens it.
func TestFindingKeysMigrationBackfills(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{db: db, w: db, path: path, now: time.Now}
	defer db.Close()
	if err := old.migrate(ctx, migrations()[:1]); err != nil {
		t.Fatal(err)
	}
	f := mkFinding("idc.x", finding.High, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "e1")
	f.Actor.Name, f.Account = "mallory", "111111111111"
	blob, _ := json.Marshal(f)
	// As the writer of that version did.
	if _, err := db.ExecContext(ctx, `INSERT INTO findings (id, rule, severity, time, status, json, first_seen, last_seen, alert_pending)
		VALUES (?, ?, ?, ?, 'open', ?, 0, 0, 0)`, f.ID, f.Rule, int(f.Severity), f.Time.UnixNano(), blob); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []Query{{Actor: "mallory"}, {Account: "111111111111"}, {Subject: "mallory"}} {
		p, err := s.QueryFindings(ctx, q)
		if err != nil || p.Total != 1 {
			t.Errorf("%+v after migration: total %d, %v", q, p.Total, err)
		}
	}
}

func TestMustExistRefusesToCreate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "missing.db")
	_, err := Open(ctx, path, MustExist())
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("Open(missing, MustExist) = %v", err)
	}
	if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("the file was created: %v", serr)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, path, MustExist())
	if err != nil {
		t.Fatalf("existing store refused: %v", err)
	}
	s.Close()
}

// BenchmarkQueryFindings100k measures the web view's queries on a store of
// 100,000 findings (20 rules, 500 actors, 50 accounts, 30 days).
func BenchmarkQueryFindings100k(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bench.db")
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const n = 100_000
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]finding.Finding, 0, 5000)
	for i := range n {
		f := mkFinding(fmt.Sprintf("idc.rule-%02d", i%20), finding.Severity(i%5), t0.Add(time.Duration(i)*26*time.Second), fmt.Sprint("e", i))
		f.Actor = finding.Actor{ARN: fmt.Sprintf("arn:aws:iam::111111111111:user/u%03d", i%500), Name: fmt.Sprintf("u%03d", i%500)}
		f.Account = fmt.Sprintf("1000000000%02d", i%50)
		f.Targets.PrincipalID = fmt.Sprintf("p-%d", i%1000)
		batch = append(batch, f)
		if len(batch) == cap(batch) {
			if _, err := s.PutFindings(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	for i := 0; i < n; i += 7 {
		if i%3 == 0 {
			id := finding.StableID(fmt.Sprintf("idc.rule-%02d", i%20), fmt.Sprint("e", i))
			if err := s.SetStatus(ctx, id, StatusAcknowledged, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, bc := range []struct {
		name string
		q    Query
		min  int // at least this many results: the query really filters something
	}{
		{"first-page", Query{}, n},
		{"open-high-critical", Query{Statuses: []Status{StatusOpen}, Severities: []finding.Severity{finding.High, finding.Critical}}, n / 3},
		{"rule", Query{Rules: []string{"idc.rule-07"}}, n / 20},
		{"actor", Query{Actor: "u042"}, n / 500},
		{"account-week", Query{Account: "100000000007", Since: t0.Add(7 * 24 * time.Hour), Until: t0.Add(14 * 24 * time.Hour)}, 400},
		{"subject-oldest", Query{Subject: "p-17", Oldest: true}, n / 1000},
		{"deep-page", Query{Offset: n / 2}, n},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				p, err := s.QueryFindings(ctx, bc.q)
				if err != nil {
					b.Fatal(err)
				}
				if p.Total < bc.min || len(p.Records) == 0 {
					b.Fatalf("total %d, %d records", p.Total, len(p.Records))
				}
			}
		})
	}
	b.Run("histogram", func(b *testing.B) {
		for b.Loop() {
			h, err := s.FindingsHistogram(ctx, Query{Statuses: []Status{StatusOpen}}, 60)
			if err != nil || h.Total == 0 || len(h.Buckets) > 60 {
				b.Fatalf("%d buckets, %v", len(h.Buckets), err)
			}
		}
	})
}

// TestUpgradeFromVersion2: a store written before state rows (schema 2:
// the detector state as one blob, finding_keys filled by a trigger) opens
// at the current version with its blob readable (the watcher turns it into
// rows) and its findings found; findings written after the upgrade are
// indexed by the writer, the trigger gone.
func TestUpgradeFromVersion2(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{db: db, w: db, path: path, now: time.Now}
	defer db.Close()
	if err := old.migrate(ctx, migrations()[:2]); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	before := mkFinding("idc.x", finding.High, at, "e1")
	before.Actor.Name = "mallory"
	blob, _ := json.Marshal(before)
	// As the writer of that version did: the trigger fills finding_keys.
	if _, err := db.ExecContext(ctx, `INSERT INTO findings (id, rule, severity, time, status, json, first_seen, last_seen, alert_pending)
		VALUES (?, ?, ?, ?, 'open', ?, 0, 0, 0)`, before.ID, before.Rule, int(before.Severity), before.Time.UnixNano(), blob); err != nil {
		t.Fatal(err)
	}
	state := []byte(`{"version":1,"windows":"as the old engine wrote them"}`)
	if _, err := db.ExecContext(ctx, `INSERT INTO state(name, blob, updated) VALUES ('detector', ?, 0)`, state); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Version(ctx); err != nil || v != SchemaVersion() {
		t.Fatalf("version %d, %v; want %d", v, err, SchemaVersion())
	}
	if got, err := s.LoadState(ctx, "detector"); err != nil || string(got) != string(state) {
		t.Errorf("old state blob = %q, %v", got, err)
	}
	if n, err := s.StateRowCount(ctx, "detector"); err != nil || n != 0 {
		t.Errorf("state rows before the watcher wrote any: %d, %v", n, err)
	}
	after := mkFinding("idc.x", finding.High, at.Add(time.Hour), "e2")
	after.Actor.Name = "mallory"
	if _, err := s.Commit(ctx, Batch{Findings: []finding.Finding{after}, Processed: []string{"ev:e2"}}); err != nil {
		t.Fatal(err)
	}
	var triggers int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'findings_keys_insert'`).Scan(&triggers); err != nil || triggers != 0 {
		t.Errorf("insert trigger still there (%d, %v): keys would be written twice", triggers, err)
	}
	p, err := s.QueryFindings(ctx, Query{Actor: "mallory"})
	if err != nil || p.Total != 2 {
		t.Errorf("findings of mallory across the upgrade: total %d, %v", p.Total, err)
	}
}
