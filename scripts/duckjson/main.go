//go:build cgo

// Command duckjson is a benchmark contender: DuckDB (through its Go
// bindings, the library internal/athenafake's tests already use) reading a
// trail with read_json and typed columns — the fair way to ask DuckDB, since
// untyped JSON makes it sample and guess — and counting the Identity Center
// records. It prints that count. It needs cgo, so it is a tool beside the
// repository's binary, never part of it.
//
//	go run ./scripts/duckjson -threads 1 /tmp/trail/AWSLogs
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// query unnests every object's Records with the columns a hunt reads
// typed, and filters on eventSource.
const query = `SELECT count(*) FROM (
  SELECT unnest(Records) AS r FROM read_json(?, format = 'auto', compression = 'gzip',
    columns = {Records: 'STRUCT(eventVersion VARCHAR, eventTime TIMESTAMP, eventSource VARCHAR, eventName VARCHAR,
      awsRegion VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR, eventID VARCHAR, readOnly BOOLEAN,
      recipientAccountId VARCHAR, errorCode VARCHAR, userIdentity JSON, requestParameters JSON, responseElements JSON)[]'},
    maximum_object_size = 1073741824))
WHERE r.eventSource = 'sso.amazonaws.com'`

func main() {
	threads := flag.Int("threads", 1, "DuckDB threads")
	flag.Parse()
	if flag.NArg() != 1 {
		fail(fmt.Errorf("usage: duckjson [-threads N] DIR"))
	}
	conn, err := duckdb.NewConnector("", nil)
	if err != nil {
		fail(err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, fmt.Sprintf("SET threads = %d", *threads)); err != nil {
		fail(err)
	}
	var n int64
	// Digest objects sit beside the logs, so the files are named rather
	// than globbed.
	files, err := logObjects(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	if err := db.QueryRowContext(ctx, strings.Replace(query, "?", files, 1)).Scan(&n); err != nil {
		fail(err)
	}
	fmt.Println(n)
}

// logObjects is the list of log objects under dir as a DuckDB list literal.
func logObjects(dir string) (string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json.gz") && !strings.Contains(p, "CloudTrail-Digest") {
			names = append(names, "'"+strings.ReplaceAll(p, "'", "''")+"'")
		}
		return err
	})
	if err != nil {
		return "", err
	}
	if len(names) == 0 {
		return "", fmt.Errorf("%s: no .json.gz log objects", dir)
	}
	return "[" + strings.Join(names, ",") + "]", nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "duckjson:", err)
	os.Exit(1)
}
