package export

import (
	"fmt"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// Sigma writes plain Sigma rules: no portcullis block, no tests, no
// portcullis.* fields. A selection that loses such fields is widened where
// the condition asserts it and narrowed where it negates it, so the rule
// still matches everything portcullis finds; what was dropped is named in
// the description and in a comment.
func Sigma(rules []*sigma.Rule, o Options) ([]Item, error) {
	var out []Item
	for _, r := range rules {
		if it, skip := Skip(r); skip {
			out = append(out, it)
			continue
		}
		it, err := sigmaRule(r, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Source, err)
		}
		out = append(out, it)
	}
	return out, nil
}

// selVariant is a selection as exported: its alternatives, or a constant
// when none is left to test.
type selVariant struct {
	alts     [][]*sigma.FieldMatcher
	constant *bool
}

func (v selVariant) same(w selVariant) bool {
	if (v.constant == nil) != (w.constant == nil) || len(v.alts) != len(w.alts) {
		return false
	}
	if v.constant != nil {
		return *v.constant == *w.constant
	}
	for i := range v.alts {
		if len(v.alts[i]) != len(w.alts[i]) {
			return false
		}
		for j := range v.alts[i] {
			if v.alts[i][j] != w.alts[i][j] {
				return false
			}
		}
	}
	return true
}

func constVariant(b bool) selVariant { return selVariant{constant: &b} }

type sigmaGen struct {
	o       Options
	ph      placeholders
	lost    losses
	hi, lo  map[string]selVariant // per selection: widened, narrowed
	emitted map[string]selVariant
	order   []string // emitted selections, in file order
	changed bool     // some selection differs from the original
}

func sigmaRule(r *sigma.Rule, o Options) (Item, error) {
	g := &sigmaGen{o: o, ph: newPlaceholders(o.config()), hi: map[string]selVariant{}, lo: map[string]selVariant{}, emitted: map[string]selVariant{}}
	d := r.Detection
	for _, s := range d.Selections {
		hi, lo, err := g.selection(s)
		if err != nil {
			return Item{}, err
		}
		g.hi[s.Name], g.lo[s.Name] = hi, lo
		if !hi.same(lo) || hi.constant != nil {
			g.changed = true
		}
	}
	if !g.changed {
		for _, s := range d.Selections {
			g.emitted[s.Name] = g.hi[s.Name]
		}
	}
	cond := g.expr(d.Condition, true)
	g.sortOrder(d)
	it := Item{Rule: r, ID: ruleID(r), Status: Full, Lost: g.lost}
	if len(g.lost) > 0 {
		it.Status = Partial
	}
	if c, ok := cond.(cConst); ok {
		why := "nothing is left to match on without portcullis fields: " + lossList(g.lost)
		if !c {
			why = "matches nothing with this config (an empty placeholder list)"
		}
		return Item{Rule: r, ID: it.ID, Status: Skipped, Lost: g.lost, Reason: why}, nil
	}
	if r.Portcullis.Fallback {
		it.Status = Partial
		it.Notes = append(it.Notes, fallbackNote)
	}
	it.Notes = append(it.Notes, severityNote(r))
	doc, err := g.document(r, it, cond)
	if err != nil {
		return Item{}, err
	}
	it.Body = doc
	return it, nil
}

// selection returns the selection widened (portcullis fields dropped: it
// matches more) and narrowed (alternatives with portcullis fields dropped:
// it matches less).
func (g *sigmaGen) selection(s *sigma.Selection) (hi, lo selVariant, err error) {
	anyTrue := false
	for _, conj := range s.Alternatives {
		var kept []*sigma.FieldMatcher
		dropped, impossible := false, false
		for _, fm := range conj {
			if ok := successMatcher(fm); ok != nil {
				kept = append(kept, ok)
				continue
			}
			if isDerived(fm.Field) {
				why := derivedWhy(fm.Field)
				if fm.Field == "portcullis.success" {
					why = "a selection cannot require errorCode to be present and not empty"
				}
				g.lost.add(fm.Key+" in "+s.Name, why)
				dropped = true
				continue
			}
			out, err := g.expand(s.Name, fm)
			if err != nil {
				return hi, lo, fmt.Errorf("%s: %s: %w", s.Name, fm.Key, err)
			}
			if out == nil {
				impossible = true
				break
			}
			kept = append(kept, out)
		}
		switch {
		case impossible:
			continue // this alternative matches nothing
		case len(kept) == 0:
			anyTrue = true
			continue
		}
		hi.alts = append(hi.alts, kept)
		if !dropped {
			lo.alts = append(lo.alts, kept)
		}
	}
	if anyTrue {
		hi = constVariant(true)
	} else if len(hi.alts) == 0 {
		hi = constVariant(false)
	}
	if len(lo.alts) == 0 {
		lo = constVariant(false)
	}
	return hi, lo, nil
}

// successMatcher writes "portcullis.success: true" as what it means on the
// record: no errorCode, or an empty one.
func successMatcher(fm *sigma.FieldMatcher) *sigma.FieldMatcher {
	b, ok := boolLeaf(&leaf{fm: fm, values: fm.Values})
	if fm.Field != "portcullis.success" || !ok || !b {
		return nil
	}
	return &sigma.FieldMatcher{Key: "errorCode", Field: "errorCode", Values: []sigma.Value{{Type: sigma.Null, Text: "null"}, {Type: sigma.String, Text: ""}}}
}

// expand fills |expand placeholders from the config when asked to; nil
// means an empty list (nothing matches).
func (g *sigmaGen) expand(sel string, fm *sigma.FieldMatcher) (*sigma.FieldMatcher, error) {
	if !fm.Expand || !g.o.Expand {
		return fm, nil
	}
	n, err := g.ph.leaf(sel, fm, map[string][]string{})
	if err != nil {
		return nil, err
	}
	l, ok := n.(*leaf)
	if !ok {
		return nil, nil
	}
	out := *fm
	out.Expand = false
	out.Values = l.values
	out.Modifiers = nil
	for _, m := range fm.Modifiers {
		if m != "expand" {
			out.Modifiers = append(out.Modifiers, m)
		}
	}
	out.Key = strings.Join(append([]string{fm.Field}, out.Modifiers...), "|")
	g.changed = true
	return &out, nil
}

// The exported condition.
type cExpr interface{ cexpr() }
type cAnd []cExpr
type cOr []cExpr
type cNot struct{ x cExpr }
type cRef string
type cConst bool
type cOf struct {
	all     bool
	pattern string
}

func (cAnd) cexpr()   {}
func (cOr) cexpr()    {}
func (cNot) cexpr()   {}
func (cRef) cexpr()   {}
func (cConst) cexpr() {}
func (cOf) cexpr()    {}

// expr rewrites the condition: selections asserted (pos) take their widened
// form, negated ones their narrowed form; constants fold.
func (g *sigmaGen) expr(x sigma.Expr, pos bool) cExpr {
	switch e := x.(type) {
	case sigma.And:
		return cfold(true, g.expr(e.Left, pos), g.expr(e.Right, pos))
	case sigma.Or:
		return cfold(false, g.expr(e.Left, pos), g.expr(e.Right, pos))
	case sigma.Not:
		switch inner := g.expr(e.X, !pos).(type) {
		case cConst:
			return !inner
		case cNot:
			return inner.x
		default:
			return cNot{inner}
		}
	case sigma.Ref:
		return g.ref(e.Name, pos)
	case sigma.Of:
		if !g.changed {
			return cOf{all: e.All, pattern: e.Pattern}
		}
		var xs []cExpr
		for _, n := range e.Names {
			xs = append(xs, g.ref(n, pos))
		}
		return cfold(e.All, xs...)
	}
	panic(fmt.Sprintf("export: unknown condition node %T", x))
}

// ref names the variant of a selection the polarity needs, emitting it
// under the selection's name, or a second name when both are needed.
func (g *sigmaGen) ref(name string, pos bool) cExpr {
	v := g.hi[name]
	if !pos {
		v = g.lo[name]
	}
	if v.constant != nil {
		return cConst(*v.constant)
	}
	emitName := name
	if prev, ok := g.emitted[name]; ok && !prev.same(v) {
		emitName = name + "_without_portcullis_fields"
		if !pos {
			emitName = name + "_strict"
		}
	}
	if _, ok := g.emitted[emitName]; !ok {
		g.emitted[emitName] = v
	}
	return cRef(emitName)
}

// sortOrder lists the emitted selections in file order, each variant
// after its selection.
func (g *sigmaGen) sortOrder(d *sigma.Detection) {
	g.order = nil
	for _, s := range d.Selections {
		for _, n := range []string{s.Name, s.Name + "_without_portcullis_fields", s.Name + "_strict"} {
			if _, ok := g.emitted[n]; ok {
				g.order = append(g.order, n)
			}
		}
	}
}

func cfold(and bool, xs ...cExpr) cExpr {
	var out []cExpr
	for _, x := range xs {
		switch v := x.(type) {
		case cConst:
			if bool(v) != and {
				return v // false in an and, true in an or
			}
			continue
		case cAnd:
			if and {
				out = append(out, v...)
				continue
			}
		case cOr:
			if !and {
				out = append(out, v...)
				continue
			}
		}
		out = append(out, x)
	}
	switch {
	case len(out) == 0:
		return cConst(and)
	case len(out) == 1:
		return out[0]
	case and:
		return cAnd(out)
	}
	return cOr(out)
}

// render writes the condition in Sigma's grammar.
func render(x cExpr) string {
	switch e := x.(type) {
	case cRef:
		return string(e)
	case cOf:
		if e.all {
			return "all of " + e.pattern
		}
		return "1 of " + e.pattern
	case cNot:
		s := render(e.x)
		if _, simple := e.x.(cRef); !simple {
			s = "(" + s + ")"
		}
		return "not " + s
	case cAnd:
		var parts []string
		for _, k := range e {
			s := render(k)
			if _, isOr := k.(cOr); isOr {
				s = "(" + s + ")"
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " and ")
	case cOr:
		var parts []string
		for _, k := range e {
			parts = append(parts, render(k))
		}
		return strings.Join(parts, " or ")
	case cConst:
		panic("export: constant condition rendered")
	}
	panic(fmt.Sprintf("export: unknown condition %T", x))
}
