//go:build cgo

package athenafake

import (
	"context"
	"errors"
	"testing"
)

// TestDialect: each Trino spelling the dialect layer handles gives, on
// DuckDB, the value Trino documents for it.
func TestDialect(t *testing.T) {
	db, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.SQL().ExecContext(ctx, `CREATE SCHEMA s; CREATE TABLE s.t (u STRUCT(type VARCHAR, onbehalfof STRUCT(userid VARCHAR, identitystorearn VARCHAR)), r STRUCT(arn VARCHAR)[], "timestamp" VARCHAR); INSERT INTO s.t VALUES ({'type': 'IdentityCenterUser', 'onbehalfof': {'userid': 'u-1', 'identitystorearn': NULL}}, [{'arn': 'arn:aws:iam::1:role/x'}], '2026/11/02')`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, trino, want string
	}{
		// A row cast to JSON is an object keyed by the declared (lower-case)
		// field names, null fields included (Trino ≥ 335, Athena engine 3).
		{"row to json", `SELECT json_format(CAST(u AS JSON)) FROM s.t`, `{"type":"IdentityCenterUser","onbehalfof":{"userid":"u-1","identitystorearn":null}}`},
		{"array of rows to json", `SELECT json_format(CAST(r AS JSON)) FROM s.t`, `[{"arn":"arn:aws:iam::1:role/x"}]`},
		{"json_extract_scalar", `SELECT json_extract_scalar('{"a":{"b":"x"}}', '$.a.b')`, `x`},
		{"json_extract_scalar of an object is NULL", `SELECT coalesce(json_extract_scalar('{"a":{"b":"x"}}', '$.a'), 'NULL')`, `NULL`},
		{"json_extract_scalar of a number", `SELECT json_extract_scalar('{"n":12}', '$.n')`, `12`},
		{"from_iso8601_timestamp", `SELECT CAST(from_iso8601_timestamp('2026-11-02T10:00:00Z') < from_iso8601_timestamp('2026-11-02T11:00:00+00:00') AS VARCHAR)`, `true`},
		{"date_parse with MySQL specifiers", `SELECT CAST(date_parse('2026/11/02 10:11:12', '%Y/%m/%d %H:%i:%s') AS VARCHAR)`, `2026-11-02 10:11:12`},
		{"date_parse %T", `SELECT CAST(date_parse(concat('2026-11-02', ' 23:59:58'), '%Y-%m-%d %T') AS VARCHAR)`, `2026-11-02 23:59:58`},
		{"quoted timestamp partition", `SELECT "timestamp" FROM s.t WHERE "timestamp" BETWEEN '2026/11/01' AND '2026/11/03'`, `2026/11/02`},
		{"catalog qualifier", `SELECT "timestamp" FROM "AwsDataCatalog"."s"."t"`, `2026/11/02`},
		{"regexp_like", `SELECT CAST(regexp_like('AWSReservedSSO_Admin_0123', '^AWSReservedSSO_[A-Za-z]+_') AS VARCHAR)`, `true`},
		{"strpos and LIKE ESCAPE as Trino", `SELECT CAST(strpos('a_b', '_') = 2 AND 'a_b' LIKE 'a\_%' ESCAPE '\' AND NOT ('axb' LIKE 'a\_%' ESCAPE '\') AS VARCHAR)`, `true`},
		{"catalog name inside a string is left alone", `SELECT 'awsdatacatalog.s.t'`, `awsdatacatalog.s.t`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Translate(tc.trino)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			if err := db.SQL().QueryRowContext(ctx, q).Scan(&got); err != nil {
				t.Fatalf("%s\n(duckdb: %s): %v", tc.trino, q, err)
			}
			if got != tc.want {
				t.Errorf("%s = %q, want %q (duckdb: %s)", tc.trino, got, tc.want, q)
			}
		})
	}
}

// TestDialectRefuses: what Athena refuses before running is refused with
// its message.
func TestDialectRefuses(t *testing.T) {
	for _, tc := range []struct{ sql, want string }{
		{"SELECT `timestamp` FROM t", "SYNTAX_ERROR: line 1:8: backquoted identifiers are not supported; use double quotes to quote identifiers"},
		{"SELECT 'open", "SYNTAX_ERROR: line 1:8: unterminated quote"},
		{"SELECT date_parse(x, fmt) FROM t", "SYNTAX_ERROR: line 1:20: the fake needs date_parse's format as a string literal"},
	} {
		_, err := Translate(tc.sql)
		var se *SyntaxError
		if !errors.As(err, &se) || err.Error() != tc.want {
			t.Errorf("%s: got %v, want %s", tc.sql, err, tc.want)
		}
	}
}
