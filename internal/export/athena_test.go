//go:build cgo

package export_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/athenafake"
	"github.com/portcullis-sec/portcullis/internal/export"
)

const (
	testDB    = "security"
	testTable = "cloudtrail_logs"
)

// loadRuleTests writes every test event of every exported rule to its own
// trail file and loads them all into DuckDB as the standard CloudTrail
// table; the file name (the row's "$path") says which test it is.
func loadRuleTests(t *testing.T, items []export.Item) *athenafake.DB {
	t.Helper()
	dir := t.TempDir()
	for _, it := range items {
		if it.Status == export.Skipped {
			continue
		}
		for i, tc := range it.Rule.Portcullis.Tests {
			rec := record(t, tc.Event)
			body := append(append([]byte(`{"Records":[`), rec...), "]}"...)
			if err := os.WriteFile(filepath.Join(dir, testFile(it.ID, i)), body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	db, err := athenafake.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.CreateCloudTrailTable(ctx, testDB, testTable); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Load(ctx, testDB, testTable, dir); err != nil {
		t.Fatal(err)
	}
	return db
}

func testFile(id string, i int) string { return fmt.Sprintf("%s.test%02d.json", id, i) }

// returned runs an exported query (through the dialect layer, as the
// Athena fake does) and returns the test files whose rows it returned.
func returned(t *testing.T, db *athenafake.DB, it export.Item) map[string]bool {
	t.Helper()
	sql := "SELECT object FROM (\n" + string(it.Body) + ") AS q"
	duck, err := athenafake.Translate(sql)
	if err != nil {
		t.Fatalf("%s: the dialect layer refuses the query: %v\n%s", it.ID, err, it.Body)
	}
	rows, err := db.SQL().QueryContext(context.Background(), duck)
	if err != nil {
		t.Fatalf("%s: the query fails: %v\n%s", it.ID, err, it.Body)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var obj string
		if err := rows.Scan(&obj); err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(obj)] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAthenaQueriesOnRuleTests is the parity of the exported queries: each
// one, run on DuckDB over the standard table holding the rule's own test
// events, returns every positive event; it returns no negative one when the
// rule is fully expressed, nor one its plain-Sigma form (run by the engine)
// already rejects when it loses only portcullis fields.
func TestAthenaQueriesOnRuleTests(t *testing.T) {
	rs, cfg := corpus(t)
	rules := sigmaRules(rs)
	o := options(cfg)
	var err error
	if o.Target, err = export.AthenaTarget("", testDB, testTable); err != nil {
		t.Fatal(err)
	}
	items, err := export.SQL(rules, o)
	if err != nil {
		t.Fatal(err)
	}
	db := loadRuleTests(t, items)
	or := newOracle(t, rules, cfg)
	positives, negatives, queries := 0, 0, 0
	for _, it := range items {
		if it.Status == export.Skipped {
			continue
		}
		queries++
		got := returned(t, db, it)
		for i, tc := range it.Rule.Portcullis.Tests {
			in := got[testFile(it.ID, i)]
			switch {
			case tc.Match && !in:
				t.Errorf("%s (%s): positive test %q is not returned\n%s", it.ID, it.Status, tc.Name, it.Body)
			case tc.Match:
				positives++
			case it.Status == export.Full && in:
				t.Errorf("%s: negative test %q is returned by the fully expressed query\n%s", it.ID, tc.Name, it.Body)
			case it.Status == export.Full:
				negatives++
			case onlyDerivedLost(it):
				if raw, ok := or.rawDecides(t, it.ID, tc); ok && !raw {
					if in {
						t.Errorf("%s: negative test %q differs only in fields the query tests, yet is returned\n%s", it.ID, tc.Name, it.Body)
					}
					negatives++
				}
			}
		}
	}
	t.Logf("%d queries: %d positive test events returned, %d negative ones not", queries, positives, negatives)
	if positives < 20 || negatives < 20 {
		t.Errorf("only %d positive and %d negative checks: the test proves little", positives, negatives)
	}
}

// TestAthenaSincePushdown: --since keeps the day partitions and the records
// from its start on, and nothing before.
func TestAthenaSincePushdown(t *testing.T) {
	rs, cfg := corpus(t)
	rules := sigmaRules(rs)
	var rule *export.Item
	for _, tc := range []struct {
		since time.Time
		want  bool
	}{
		{time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), true}, // the test events' own second
		{time.Date(2026, 11, 2, 10, 0, 1, 0, time.UTC), false},
		{time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), false},
	} {
		o := options(cfg)
		o.Target, _ = export.AthenaTarget("", testDB, testTable)
		o.Since = export.Since{At: tc.since}
		items, err := export.SQL(rules, o)
		if err != nil {
			t.Fatal(err)
		}
		db := loadRuleTests(t, items)
		for i := range items {
			if items[i].ID == "idc.exporttest.negation" {
				rule = &items[i]
			}
		}
		if rule == nil || !strings.Contains(string(rule.Body), `"timestamp" >= '`) {
			t.Fatalf("no partition predicate in\n%v", rule)
		}
		got := returned(t, db, *rule)
		if in := got[testFile(rule.ID, 0)]; in != tc.want {
			t.Errorf("since %s: first test returned %v, want %v\n%s", tc.since, in, tc.want, rule.Body)
		}
	}
}
