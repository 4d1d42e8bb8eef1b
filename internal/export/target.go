package export

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/athena"
)

// Target is where exported SQL runs: the standard Athena CloudTrail table,
// or a CloudTrail Lake event data store. Both speak Trino; they differ in
// the table reference, in how the JSON parts of a record are stored (JSON
// text in Athena, maps of strings in Lake) and in the time column.
type Target struct {
	Format string // FormatAthena or FormatLake
	From   string // the FROM clause's table reference, quoted
	lake   bool
}

// AthenaTarget is the standard table internal/athena hunts (athena ddl).
func AthenaTarget(catalog, database, table string) (Target, error) {
	if database == "" || table == "" {
		return Target{}, fmt.Errorf("athena: --database and --table are needed")
	}
	from := ident(database) + "." + ident(table)
	if catalog != "" && !strings.EqualFold(catalog, "AwsDataCatalog") {
		from = ident(catalog) + "." + from
	}
	return Target{Format: FormatAthena, From: from}, nil
}

var edsRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// LakeTarget is a CloudTrail Lake event data store (its id, or the last
// part of its ARN, as Lake's FROM clause takes it).
func LakeTarget(eventDataStore string) (Target, error) {
	eds := eventDataStore
	if i := strings.LastIndexByte(eds, '/'); i >= 0 {
		eds = eds[i+1:]
	}
	if !edsRE.MatchString(eds) {
		return Target{}, fmt.Errorf("cloudtrail-lake: --event-data-store %q is not an event data store id or ARN", eventDataStore)
	}
	return Target{Format: FormatLake, From: eds, lake: true}, nil
}

// column is a field of the record as the target's SQL reads it.
type column struct {
	expr   string // scalar value as VARCHAR (NULL when absent)
	object bool   // a struct or a JSON object: never equal to a string
	// asText is the value as JSON text, 'null' when absent or JSON null
	// ('[]' for an empty list); "" where SQL NULL says absent.
	asText string
}

// columnFor maps a Sigma field path (CloudTrail's keys) to SQL, or says
// why the table cannot answer it.
func (t Target) columnFor(field string) (column, string) {
	segs := strings.Split(field, ".")
	name := strings.ToLower(segs[0])
	var col *athena.Column
	for i := range athena.Columns {
		if athena.Columns[i].Name == name {
			col = &athena.Columns[i]
		}
	}
	if col == nil {
		return column{}, fmt.Sprintf("the CloudTrail table has no column for %s", segs[0])
	}
	if jsonColumns[name] {
		return t.jsonField(name, segs[1:])
	}
	typ := athena.MustParseType(col.Type)
	expr := name
	for _, s := range segs[1:] {
		switch typ.Kind {
		case athena.KindArray:
			return column{}, fmt.Sprintf("%s is a list in the CloudTrail table: paths into its elements are not mapped", expr)
		case athena.KindMap:
			return column{}, fmt.Sprintf("%s is a map in the CloudTrail table: its keys are not mapped", expr)
		case athena.KindScalar:
			return column{}, fmt.Sprintf("%s is not a struct in the CloudTrail table", expr)
		}
		f, ok := structField(typ, strings.ToLower(s))
		if !ok {
			return column{}, fmt.Sprintf("the CloudTrail table's %s has no field %s", expr, s)
		}
		expr += "." + f.Name
		typ = f.Type
	}
	switch {
	case typ.Kind == athena.KindScalar && t.lake && name == "eventtime":
		return column{}, "eventTime is a timestamp in CloudTrail Lake, not the record's text"
	case typ.Kind == athena.KindScalar:
		return column{expr: expr}, ""
	case typ.Kind == athena.KindStruct:
		return column{expr: expr, object: true}, ""
	}
	return column{}, fmt.Sprintf("%s is an array or a map: element paths are not mapped", expr)
}

func structField(t *athena.Type, name string) (athena.Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return athena.Field{}, false
}

// jsonColumns hold a JSON part of the record: JSON text in Athena's table,
// a map of strings (nested values as JSON text) in CloudTrail Lake.
var jsonColumns = map[string]bool{
	"requestparameters": true, "responseelements": true, "additionaleventdata": true, "serviceeventdetails": true,
}

var jsonKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (t Target) jsonField(col string, rest []string) (column, string) {
	if len(rest) == 0 {
		return column{expr: col, object: true}, ""
	}
	if !t.lake {
		p, why := jsonPath(rest)
		if why != "" {
			return column{}, why
		}
		return jsonColumn("json_extract_scalar("+col+", "+p+")", "json_extract("+col+", "+p+")"), ""
	}
	// Lake: the first key is a map lookup; deeper keys read its JSON text.
	if !jsonKey.MatchString(rest[0]) {
		return column{}, fmt.Sprintf("key %q is not a CloudTrail Lake map key", rest[0])
	}
	elem := "element_at(" + col + ", " + lit(rest[0]) + ")"
	if len(rest) == 1 {
		return column{expr: elem, asText: "coalesce(" + elem + ", 'null')"}, ""
	}
	p, why := jsonPath(rest[1:])
	if why != "" {
		return column{}, why
	}
	return jsonColumn("json_extract_scalar("+elem+", "+p+")", "json_extract("+elem+", "+p+")"), ""
}

func jsonColumn(scalar, raw string) column {
	return column{expr: scalar, asText: "coalesce(json_format(" + raw + "), 'null')"}
}

// jsonPath writes keys as a JSON path literal ($.a.b[0]).
func jsonPath(keys []string) (string, string) {
	var b strings.Builder
	b.WriteString("$")
	for _, s := range keys {
		switch {
		case isIndex(s):
			b.WriteString("[" + s + "]")
		case jsonKey.MatchString(s):
			b.WriteString("." + s)
		default:
			return "", fmt.Sprintf("key %q cannot be written in a JSON path", s)
		}
	}
	return lit(b.String()), ""
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// selectList is what each exported query returns: enough to triage without
// a second query.
func (t Target) selectList(ruleID string) []string {
	out := []string{lit(ruleID) + " AS rule", "eventtime", "eventid", "eventsource", "eventname", "awsregion",
		"recipientaccountid", "useridentity.arn AS actor_arn", "sourceipaddress", "errorcode", "requestparameters"}
	if !t.lake {
		out = append(out, ident(athena.PathColumn)+" AS object")
	}
	return out
}

// Since is the start of the window an exported query reads: a fixed time,
// or a length of time before the query runs (for scheduled queries).
type Since struct {
	At     time.Time
	Before time.Duration
}

// sinceSQL returns the predicates that keep Athena to the days after the
// window's start (partition projection on "timestamp") and the records
// after it; Lake filters on its eventtime timestamp.
func (t Target) sinceSQL(s Since) []string {
	switch {
	case !s.At.IsZero() && t.lake:
		return []string{"eventtime >= timestamp " + lit(s.At.UTC().Format("2006-01-02 15:04:05"))}
	case !s.At.IsZero():
		// A record is delivered after it happens: its day folder is never
		// before the window's first day. eventtime compares as text.
		return []string{
			ident(athena.PartTimestamp) + " >= " + lit(s.At.UTC().Format("2006/01/02")),
			"eventtime >= " + lit(s.At.UTC().Format(time.RFC3339)),
		}
	case s.Before > 0 && t.lake:
		return []string{"eventtime >= current_timestamp - " + interval(s.Before)}
	case s.Before > 0:
		start := "current_timestamp - " + interval(s.Before)
		return []string{
			ident(athena.PartTimestamp) + " >= date_format(" + start + ", '%Y/%m/%d')",
			"from_iso8601_timestamp(eventtime) >= " + start,
		}
	}
	return nil
}

// interval spells a duration as a Trino interval in its largest whole unit.
func interval(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("INTERVAL '%d' DAY", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("INTERVAL '%d' HOUR", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("INTERVAL '%d' MINUTE", d/time.Minute)
	}
	return fmt.Sprintf("INTERVAL '%d' SECOND", (d+time.Second-1)/time.Second)
}

// ident quotes an identifier for Trino.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// lit quotes a string literal.
func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
