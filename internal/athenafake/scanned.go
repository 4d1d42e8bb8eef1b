//go:build cgo

package athenafake

import (
	"context"
	"fmt"
	"strings"
)

// Data scanned, as Athena bills it: whole objects of every partition the
// query's partition predicates keep. The WHERE clause's top-level
// conjuncts that name only partition columns (account, region,
// "timestamp") are what partition projection prunes with; the fake sums
// the stored bytes of the partitions they keep.

var sqlKeywords = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "between": true, "like": true, "is": true,
	"null": true, "escape": true, "true": true, "false": true, "date": true, "interval": true,
	"day": true, "current_date": true, "current_timestamp": true, "varchar": true, "as": true,
}

func (s *Server) scanned(ctx context.Context, sql, database string) int64 {
	toks, err := tokenize(sql)
	if err != nil {
		return 0
	}
	// Strip the layout down to significant tokens with their depth.
	var sig []token
	var depth []int
	d := 0
	for _, t := range toks {
		if t.kind == tWS {
			continue
		}
		if t.text == ")" {
			d--
		}
		sig = append(sig, t)
		depth = append(depth, d)
		if t.text == "(" {
			d++
		}
	}
	dbName, tbl := database, ""
	where, end := -1, len(sig)
	for i, t := range sig {
		if depth[i] != 0 {
			continue
		}
		switch t.word() {
		case "from":
			if tbl == "" {
				var parts []string
				for j := i + 1; j < len(sig); j += 2 {
					parts = append(parts, sig[j].word())
					if j+1 >= len(sig) || sig[j+1].text != "." {
						break
					}
				}
				if n := len(parts); n >= 2 {
					dbName, tbl = parts[n-2], parts[n-1]
				} else if n == 1 {
					tbl = parts[0]
				}
			}
		case "where":
			where = i + 1
		case "order", "group", "limit", "having":
			if where >= 0 && i > where && end == len(sig) {
				end = i
			}
		}
	}
	t := s.db.table(dbName, tbl)
	if t == nil {
		return 0
	}
	var keep []string
	if where >= 0 {
		start := where
		between := false
		for i := where; i <= end; i++ {
			if i < end && depth[i] == 0 && sig[i].word() == "between" {
				between = true
			}
			if i == end || depth[i] == 0 && sig[i].word() == "and" {
				if i < end && between {
					between = false
					continue // BETWEEN x AND y
				}
				if c := sig[start:i]; onlyPartitions(c) {
					keep = append(keep, sql[c[0].pos:c[len(c)-1].pos+len(c[len(c)-1].text)])
				}
				start = i + 1
			}
		}
	}
	q := fmt.Sprintf(`SELECT coalesce(sum(bytes), 0) FROM %s.%s`, metaSchema, quote(partTable(t.database, t.name)))
	if len(keep) > 0 {
		cond, err := Translate(strings.Join(keep, " AND "))
		if err != nil {
			return 0
		}
		q += " WHERE " + cond
	}
	var n int64
	if err := s.db.sql.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0
	}
	return n
}

func onlyPartitions(c []token) bool {
	if len(c) == 0 {
		return false
	}
	for i, t := range c {
		w := t.word()
		if w == "" || sqlKeywords[w] || t.kind == tWord && i+1 < len(c) && c[i+1].text == "(" {
			continue
		}
		if w != "account" && w != "region" && w != "timestamp" {
			return false
		}
	}
	return true
}
