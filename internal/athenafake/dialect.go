//go:build cgo

package athenafake

import (
	"fmt"
	"strings"
)

// The dialect layer: what Athena (Trino) spells differently from DuckDB,
// and nothing more. Each entry is tested in dialect_test.go.
//
// Functions DuckDB lacks become macros:
//
//	json_format(json)              → CAST(json AS VARCHAR): the JSON text
//	json_extract_scalar(json, p)   → json_extract_string, but NULL for an
//	                                 object or array, as Trino returns
//	from_iso8601_timestamp(s)      → CAST(s AS TIMESTAMPTZ)
//	regexp_like(s, p)              → regexp_matches(s, p)
//
// Needing a literal argument, or being syntax, these are rewritten:
//
//	date_parse(s, 'fmt')           → strptime(s, 'fmt'), MySQL-style format
//	                                 specifiers (%i %s %T %h %e …) mapped
//	                                 to strftime's
//	"AwsDataCatalog".db.t          → db.t (the fake has one catalog)
//	`timestamp` (backticks)        → refused with Trino's own message: DML
//	                                 quotes identifiers with double quotes
//	                                 ("timestamp"), which DuckDB reads as is
//
// The same as Trino, left alone: CAST(row AS JSON) (a JSON object keyed by
// the declared field names, null fields included), json_extract, strpos,
// starts_with, LIKE … ESCAPE, IN, ORDER BY.
var macros = []string{
	`CREATE OR REPLACE MACRO json_format(j) AS CAST(j AS VARCHAR)`,
	`CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS CASE WHEN json_type(CAST(j AS JSON), p) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(CAST(j AS JSON), p) END`,
	`CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
	`CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)`,
}

// DefaultCatalog is the only catalog the fake knows.
const DefaultCatalog = "awsdatacatalog"

// SyntaxError is a query Athena would refuse before running it.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("SYNTAX_ERROR: line %d:%d: %s", e.Line, e.Col, e.Msg)
}

type tokKind int

const (
	tWS tokKind = iota
	tString
	tQuoted // "identifier"
	tBacktick
	tWord
	tOther
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// word is the token's identifier, unquoted and lower-cased ("" if none).
func (t token) word() string {
	switch t.kind {
	case tWord:
		return strings.ToLower(t.text)
	case tQuoted:
		return strings.ToLower(strings.ReplaceAll(t.text[1:len(t.text)-1], `""`, `"`))
	}
	return ""
}

func tokenize(sql string) ([]token, error) {
	var out []token
	for i := 0; i < len(sql); {
		c := sql[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			for i < len(sql) && strings.IndexByte(" \t\n\r", sql[i]) >= 0 {
				i++
			}
			out = append(out, token{tWS, sql[start:i], start})
		case c == '\'' || c == '"' || c == '`':
			i++
			for {
				if i >= len(sql) {
					l, col := lineCol(sql, start)
					return nil, &SyntaxError{l, col, "unterminated quote"}
				}
				if sql[i] == c {
					if i+1 < len(sql) && sql[i+1] == c {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			k := map[byte]tokKind{'\'': tString, '"': tQuoted, '`': tBacktick}[c]
			out = append(out, token{k, sql[start:i], start})
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			for i < len(sql) && (sql[i] == '_' || sql[i] == '$' || sql[i] >= 'a' && sql[i] <= 'z' || sql[i] >= 'A' && sql[i] <= 'Z' || sql[i] >= '0' && sql[i] <= '9') {
				i++
			}
			out = append(out, token{tWord, sql[start:i], start})
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			out = append(out, token{tWS, sql[start:i], start})
		default:
			i++
			out = append(out, token{tOther, sql[start:i], start})
		}
	}
	return out, nil
}

func lineCol(sql string, pos int) (int, int) {
	line := 1 + strings.Count(sql[:pos], "\n")
	return line, pos - strings.LastIndexByte(sql[:pos], '\n')
}

// Translate rewrites an Athena query for DuckDB.
func Translate(sql string) (string, error) {
	toks, err := tokenize(sql)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.kind == tBacktick:
			l, c := lineCol(sql, t.pos)
			return "", &SyntaxError{l, c, "backquoted identifiers are not supported; use double quotes to quote identifiers"}
		case t.word() == DefaultCatalog && next(toks, i, 1).text == "." && next(toks, i, 3).text == "." && t.kind != tString:
			i = skip(toks, i, 1) // drop the catalog and its dot
		case t.kind == tWord && t.word() == "date_parse" && next(toks, i, 1).text == "(":
			s, end, err := rewriteDateParse(sql, toks, skip(toks, i, 1))
			if err != nil {
				return "", err
			}
			b.WriteString(s)
			i = end
		default:
			b.WriteString(t.text)
		}
	}
	return b.String(), nil
}

// next returns the n-th non-space token after i (an empty token past the end).
func next(toks []token, i, n int) token {
	j := skip(toks, i, n)
	if j >= len(toks) {
		return token{}
	}
	return toks[j]
}

func skip(toks []token, i, n int) int {
	for j := i + 1; j < len(toks); j++ {
		if toks[j].kind == tWS {
			continue
		}
		n--
		if n == 0 {
			return j
		}
	}
	return len(toks)
}

// rewriteDateParse reads date_parse's arguments from the "(" at open and
// returns the strptime call and the index of the closing ")".
func rewriteDateParse(sql string, toks []token, open int) (string, int, error) {
	depth, comma := 0, -1
	for j := open; j < len(toks); j++ {
		switch toks[j].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				if comma < 0 {
					l, c := lineCol(sql, toks[open].pos)
					return "", 0, &SyntaxError{l, c, "date_parse takes a string and a format"}
				}
				fmtTok := next(toks, comma, 1)
				if fmtTok.kind != tString || skip(toks, comma, 2) != j {
					l, c := lineCol(sql, toks[comma].pos)
					return "", 0, &SyntaxError{l, c, "the fake needs date_parse's format as a string literal"}
				}
				arg := sql[toks[open].pos+1 : toks[comma].pos]
				return "strptime(" + arg + ", " + mysqlToStrftime(fmtTok.text) + ")", j, nil
			}
		case ",":
			if depth == 1 {
				comma = j
			}
		}
	}
	l, c := lineCol(sql, toks[open].pos)
	return "", 0, &SyntaxError{l, c, "unbalanced parentheses"}
}

// mysqlToStrftime maps date_parse's specifiers (Trino follows MySQL's
// DATE_FORMAT) to strptime's, inside a quoted literal.
func mysqlToStrftime(lit string) string {
	m := map[byte]string{
		'i': "%M", 's': "%S", 'S': "%S", 'T': "%H:%M:%S", 'h': "%I", 'I': "%I", 'e': "%-d",
		'c': "%-m", 'k': "%-H", 'l': "%-I", 'r': "%I:%M:%S %p", 'W': "%A", 'M': "%B",
		'Y': "%Y", 'y': "%y", 'm': "%m", 'd': "%d", 'H': "%H", 'p': "%p", 'f': "%f",
		'a': "%a", 'b': "%b", 'j': "%j", '%': "%%",
	}
	var b strings.Builder
	for i := 0; i < len(lit); i++ {
		if lit[i] == '%' && i+1 < len(lit) {
			if s, ok := m[lit[i+1]]; ok {
				b.WriteString(s)
				i++
				continue
			}
		}
		b.WriteByte(lit[i])
	}
	return b.String()
}
