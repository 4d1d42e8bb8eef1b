package export

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// valuePred tests one value as internal/detect compares it, or says why SQL
// cannot.
func (g *sqlGen) valuePred(c column, fm *sigma.FieldMatcher, v sigma.Value) (sqlNode, string) {
	if v.Type == sigma.Null {
		return g.missing(c, true), "" // absent, JSON null or an empty list
	}
	switch op := fm.Op; {
	case op == sigma.OpExists:
		if b, _ := strconv.ParseBool(v.Text); b {
			return sNot(g.missing(c, true)), ""
		}
		return g.missing(c, false), ""
	case c.object:
		return sqlConst(false), "" // objects never compare equal, greater or alike
	case op.Numeric():
		sym := map[sigma.Op]string{sigma.OpGT: ">", sigma.OpGTE: ">=", sigma.OpLT: "<", sigma.OpLTE: "<="}[op]
		f, _ := strconv.ParseFloat(v.Text, 64)
		return sqlAtom("TRY_CAST("+c.expr+" AS DOUBLE) "+sym+" "+strconv.FormatFloat(f, 'g', -1, 64), true), ""
	case op == sigma.OpRegexp:
		return sqlAtom("regexp_like("+c.expr+", "+lit(v.Text)+")", true), ""
	case op == sigma.OpCIDR:
		re, why := cidrRegexp(v.Text)
		if why != "" {
			return sqlNode{}, why
		}
		return sqlAtom("regexp_like("+c.expr+", "+lit(re)+")", true), ""
	case v.Type == sigma.Bool:
		b, _ := strconv.ParseBool(v.Text)
		return sqlAtom("lower("+c.expr+") = "+lit(strconv.FormatBool(b)), true), ""
	}
	return stringPred(c.expr, fm.Op, v.Text, fm.Cased), ""
}

// missing is Sigma's null (absent, JSON null, or with lists an empty list)
// or, for |exists: false, absent or JSON null.
func (g *sqlGen) missing(c column, emptyList bool) sqlNode {
	if c.asText == "" {
		return sqlAtom(c.expr+" IS NULL", false)
	}
	if emptyList {
		return sqlAtom(c.asText+" IN ('null', '[]')", false)
	}
	return sqlAtom(c.asText+" = 'null'", false)
}

// stringPred is Sigma's plain, contains, startswith and endswith with '*'
// and '?' wildcards ('\' escapes them), any case unless cased.
func stringPred(expr string, op sigma.Op, raw string, cased bool) sqlNode {
	if !cased {
		expr = "lower(" + expr + ")"
		raw = strings.ToLower(raw)
	}
	var pat string
	if strings.ContainsAny(raw, "*?") {
		var b strings.Builder
		for i := 0; i < len(raw); i++ {
			switch c := raw[i]; {
			case c == '\\' && i+1 < len(raw) && strings.IndexByte(`*?\`, raw[i+1]) >= 0:
				b.WriteString(likeEscape(string(raw[i+1])))
				i++
			case c == '*':
				b.WriteByte('%')
			case c == '?':
				b.WriteByte('_')
			default:
				b.WriteString(likeEscape(string(c)))
			}
		}
		pat = b.String()
	} else {
		if op == sigma.OpEquals {
			return sqlAtom(expr+" = "+lit(raw), true)
		}
		pat = likeEscape(raw)
	}
	switch op {
	case sigma.OpContains:
		pat = "%" + pat + "%"
	case sigma.OpStartsWith:
		pat += "%"
	case sigma.OpEndsWith:
		pat = "%" + pat
	}
	return like(expr, pat)
}

// cidrRegexp matches the dotted IPv4 addresses in prefix, written as Go's
// netip parses them (no leading zeros).
func cidrRegexp(prefix string) (string, string) {
	p, err := netip.ParsePrefix(prefix)
	if err != nil {
		return "", fmt.Sprintf("bad CIDR %q", prefix)
	}
	if !p.Addr().Is4() {
		return "", "IPv6 ranges are not written as SQL patterns"
	}
	p = p.Masked()
	a := p.Addr().As4()
	bits := p.Bits()
	var parts []string
	for i := 0; i < 4; i++ {
		fixed := bits - 8*i // bits of this octet the prefix fixes
		switch {
		case fixed >= 8:
			parts = append(parts, strconv.Itoa(int(a[i])))
		case fixed <= 0:
			parts = append(parts, octetAny)
		default:
			lo := int(a[i])
			hi := lo | (1<<(8-fixed) - 1)
			parts = append(parts, octetRange(lo, hi))
		}
	}
	return "^" + strings.Join(parts, `\.`) + "$", ""
}

const octetAny = `(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`

func octetRange(lo, hi int) string {
	var alts []string
	for n := lo; n <= hi; n++ {
		alts = append(alts, strconv.Itoa(n))
	}
	return "(" + strings.Join(alts, "|") + ")"
}

// sqlNode is a boolean SQL expression kept as a tree, so constants fold
// and the query prints with one condition per line.
type sqlNode struct {
	op       string // "AND", "OR", or "" for an atom
	kids     []sqlNode
	atom     string
	nullable bool // may be NULL (a comparison with a missing value)
}

func sqlAtom(s string, nullable bool) sqlNode { return sqlNode{atom: s, nullable: nullable} }

func sqlConst(b bool) sqlNode {
	if b {
		return sqlNode{atom: "TRUE"}
	}
	return sqlNode{atom: "FALSE"}
}

func (n sqlNode) isConst(b bool) bool {
	return n.op == "" && n.atom == strings.ToUpper(strconv.FormatBool(b))
}

func sAnd(xs ...sqlNode) sqlNode { return combine("AND", xs) }
func sOr(xs ...sqlNode) sqlNode  { return combine("OR", xs) }

// combine folds constants (TRUE is AND's unit, FALSE OR's) and flattens.
func combine(op string, xs []sqlNode) sqlNode {
	unit, zero := op == "AND", op != "AND"
	out := sqlNode{op: op}
	for _, x := range xs {
		switch {
		case x.isConst(unit):
			continue
		case x.isConst(zero):
			return x
		case x.op == op:
			out.kids = append(out.kids, x.kids...)
		default:
			out.kids = append(out.kids, x)
		}
		out.nullable = out.nullable || x.nullable
	}
	switch len(out.kids) {
	case 0:
		return sqlConst(unit)
	case 1:
		return out.kids[0]
	}
	return out
}

// sNot negates; a comparison with a missing value is NULL, which Sigma reads
// as false, so a nullable operand is coalesced first.
func sNot(x sqlNode) sqlNode {
	switch {
	case x.isConst(true):
		return sqlConst(false)
	case x.isConst(false):
		return sqlConst(true)
	case x.op == "" && !x.nullable:
		return sqlAtom("NOT "+x.atom, false)
	}
	return sqlNode{op: "NOT", kids: []sqlNode{x}}
}

func (n sqlNode) inline() string {
	switch n.op {
	case "":
		return n.atom
	case "NOT":
		k := n.kids[0]
		if k.nullable {
			return "NOT coalesce(" + k.inline() + ", FALSE)"
		}
		return "NOT (" + k.inline() + ")"
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		parts[i] = k.inline()
		if k.op == "AND" || k.op == "OR" {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " "+n.op+" ")
}

// render prints the tree with one operand per line down to three levels.
func (n sqlNode) render(depth int) string {
	if n.op == "" || depth > 3 {
		return n.inline()
	}
	pad := strings.Repeat("  ", depth)
	if n.op == "NOT" {
		k := n.kids[0]
		if k.op == "" {
			return n.inline()
		}
		open, end := "NOT (", ")"
		if k.nullable {
			open, end = "NOT coalesce(", ", FALSE)"
		}
		return open + "\n" + pad + "  " + k.render(depth+1) + "\n" + pad + end
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		switch k.op {
		case "":
			parts[i] = k.atom
		case "NOT":
			parts[i] = k.render(depth)
		default:
			parts[i] = "(\n" + pad + "  " + k.render(depth+1) + "\n" + pad + ")"
		}
	}
	return strings.Join(parts, "\n"+pad+n.op+" ")
}
