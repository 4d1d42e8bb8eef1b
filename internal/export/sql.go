package export

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// SQL writes one standalone query per single-event rule for the target
// (Athena or CloudTrail Lake), and a Skipped item for every other rule.
func SQL(rules []*sigma.Rule, o Options) ([]Item, error) {
	var out []Item
	for _, r := range rules {
		if it, skip := Skip(r); skip {
			out = append(out, it)
			continue
		}
		it, err := sqlRule(r, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Source, err)
		}
		out = append(out, it)
	}
	return out, nil
}

// sqlGen lowers one rule's condition to SQL. A condition the target cannot
// test becomes TRUE where it is asserted and FALSE where it is negated, so
// the query keeps every event the rule matches; lo is the same condition
// narrowed the other way, used under NOT.
type sqlGen struct {
	t     Target
	allow allowlist
	lost  losses
}

type bounds struct{ lo, hi sqlNode }

func exact(n sqlNode) bounds { return bounds{n, n} }

func sqlRule(r *sigma.Rule, o Options) (Item, error) {
	cfg := o.config()
	used := map[string][]string{}
	tree, err := newPlaceholders(cfg).tree(r.Detection, used)
	if err != nil {
		return Item{}, err
	}
	g := &sqlGen{t: o.Target, allow: newAllowlist(cfg)}
	cond := g.lower(simplify(tree)).hi
	it := Item{Rule: r, ID: ruleID(r), Status: Full, Lost: g.lost}
	if len(g.lost) > 0 {
		it.Status = Partial
	}
	if r.Portcullis.Fallback {
		it.Status = Partial
		it.Notes = append(it.Notes, fallbackNote)
	}
	if cond.atom == "TRUE" {
		return Item{Rule: r, ID: it.ID, Status: Skipped, Lost: g.lost,
			Reason: "nothing of its condition can be tested in SQL: " + lossList(g.lost)}, nil
	}
	it.Notes = append(it.Notes, severityNote(r))

	var b strings.Builder
	g.header(&b, r, it, o, used)
	b.WriteString("SELECT\n  ")
	b.WriteString(strings.Join(o.Target.selectList(it.ID), ",\n  "))
	b.WriteString("\nFROM " + o.Target.From + "\nWHERE ")
	var where []sqlNode
	for _, w := range o.Target.sinceSQL(o.Since) {
		where = append(where, sqlAtom(w, true))
	}
	b.WriteString(sAnd(append(where, cond)...).render(1))
	b.WriteString("\nORDER BY eventtime, eventid\n")
	it.Body = []byte(b.String())
	return it, nil
}

func lossList(ls []Loss) string {
	var s []string
	for _, l := range ls {
		s = append(s, l.String())
	}
	return strings.Join(s, "; ")
}

func (g *sqlGen) header(b *strings.Builder, r *sigma.Rule, it Item, o Options, used map[string][]string) {
	lang := map[string]string{FormatAthena: "Athena", FormatLake: "CloudTrail Lake"}[o.Target.Format]
	fmt.Fprintf(b, "-- %s: %s (%s)\n", it.ID, r.Title, sigmaLevel(r.Level))
	fmt.Fprintf(b, "-- portcullis rules export --format %s, from %s\n", o.Target.Format, r.Source)
	if it.Status == Full {
		fmt.Fprintf(b, "-- fully expressed in %s SQL: returns exactly the events the rule matches\n", lang)
	} else {
		fmt.Fprintf(b, "-- partially expressed: results are a superset; run them through portcullis (hunt) to confirm\n")
	}
	for _, l := range it.Lost {
		fmt.Fprintf(b, "-- not expressible in SQL: %s\n", l)
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	src := o.ConfigName
	if src == "" {
		src = "the default config"
	}
	for _, n := range names {
		vals := used[n]
		if len(vals) == 0 {
			fmt.Fprintf(b, "-- %%%s%% is empty in %s: its conditions match nothing\n", n, src)
			continue
		}
		fmt.Fprintf(b, "-- %%%s%% expanded from %s: %s\n", n, src, strings.Join(vals, ", "))
	}
	for _, n := range it.Notes {
		fmt.Fprintf(b, "-- note: %s\n", n)
	}
}

func (g *sqlGen) lower(n node) bounds {
	switch x := n.(type) {
	case constNode:
		return exact(sqlConst(bool(x)))
	case andNode:
		var lo, hi []sqlNode
		for _, c := range x {
			b := g.lower(c)
			lo, hi = append(lo, b.lo), append(hi, b.hi)
		}
		return bounds{sAnd(lo...), sAnd(hi...)}
	case orNode:
		var lo, hi []sqlNode
		for _, c := range x {
			b := g.lower(c)
			lo, hi = append(lo, b.lo), append(hi, b.hi)
		}
		return bounds{sOr(lo...), sOr(hi...)}
	case notNode:
		b := g.lower(x.x)
		return bounds{sNot(b.hi), sNot(b.lo)}
	case *leaf:
		return g.leaf(x)
	}
	panic(fmt.Sprintf("export: unknown node %T", n))
}

// lose records a condition the target cannot test: TRUE where asserted,
// FALSE where negated.
func (g *sqlGen) lose(l *leaf, why string) bounds {
	g.lost.add(l.describe(), why)
	return bounds{sqlConst(false), sqlConst(true)}
}

func (g *sqlGen) leaf(l *leaf) bounds {
	if isDerived(l.field()) {
		return g.derived(l)
	}
	c, why := g.t.columnFor(l.field())
	if why != "" {
		return g.lose(l, why)
	}
	fm := l.fm
	var preds []sqlNode
	var plain []string // equality values without wildcards, tested with one IN
	for _, v := range l.values {
		if fm.Op == sigma.OpEquals && (v.Type == sigma.String || v.Type == sigma.Number) && !v.HasWildcards() && !c.object && !fm.All {
			plain = append(plain, v.Text)
			continue
		}
		p, why := g.valuePred(c, fm, v)
		if why != "" {
			return g.lose(l, why)
		}
		preds = append(preds, p)
	}
	if len(plain) > 0 {
		preds = append([]sqlNode{equalsAny(c.expr, plain, fm.Cased)}, preds...)
	}
	if fm.All {
		return exact(sAnd(preds...))
	}
	return exact(sOr(preds...))
}

func equalsAny(expr string, vals []string, cased bool) sqlNode {
	if !cased {
		expr = "lower(" + expr + ")"
		for i, v := range vals {
			vals[i] = strings.ToLower(v)
		}
	}
	slices.Sort(vals)
	vals = slices.Compact(vals)
	if len(vals) == 1 {
		return sqlAtom(expr+" = "+lit(vals[0]), true)
	}
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = lit(v)
	}
	return sqlAtom(expr+" IN ("+strings.Join(q, ", ")+")", true)
}

// derived lowers the portcullis.* fields a record alone decides, or the
// part of one it can test; the rest is lost.
func (g *sqlGen) derived(l *leaf) bounds {
	b, isBool := boolLeaf(l)
	switch {
	case l.field() == "portcullis.success" && isBool:
		ok := sqlAtom("(errorcode IS NULL OR errorcode = '')", false)
		if b {
			return exact(ok)
		}
		return exact(sNot(ok))
	case l.field() == "portcullis.actor.allowlisted" && isBool:
		if g.allow.noAdmins {
			return exact(sqlConst(!b)) // nobody is allow-listed
		}
		g.lost.add(l.describe(), g.allow.why())
		listed := g.arnAllowlisted()
		if b {
			return bounds{listed, sqlConst(true)}
		}
		return bounds{sqlConst(false), sNot(listed)}
	}
	return g.lose(l, derivedWhy(l.field()))
}

// arnAllowlisted is true only for callers the engine allow-lists: the
// caller's ARN, or the role behind an assumed-role or federated session,
// matches an admins ARN pattern ('*' any run, '?' one character, cased).
func (g *sqlGen) arnAllowlisted() sqlNode {
	var alts []sqlNode
	for _, p := range g.allow.arns {
		alts = append(alts, globSQL("useridentity.arn", p))
		if !strings.Contains(p, ":assumed-role/") { // a session pattern never matches a role ARN
			alts = append(alts, sAnd(sqlAtom("useridentity.type IN ('AssumedRole', 'FederatedUser')", true),
				globSQL("useridentity.sessioncontext.sessionissuer.arn", p)))
		}
	}
	return sOr(alts...)
}

func globSQL(expr, pattern string) sqlNode {
	if !strings.ContainsAny(pattern, "*?") {
		return sqlAtom(expr+" = "+lit(pattern), true)
	}
	var b strings.Builder
	for _, c := range pattern {
		switch c {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		default:
			b.WriteString(likeEscape(string(c)))
		}
	}
	return like(expr, b.String())
}

func like(expr, pattern string) sqlNode {
	s := expr + " LIKE " + lit(pattern)
	if strings.Contains(pattern, `\`) {
		s += ` ESCAPE '\'`
	}
	return sqlAtom(s, true)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
