//go:build cgo

package athenafake

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// query is one query execution and, once it ran, its result.
type query struct {
	id, sql, database, catalog, workgroup, output string
	state, reason                                 string
	polls                                         int
	running                                       bool // executing now (outside the lock)
	submitted, completed                          time.Time
	scanned, engineMs                             int64
	cols                                          []map[string]any
	rows                                          [][]*string // header first, as Athena returns them
}

const maxQueryLength = 262144

func (s *Server) start(in map[string]any) (any, *apiError) {
	sql := str(in, "QueryString")
	if sql == "" || len(sql) > maxQueryLength {
		return nil, errInvalid("INVALID_INPUT", fmt.Sprintf("1 validation error detected: Value at 'queryString' failed to satisfy constraint: Member must have length between 1 and %d", maxQueryLength))
	}
	wg := str(in, "WorkGroup")
	if wg == "" {
		wg = "primary"
	}
	out, ok := s.opt.Workgroups[wg]
	if !ok {
		return nil, errInvalid("INVALID_INPUT", fmt.Sprintf("WorkGroup %s is not found.", wg))
	}
	if rc := obj(in, "ResultConfiguration"); rc != nil && str(rc, "OutputLocation") != "" {
		out = str(rc, "OutputLocation")
	}
	if out == "" {
		return nil, errInvalid("INVALID_INPUT", "No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.")
	}
	if !strings.HasPrefix(out, "s3://") {
		return nil, errInvalid("INVALID_INPUT", "outputLocation is not a valid S3 path. Provided "+out)
	}
	ctx := obj(in, "QueryExecutionContext")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("%08x-5a7e-4f00-9c00-%012x", s.seq, s.seq)
	q := &query{id: id, sql: sql, workgroup: wg, state: "QUEUED", submitted: time.Now()}
	q.output = strings.TrimSuffix(out, "/") + "/" + id + ".csv"
	if ctx != nil {
		q.database, q.catalog = str(ctx, "Database"), str(ctx, "Catalog")
	}
	if s.failNext != "" {
		q.reason, s.failNext = s.failNext, ""
	}
	s.queries[id] = q
	return map[string]any{"QueryExecutionId": id}, nil
}

func (s *Server) lookup(in map[string]any) (*query, *apiError) {
	id := str(in, "QueryExecutionId")
	q := s.queries[id]
	if q == nil {
		return nil, errInvalid("INVALID_INPUT", fmt.Sprintf("QueryExecution %s was not found", id))
	}
	return q, nil
}

func (s *Server) get(r interface{ Context() context.Context }, in map[string]any) (any, *apiError) {
	s.mu.Lock()
	q, aerr := s.lookup(in)
	if aerr != nil {
		s.mu.Unlock()
		return nil, aerr
	}
	run := false
	switch q.state {
	case "QUEUED":
		if q.polls++; q.polls > s.opt.QueuedPolls {
			q.state, q.polls = "RUNNING", 0
		}
	case "RUNNING":
		if s.opt.RunningPolls >= 0 && !q.running {
			if q.polls++; q.polls > s.opt.RunningPolls {
				q.running, run = true, true
			}
		}
	}
	s.mu.Unlock()
	if run {
		s.execute(r.Context(), q)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]any{"QueryExecution": s.describe(q)}, nil
}

func (s *Server) describe(q *query) map[string]any {
	status := map[string]any{"State": q.state, "SubmissionDateTime": epoch(q.submitted)}
	if !q.completed.IsZero() {
		status["CompletionDateTime"] = epoch(q.completed)
	}
	if q.state == "FAILED" {
		status["StateChangeReason"] = q.reason
		status["AthenaError"] = map[string]any{"ErrorCategory": 2, "ErrorType": 1006, "Retryable": false, "ErrorMessage": q.reason}
	}
	stats := map[string]any{"DataScannedInBytes": q.scanned, "EngineExecutionTimeInMillis": q.engineMs,
		"TotalExecutionTimeInMillis": q.engineMs, "QueryQueueTimeInMillis": 0, "ServiceProcessingTimeInMillis": 0}
	qe := map[string]any{
		"QueryExecutionId": q.id, "Query": q.sql, "StatementType": "DML", "WorkGroup": q.workgroup,
		"ResultConfiguration":   map[string]any{"OutputLocation": q.output},
		"QueryExecutionContext": map[string]any{"Database": q.database, "Catalog": catalogName(q.catalog)},
		"Status":                status, "Statistics": stats,
		"EngineVersion": map[string]any{"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
	}
	return qe
}

func catalogName(c string) string {
	if c == "" {
		return "AwsDataCatalog"
	}
	return c
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// execute runs a query on DuckDB and stores its result or failure.
func (s *Server) execute(ctx context.Context, q *query) {
	start := time.Now()
	cols, rows, scanned, reason := s.run(ctx, q)
	s.mu.Lock()
	defer s.mu.Unlock()
	q.running = false
	q.completed = time.Now()
	q.engineMs = time.Since(start).Milliseconds()
	if q.state != "RUNNING" {
		return // stopped meanwhile
	}
	if reason != "" {
		q.state, q.reason = "FAILED", reason
		return
	}
	q.state, q.cols, q.rows, q.scanned = "SUCCEEDED", cols, rows, scanned
}

func (s *Server) run(ctx context.Context, q *query) ([]map[string]any, [][]*string, int64, string) {
	if q.reason != "" {
		return nil, nil, 0, q.reason
	}
	if q.catalog != "" && !strings.EqualFold(q.catalog, DefaultCatalog) {
		return nil, nil, 0, fmt.Sprintf("CATALOG_NOT_FOUND: Catalog '%s' does not exist", strings.ToLower(q.catalog))
	}
	duckSQL, err := Translate(q.sql)
	if err != nil {
		return nil, nil, 0, err.Error()
	}
	conn, err := s.db.sql.Conn(ctx)
	if err != nil {
		return nil, nil, 0, "GENERIC_INTERNAL_ERROR: " + err.Error()
	}
	defer conn.Close()
	if q.database != "" {
		if _, err := conn.ExecContext(ctx, "SET schema = '"+strings.ReplaceAll(q.database, "'", "''")+"'"); err != nil {
			return nil, nil, 0, fmt.Sprintf("SCHEMA_NOT_FOUND: Schema '%s' does not exist", q.database)
		}
	}
	rs, err := conn.QueryContext(ctx, duckSQL)
	if err != nil {
		return nil, nil, 0, trinoMessage(q.sql, q.database, err)
	}
	defer rs.Close()
	cts, err := rs.ColumnTypes()
	if err != nil {
		return nil, nil, 0, "GENERIC_INTERNAL_ERROR: " + err.Error()
	}
	var cols []map[string]any
	header := make([]*string, len(cts))
	for i, ct := range cts {
		name := ct.Name()
		header[i] = &name
		typ := trinoType(ct.DatabaseTypeName())
		cols = append(cols, map[string]any{"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
			"Type": typ, "Precision": precision(typ), "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": typ == "varchar"})
	}
	rows := [][]*string{header}
	vals := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return nil, nil, 0, "GENERIC_INTERNAL_ERROR: " + err.Error()
		}
		row := make([]*string, len(vals))
		for i, v := range vals {
			row[i] = render(v)
		}
		rows = append(rows, row)
	}
	if err := rs.Err(); err != nil {
		return nil, nil, 0, trinoMessage(q.sql, q.database, err)
	}
	return cols, rows, s.scanned(ctx, q.sql, q.database), ""
}

func (s *Server) results(in map[string]any) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, aerr := s.lookup(in)
	if aerr != nil {
		return nil, aerr
	}
	switch q.state {
	case "SUCCEEDED":
	case "FAILED":
		return nil, errInvalid("INVALID_INPUT", q.reason)
	case "CANCELLED":
		return nil, errInvalid("INVALID_INPUT", "Query was cancelled")
	default:
		return nil, errInvalid("INVALID_INPUT", "Query has not yet finished. Current state: "+q.state)
	}
	max := 1000
	if v, ok := in["MaxResults"].(float64); ok {
		if v < 1 || v > 1000 {
			return nil, errInvalid("INVALID_INPUT", fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", int(v)))
		}
		max = int(v)
	}
	off := 0
	if tok := str(in, "NextToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		id, n, ok := strings.Cut(string(raw), "/")
		o, aerr2 := strconv.Atoi(n)
		if err != nil || !ok || id != q.id || aerr2 != nil || o <= 0 || o > len(q.rows) {
			return nil, errInvalid("INVALID_INPUT", "Invalid nextToken")
		}
		off = o
	}
	end := min(off+max, len(q.rows))
	var rows []map[string]any
	for _, r := range q.rows[off:end] {
		data := make([]map[string]any, len(r))
		for i, v := range r {
			d := map[string]any{}
			if v != nil {
				d["VarCharValue"] = *v
			}
			data[i] = d
		}
		rows = append(rows, map[string]any{"Data": data})
	}
	out := map[string]any{"UpdateCount": 0, "ResultSet": map[string]any{"Rows": rows, "ResultSetMetadata": map[string]any{"ColumnInfo": q.cols}}}
	if end < len(q.rows) {
		out["NextToken"] = base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%s/%d", q.id, end))
	}
	return out, nil
}

func (s *Server) stop(in map[string]any) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, aerr := s.lookup(in)
	if aerr != nil {
		return nil, aerr
	}
	if q.state == "QUEUED" || q.state == "RUNNING" {
		q.state, q.completed = "CANCELLED", time.Now()
	}
	return map[string]any{}, nil
}

func (s *Server) tableMetadata(in map[string]any) (any, *apiError) {
	cat, dbName, name := str(in, "CatalogName"), str(in, "DatabaseName"), str(in, "TableName")
	if !strings.EqualFold(cat, DefaultCatalog) {
		return nil, errType("MetadataException", fmt.Sprintf("Catalog %s not found", cat))
	}
	t := s.db.table(dbName, name)
	if t == nil {
		if !s.db.hasDatabase(dbName) {
			return nil, errType("MetadataException", fmt.Sprintf("Database %s not found.", dbName))
		}
		return nil, errType("MetadataException", fmt.Sprintf("Table %s not found.", name))
	}
	col := func(cs []map[string]any, c struct{ n, t string }) []map[string]any {
		return append(cs, map[string]any{"Name": c.n, "Type": c.t})
	}
	var cols, parts []map[string]any
	for _, c := range t.columns {
		cols = col(cols, struct{ n, t string }{c.Name, c.Type})
	}
	for _, c := range t.partitions {
		parts = col(parts, struct{ n, t string }{c.Name, c.Type})
	}
	return map[string]any{"TableMetadata": map[string]any{
		"Name": t.name, "TableType": "EXTERNAL_TABLE", "CreateTime": epoch(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		"Columns": cols, "PartitionKeys": parts, "Parameters": t.params,
	}}, nil
}

// trinoType names a DuckDB result type as Athena's ColumnInfo does.
func trinoType(duck string) string {
	switch {
	case strings.HasPrefix(duck, "STRUCT("):
		return "row"
	case strings.HasSuffix(duck, "[]"):
		return "array"
	case strings.HasPrefix(duck, "MAP("):
		return "map"
	}
	switch duck {
	case "VARCHAR":
		return "varchar"
	case "JSON":
		return "json"
	case "BOOLEAN":
		return "boolean"
	case "BIGINT", "HUGEINT":
		return "bigint"
	case "INTEGER":
		return "integer"
	case "DOUBLE":
		return "double"
	case "DATE":
		return "date"
	case "TIMESTAMP":
		return "timestamp"
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return "timestamp with time zone"
	}
	return strings.ToLower(duck)
}

func precision(typ string) int {
	switch typ {
	case "varchar", "json":
		return 2147483647
	case "bigint":
		return 19
	case "integer":
		return 10
	}
	return 0
}

// render writes a value as Athena's VarCharValue does.
func render(v any) *string {
	if v == nil {
		return nil
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	case bool:
		s = strconv.FormatBool(x)
	case time.Time:
		s = x.UTC().Format("2006-01-02 15:04:05.000") + " UTC"
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case map[string]any: // a row, as Trino prints it: {a=1, b=x}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+"="+deref(render(x[k])))
		}
		s = "{" + strings.Join(parts, ", ") + "}"
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, deref(render(e)))
		}
		s = "[" + strings.Join(parts, ", ") + "]"
	default:
		s = fmt.Sprint(x)
	}
	return &s
}

func deref(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

var (
	reTable  = regexp.MustCompile(`Table with name ([^ ]+) does not exist`)
	reSchema = regexp.MustCompile(`Schema with name ([^ ]+) does not exist`)
	reColumn = regexp.MustCompile(`Referenced column "?([^" ]+)"? not found`)
)

// trinoMessage words a DuckDB error as Athena words the same failure.
func trinoMessage(sql, database string, err error) string {
	msg := err.Error()
	at := func(name string) string {
		i := strings.Index(strings.ToLower(sql), strings.ToLower(name))
		if i < 0 {
			return "line 1:1"
		}
		l, c := lineCol(sql, i)
		return fmt.Sprintf("line %d:%d", l, c)
	}
	switch {
	case reTable.MatchString(msg):
		name := reTable.FindStringSubmatch(msg)[1]
		db, pos := database, at(name)
		re := regexp.MustCompile(`(?i)"?([a-z0-9_]+)"?\s*\.\s*"?` + regexp.QuoteMeta(name) + `"?`)
		if m := re.FindStringSubmatchIndex(sql); m != nil {
			// Trino points at the start of the qualified name.
			db = sql[m[2]:m[3]]
			l, c := lineCol(sql, m[0])
			pos = fmt.Sprintf("line %d:%d", l, c)
		}
		return fmt.Sprintf("TABLE_NOT_FOUND: %s: Table '%s.%s.%s' does not exist", pos, DefaultCatalog, strings.ToLower(db), strings.ToLower(name))
	case reSchema.MatchString(msg):
		name := reSchema.FindStringSubmatch(msg)[1]
		return fmt.Sprintf("SCHEMA_NOT_FOUND: %s: Schema '%s' does not exist", at(name), strings.ToLower(name))
	case reColumn.MatchString(msg):
		name := reColumn.FindStringSubmatch(msg)[1]
		return fmt.Sprintf("COLUMN_NOT_FOUND: %s: Column '%s' cannot be resolved or requester is not authorized to access requested resources", at(name), name)
	case strings.Contains(msg, "Parser Error"):
		return "SYNTAX_ERROR: line 1:1: " + msg
	}
	return "GENERIC_INTERNAL_ERROR: " + msg
}
