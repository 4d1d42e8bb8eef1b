//go:build cgo

package athena_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/athena"
	"github.com/portcullis-sec/portcullis/internal/athenafake"
)

func count(t *testing.T, db *athenafake.DB, where string) int64 {
	t.Helper()
	var n int64
	if err := db.SQL().QueryRow(`SELECT count(*) FROM security.cloudtrail_logs ` + where).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestResultsArePagedInOrder: a result larger than a page comes back over
// several GetQueryResults pages (NextToken), without the header row, every
// row once, in eventtime order.
func TestResultsArePagedInOrder(t *testing.T) {
	db, _ := loaded(t)
	srv := athenafake.NewServer(db, athenafake.Options{})
	defer srv.Close()
	r := runner(srv)
	r.PageSize = 97
	q := `SELECT eventtime, eventid FROM "security"."cloudtrail_logs" WHERE eventsource = 'sso.amazonaws.com' ORDER BY eventtime, eventid`
	var got [][2]string
	st, err := r.Run(context.Background(), q, func(row athena.Row) error {
		got = append(got, [2]string{*row[0], *row[1]})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := count(t, db, `WHERE eventsource = 'sso.amazonaws.com'`)
	if int64(len(got)) != want || st.Rows != want {
		t.Fatalf("got %d rows (status %d), want %d", len(got), st.Rows, want)
	}
	if wantPages := int((want + 1 + 96) / 97); st.Pages != wantPages || st.Pages < 3 {
		t.Errorf("read %d pages, want %d (at least 3)", st.Pages, wantPages)
	}
	if got[0][0] == "eventtime" {
		t.Error("the header row was returned as data")
	}
	if !slices.IsSortedFunc(got, func(a, b [2]string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) }) {
		t.Error("rows are not in eventtime order")
	}
	if st.State != "SUCCEEDED" || st.QueryID == "" || st.DataScanned <= 0 {
		t.Errorf("status %+v: want SUCCEEDED with a query id and data scanned", st)
	}
	n := 0
	for _, c := range srv.Calls() {
		if c == "GetQueryResults" {
			n++
		}
	}
	if n != st.Pages {
		t.Errorf("%d GetQueryResults calls for %d pages", n, st.Pages)
	}
}

// TestQueryErrors: failures come back with Athena's message and say what
// to do.
func TestQueryErrors(t *testing.T) {
	db, _ := loaded(t)
	ctx := context.Background()
	// A table built from an older guide: no tlsdetails, no onbehalfof.
	var old []athena.Column
	for _, c := range athena.Columns {
		if c.Name != "tlsdetails" {
			old = append(old, c)
		}
	}
	if err := db.CreateTable(ctx, testDB, "old_table", old, athena.Partitions, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		setup   func(*athenafake.Server, *athena.Runner)
		sql     string
		kind    athena.ErrorKind
		message string // part of Athena's message, quoted in the error
	}{
		{"missing table", nil, `SELECT eventid FROM "security"."nope"`, athena.TableNotFound, `TABLE_NOT_FOUND: line 1:21: Table 'awsdatacatalog.security.nope' does not exist`},
		{"missing database", nil, `SELECT eventid FROM "elsewhere"."cloudtrail_logs"`, athena.TableNotFound, `TABLE_NOT_FOUND`},
		{"missing column", nil, `SELECT json_format(CAST(tlsdetails AS JSON)) FROM "security"."old_table"`, athena.ColumnNotFound, `COLUMN_NOT_FOUND: line 1:25: Column 'tlsdetails' cannot be resolved`},
		{"syntax", nil, "SELECT `timestamp` FROM security.cloudtrail_logs", athena.Failed, "SYNTAX_ERROR: line 1:8: backquoted identifiers are not supported"},
		{"S3 denied", func(s *athenafake.Server, _ *athena.Runner) {
			s.FailNextQuery("PERMISSION_DENIED: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)")
		}, `SELECT eventid FROM security.cloudtrail_logs`, athena.AccessDenied, "Access Denied (Service: Amazon S3"},
		{"IAM denied", func(s *athenafake.Server, _ *athena.Runner) { s.Deny("StartQueryExecution") },
			`SELECT 1`, athena.AccessDenied, "is not authorized to perform: athena:StartQueryExecution"},
		{"no output location", func(_ *athenafake.Server, r *athena.Runner) { r.Workgroup = "adhoc" },
			`SELECT 1`, athena.Invalid, "INVALID_INPUT: No output location provided"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := athenafake.NewServer(db, athenafake.Options{Workgroups: map[string]string{"primary": "s3://results/", "adhoc": ""}})
			defer srv.Close()
			r := runner(srv)
			if tc.setup != nil {
				tc.setup(srv, r)
			}
			_, err := r.Run(ctx, tc.sql, func(athena.Row) error { return nil })
			var ae *athena.Error
			if !errors.As(err, &ae) {
				t.Fatalf("got %v, want an *athena.Error", err)
			}
			if ae.Kind != tc.kind || !strings.Contains(ae.Reason, tc.message) || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("got kind %d %q, want kind %d with %q", ae.Kind, err, tc.kind, tc.message)
			}
		})
	}
}

// TestDescribe: GetTableMetadata reports the table's columns and
// partitions; a missing table is named before any query is billed.
func TestDescribe(t *testing.T) {
	db, _ := loaded(t)
	srv := athenafake.NewServer(db, athenafake.Options{})
	defer srv.Close()
	r := runner(srv)
	tbl, params, err := r.Describe(context.Background(), testTable)
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.Columns) != len(athena.Columns) || !slices.Equal(tbl.PartitionKeys, []string{"account", "region", "timestamp"}) || params["projection.enabled"] != "true" {
		t.Errorf("described %d columns, partitions %v, params %v", len(tbl.Columns), tbl.PartitionKeys, params)
	}
	_, _, err = r.Describe(context.Background(), "nope")
	var ae *athena.Error
	if !errors.As(err, &ae) || ae.Kind != athena.TableNotFound || !strings.Contains(err.Error(), "athena ddl") {
		t.Errorf("missing table: %v", err)
	}
	if slices.Contains(srv.Calls(), "StartQueryExecution") {
		t.Error("a query was started")
	}
}

// TestThrottlingIsRetried: throttled calls (TooManyRequestsException on
// start, ThrottlingException on polls and pages) are retried by the SDK
// and the hunt completes.
func TestThrottlingIsRetried(t *testing.T) {
	db, _ := loaded(t)
	srv := athenafake.NewServer(db, athenafake.Options{})
	defer srv.Close()
	srv.Throttle("StartQueryExecution", 2, "TooManyRequestsException")
	srv.Throttle("GetQueryExecution", 2, "ThrottlingException")
	srv.Throttle("GetQueryResults", 1, "ThrottlingException")
	r := runner(srv)
	var n int64
	st, err := r.Run(context.Background(), `SELECT eventid FROM security.cloudtrail_logs WHERE eventname = 'CreatePermissionSet'`, func(athena.Row) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := count(t, db, `WHERE eventname = 'CreatePermissionSet'`); n != want || n == 0 {
		t.Errorf("%d rows, want %d", n, want)
	}
	calls := map[string]int{}
	for _, c := range srv.Calls() {
		calls[c]++
	}
	if calls["StartQueryExecution"] != 3 || calls["GetQueryResults"] != st.Pages+1 {
		t.Errorf("calls %v: want 3 starts (2 throttled) and one retried page", calls)
	}
}

// TestCancelStopsTheQuery: a hunt cancelled (Ctrl-C) while the query runs
// stops it with StopQueryExecution, so it does not go on scanning.
func TestCancelStopsTheQuery(t *testing.T) {
	db, _ := loaded(t)
	srv := athenafake.NewServer(db, athenafake.Options{RunningPolls: -1})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := runner(srv)
	var id string
	r.Progress = func(st athena.Status) {
		if st.State == "RUNNING" {
			id = st.QueryID
			cancel()
		}
	}
	_, err := r.Run(ctx, `SELECT eventid FROM security.cloudtrail_logs`, func(athena.Row) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if !slices.Contains(srv.Calls(), "StopQueryExecution") {
		t.Errorf("no StopQueryExecution; calls %v", srv.Calls())
	}
	if s := srv.QueryState(id); s != "CANCELLED" {
		t.Errorf("query %s is %s, want CANCELLED", id, s)
	}
}
