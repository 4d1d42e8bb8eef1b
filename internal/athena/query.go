package athena

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// Table names the table a hunt reads and what it holds.
type Table struct {
	Catalog  string // "" = Athena's default (AwsDataCatalog)
	Database string
	Name     string
	// Columns are the table's data columns; nil means the standard set.
	// Standard columns the table lacks are not selected.
	Columns []Column
	// PartitionKeys are the table's partition columns; nil means the
	// standard organization partitions (account, region, timestamp).
	PartitionKeys []string
}

// Window is the part of the trail to hunt. Since is inclusive, Until
// exclusive; zero values leave that side open.
type Window struct {
	Since, Until time.Time
	Accounts     []string
	Regions      []string
}

// Query is the SQL a hunt sends, and what it selects.
type Query struct {
	SQL     string
	Columns []Column // selected, in order (complex columns come back as JSON text)
	// Pushed says, for a person, what Athena filters before returning rows.
	Pushed []string
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

// dayFormat is projection.timestamp.format (yyyy/MM/dd) in Go.
const dayFormat = "2006/01/02"

// eventTimeSlack widens the eventtime comparison: it compares strings, and
// a fractional second sorts before the whole one ("…:05.5Z" < "…:05Z"). The
// hunt applies the exact window to the decoded events.
const eventTimeSlack = time.Second

// BuildQuery writes the one query a hunt sends: every column a record
// needs, only the partitions in the window (so Athena reads only those
// days, accounts and regions), only the events some rule may want (the
// rule pack's prefilter), in eventtime order.
func BuildQuery(t Table, w Window, interest []cloudtrail.Interest) (Query, error) {
	if t.Database == "" || t.Name == "" {
		return Query{}, fmt.Errorf("athena: a database and a table are needed")
	}
	for _, a := range w.Accounts {
		if !accountRE.MatchString(a) {
			return Query{}, fmt.Errorf("--account: %q is not a 12-digit account id", a)
		}
	}
	for _, r := range w.Regions {
		if !regionRE.MatchString(r) {
			return Query{}, fmt.Errorf("--region: %q is not a region name", r)
		}
	}
	if !w.Since.IsZero() && !w.Until.IsZero() && !w.Since.Before(w.Until) {
		return Query{}, fmt.Errorf("empty time window: --since %s is not before --until %s", w.Since.Format(time.RFC3339), w.Until.Format(time.RFC3339))
	}
	cols := selected(t.Columns)
	parts := t.PartitionKeys
	if parts == nil {
		parts = []string{PartAccount, PartRegion, PartTimestamp}
	}
	has := func(p string) bool { return slices.Contains(parts, p) }

	var q Query
	q.Columns = cols
	var sel []string
	for _, c := range cols {
		sel = append(sel, selectExpr(c))
	}
	sel = append(sel, ident(PathColumn))
	from := ident(t.Database) + "." + ident(t.Name)
	if t.Catalog != "" && !strings.EqualFold(t.Catalog, "AwsDataCatalog") {
		from = ident(t.Catalog) + "." + from
	}

	var where []string
	if has(PartTimestamp) && (!w.Since.IsZero() || !w.Until.IsZero()) {
		// Day folders are named by delivery: a folder holds records from up
		// to DeliveryLag before its day began (the local hunt prunes alike).
		var c []string
		if !w.Since.IsZero() {
			c = append(c, ident(PartTimestamp)+" >= "+lit(w.Since.UTC().Format(dayFormat)))
		}
		if !w.Until.IsZero() {
			last := w.Until.Add(source.DeliveryLag - time.Nanosecond).UTC()
			c = append(c, ident(PartTimestamp)+" <= "+lit(last.Format(dayFormat)))
		}
		where = append(where, strings.Join(c, " AND "))
		q.Pushed = append(q.Pushed, "day partitions ("+PartTimestamp+")")
	}
	if len(w.Accounts) > 0 {
		col := "recipientaccountid"
		if has(PartAccount) {
			col = PartAccount
		}
		where = append(where, ident(col)+" IN ("+lits(dedupe(w.Accounts))+")")
		q.Pushed = append(q.Pushed, "accounts ("+col+")")
	}
	if len(w.Regions) > 0 {
		col := "awsregion"
		if has(PartRegion) {
			col = PartRegion
		}
		where = append(where, ident(col)+" IN ("+lits(dedupe(w.Regions))+")")
		q.Pushed = append(q.Pushed, "regions ("+col+")")
	}
	if !w.Since.IsZero() || !w.Until.IsZero() {
		var c []string
		if !w.Since.IsZero() {
			c = append(c, "eventtime >= "+lit(w.Since.Add(-eventTimeSlack).UTC().Format(time.RFC3339)))
		}
		if !w.Until.IsZero() {
			c = append(c, "eventtime < "+lit(w.Until.Add(eventTimeSlack).UTC().Format(time.RFC3339)))
		}
		// Records without eventtime are kept, as the local hunt keeps them.
		where = append(where, "(eventtime IS NULL OR ("+strings.Join(c, " AND ")+"))")
		q.Pushed = append(q.Pushed, "time window (eventtime)")
	}
	if f := interestSQL(interest, cols); f != "" {
		where = append(where, f)
		q.Pushed = append(q.Pushed, fmt.Sprintf("rule prefilter (%d event sources)", countSources(interest)))
	}

	var b strings.Builder
	b.WriteString("SELECT\n  ")
	b.WriteString(strings.Join(sel, ",\n  "))
	b.WriteString("\nFROM " + from)
	if len(where) > 0 {
		b.WriteString("\nWHERE ")
		b.WriteString(strings.Join(where, "\n  AND "))
	}
	// eventid breaks ties as the local hunt does.
	b.WriteString("\nORDER BY eventtime, eventid")
	q.SQL = b.String()
	return q, nil
}

// selected is the standard columns the table has, in the standard order.
func selected(table []Column) []Column {
	if table == nil {
		return Columns
	}
	have := map[string]bool{}
	for _, c := range table {
		have[strings.ToLower(c.Name)] = true
	}
	var out []Column
	for _, c := range Columns {
		if have[c.Name] {
			out = append(out, c)
		}
	}
	return out
}

// selectExpr returns complex columns as JSON text: Athena renders a row
// as {a=1, b=x}, which cannot be read back; CAST(… AS JSON) keeps the
// structure (field names come back lower case, as declared).
func selectExpr(c Column) string {
	if MustParseType(c.Type).Complex() {
		return "json_format(CAST(" + ident(c.Name) + " AS JSON)) AS " + ident(c.Name)
	}
	return ident(c.Name)
}

func interestSQL(in []cloudtrail.Interest, cols []Column) string {
	if len(in) == 0 {
		return "" // no prefilter: every record
	}
	var alts []string
	for _, it := range in {
		if it.Source == "" {
			return "" // a rule without an event source wants everything
		}
		// Sources and names compare case-insensitively, as the byte
		// prefilter compares them (Sigma values without |cased).
		conds := []string{"lower(eventsource) = " + lit(strings.ToLower(it.Source))}
		if n := namesSQL(it.Names, it.NamePrefixes); n != "" {
			conds = append(conds, n)
		}
		for _, needle := range it.Contains {
			conds = append(conds, containsSQL(needle, cols))
		}
		alts = append(alts, "("+strings.Join(conds, " AND ")+")")
	}
	return "(\n    " + strings.Join(alts, "\n    OR ") + "\n  )"
}

// namesSQL matches the names (any case) or the prefixes (exactly); names
// a prefix already covers are left out.
func namesSQL(names, prefixes []string) string {
	var parts []string
	var rest []string
	for _, n := range names {
		covered := false
		for _, p := range prefixes {
			covered = covered || strings.HasPrefix(n, p)
		}
		if !covered {
			rest = append(rest, n)
		}
	}
	if len(rest) > 0 {
		lower := make([]string, len(rest))
		for i, n := range rest {
			lower[i] = strings.ToLower(n)
		}
		parts = append(parts, "lower(eventname) IN ("+lits(dedupe(lower))+")")
	}
	for _, p := range prefixes {
		parts = append(parts, likePrefix("eventname", p))
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

func likePrefix(col, prefix string) string {
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix)
	if esc == prefix {
		return col + " LIKE " + lit(prefix+"%")
	}
	return col + " LIKE " + lit(esc+"%") + ` ESCAPE '\'`
}

// containsSQL is the byte prefilter's "the record holds this string",
// over every column a record is rebuilt from (concat_ws skips NULLs; a
// needle has no space, so it cannot match across the separator).
func containsSQL(needle string, cols []Column) string {
	var parts []string
	for _, c := range cols {
		expr := ident(c.Name)
		if MustParseType(c.Type).Complex() {
			expr = "json_format(CAST(" + ident(c.Name) + " AS JSON))"
		}
		parts = append(parts, expr)
	}
	if strings.Contains(needle, " ") {
		var ors []string
		for _, p := range parts {
			ors = append(ors, "strpos("+p+", "+lit(needle)+") > 0")
		}
		return "(" + strings.Join(ors, " OR ") + ")"
	}
	return "strpos(concat_ws(' ', " + strings.Join(parts, ", ") + "), " + lit(needle) + ") > 0"
}

func countSources(in []cloudtrail.Interest) int {
	seen := map[string]bool{}
	for _, i := range in {
		seen[i.Source] = true
	}
	return len(seen)
}

// ident quotes an identifier for Trino (double quotes; "timestamp" must be
// quoted in DML, where backticks are not accepted).
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// lit quotes a string literal.
func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func lits(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = lit(s)
	}
	return strings.Join(out, ", ")
}

func dedupe(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}
