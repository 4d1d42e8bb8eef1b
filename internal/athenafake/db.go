//go:build cgo

package athenafake

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/portcullis-sec/portcullis/internal/athena"
)

// DB is a DuckDB database holding Athena tables.
type DB struct {
	conn *duckdb.Connector
	sql  *sql.DB

	mu     sync.Mutex
	tables map[string]*table // "database.table"
}

// table remembers what Glue would say about a table.
type table struct {
	database, name string
	columns        []athena.Column // data columns, Hive types
	partitions     []athena.Column
	params         map[string]string
}

// metaSchema holds the fake's own bookkeeping (partition sizes).
const metaSchema = "athenafake_meta"

// Open creates a database: in memory when path is "", else in that file
// (large trails).
func Open(path string) (*DB, error) {
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, fmt.Errorf("duckdb: open %q: %w", path, err)
	}
	db := &DB{conn: c, sql: sql.OpenDB(c), tables: map[string]*table{}}
	ctx := context.Background()
	stmts := append([]string{"CREATE SCHEMA IF NOT EXISTS " + metaSchema}, macros...)
	for _, s := range stmts {
		if _, err := db.sql.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, fmt.Errorf("duckdb: %s: %w", s, err)
		}
	}
	return db, nil
}

// Close releases the database.
func (db *DB) Close() error {
	err := db.sql.Close()
	if cerr := db.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// SQL is the underlying database, for tests that look inside.
func (db *DB) SQL() *sql.DB { return db.sql }

// CreateTable creates database.name with the given Hive-typed columns and
// partition keys (string). params are the table properties Glue reports
// (partition projection …).
func (db *DB) CreateTable(ctx context.Context, database, name string, cols, parts []athena.Column, params map[string]string) error {
	var defs []string
	for _, c := range append(append([]athena.Column{}, cols...), parts...) {
		t, err := athena.ParseType(c.Type)
		if err != nil {
			return fmt.Errorf("table %s.%s column %s: %w", database, name, c.Name, err)
		}
		defs = append(defs, quote(c.Name)+" "+duckType(t))
	}
	defs = append(defs, quote(athena.PathColumn)+" VARCHAR")
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + quote(database),
		fmt.Sprintf("CREATE TABLE %s.%s (%s)", quote(database), quote(name), strings.Join(defs, ", ")),
		fmt.Sprintf("CREATE TABLE %s.%s (account VARCHAR, region VARCHAR, \"timestamp\" VARCHAR, bytes BIGINT)", metaSchema, quote(partTable(database, name))),
	}
	for _, s := range stmts {
		if _, err := db.sql.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("duckdb: %s: %w", s, err)
		}
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	db.tables[strings.ToLower(database+"."+name)] = &table{database: database, name: name, columns: cols, partitions: parts, params: params}
	return nil
}

// cloudTrailParams are the table properties of the standard table.
var cloudTrailParams = map[string]string{
	"projection.enabled":          "true",
	"projection.account.type":     "enum",
	"projection.region.type":      "enum",
	"projection.timestamp.type":   "date",
	"projection.timestamp.format": "yyyy/MM/dd",
	"classification":              "cloudtrail",
}

// CreateCloudTrailTable creates the standard organization-trail table.
func (db *DB) CreateCloudTrailTable(ctx context.Context, database, name string) error {
	return db.CreateTable(ctx, database, name, athena.Columns, athena.Partitions, cloudTrailParams)
}

// UseCloudTrailTable serves a standard table already in the database file
// (loaded by an earlier run), so large trails are loaded once.
func (db *DB) UseCloudTrailTable(ctx context.Context, database, name string) error {
	var n int64
	if err := db.sql.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s.%s", quote(database), quote(name))).Scan(&n); err != nil {
		return fmt.Errorf("duckdb: table %s.%s: %w", database, name, err)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	db.tables[strings.ToLower(database+"."+name)] = &table{database: database, name: name, columns: athena.Columns, partitions: athena.Partitions, params: cloudTrailParams}
	return nil
}

func (db *DB) table(database, name string) *table {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.tables[strings.ToLower(database+"."+name)]
}

func partTable(database, name string) string { return "partitions_" + database + "_" + name }

// duckType spells a Hive type in DuckDB.
func duckType(t *athena.Type) string {
	switch t.Kind {
	case athena.KindStruct:
		var fs []string
		for _, f := range t.Fields {
			fs = append(fs, quote(f.Name)+" "+duckType(f.Type))
		}
		return "STRUCT(" + strings.Join(fs, ", ") + ")"
	case athena.KindArray:
		return duckType(t.Elem) + "[]"
	case athena.KindMap:
		return "MAP(" + duckType(t.Key) + ", " + duckType(t.Elem) + ")"
	}
	switch t.Name {
	case "int", "integer":
		return "INTEGER"
	case "bigint":
		return "BIGINT"
	case "boolean":
		return "BOOLEAN"
	case "double":
		return "DOUBLE"
	}
	return "VARCHAR"
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (db *DB) hasDatabase(name string) bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	for _, t := range db.tables {
		if strings.EqualFold(t.database, name) {
			return true
		}
	}
	return false
}
