package export

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

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

// document writes the Sigma YAML.
func (g *sigmaGen) document(r *sigma.Rule, it Item, cond cExpr) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) {
		if v != nil {
			doc.Content = append(doc.Content, str(k), v)
		}
	}
	add("title", str(r.Title))
	if r.SigmaID != "" {
		add("id", str(r.SigmaID))
	}
	name := r.Name
	if name == "" {
		name = r.Portcullis.ID // a stable human-readable name, as correlations use
	}
	add("name", str(name))
	if r.Status != "" {
		add("status", str(r.Status))
	}
	desc := strings.TrimSpace(r.Description)
	if len(it.Lost) > 0 {
		var dropped []string
		for _, l := range it.Lost {
			dropped = append(dropped, l.Condition)
		}
		note := "Exported from portcullis rule " + it.ID + " without the conditions on fields portcullis derives (" +
			strings.Join(dropped, "; ") + "): this rule matches a superset of portcullis' findings."
		desc = strings.TrimSpace(desc + "\n\n" + note)
	}
	if desc != "" {
		n := str(desc)
		if strings.Contains(desc, "\n") {
			n.Style = yaml.LiteralStyle
		}
		add("description", n)
	}
	add("references", strs(r.References))
	if r.Author != "" {
		add("author", str(r.Author))
	}
	add("date", quoted(r.Date))
	add("modified", quoted(r.Modified))
	add("tags", strs(r.Tags))
	add("logsource", g.logsource(r.Logsource))
	det, err := g.detection(cond)
	if err != nil {
		return nil, err
	}
	add("detection", det)
	var fields []string
	for _, f := range r.Fields {
		if !isDerived(f) {
			fields = append(fields, f)
		}
	}
	add("fields", strs(fields))
	add("falsepositives", strs(r.FalsePositives))
	add("level", str(sigmaLevel(r.Level)))
	if len(r.Related) > 0 {
		var rel yaml.Node
		if err := rel.Encode(r.Related); err != nil {
			return nil, err
		}
		add("related", &rel)
	}
	head := []string{fmt.Sprintf("Exported by portcullis rules export --format sigma from %s (portcullis rule %s).", r.Source, it.ID)}
	for _, l := range it.Lost {
		head = append(head, "Dropped: "+l.String())
	}
	for _, n := range it.Notes {
		head = append(head, "Note: "+n)
	}
	doc.HeadComment = strings.Join(head, "\n")
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

func (g *sigmaGen) logsource(ls sigma.Logsource) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, kv := range [][2]string{{"product", ls.Product}, {"service", ls.Service}, {"category", ls.Category}, {"definition", ls.Definition}} {
		if kv[1] != "" {
			n.Content = append(n.Content, str(kv[0]), str(kv[1]))
		}
	}
	return n
}

func (g *sigmaGen) detection(cond cExpr) (*yaml.Node, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, name := range g.order {
		v := g.emitted[name]
		var alts []*yaml.Node
		for _, conj := range v.alts {
			m := &yaml.Node{Kind: yaml.MappingNode}
			for _, fm := range conj {
				m.Content = append(m.Content, str(fm.Key), values(fm.Values))
			}
			alts = append(alts, m)
		}
		sel := alts[0]
		if len(alts) > 1 {
			sel = &yaml.Node{Kind: yaml.SequenceNode, Content: alts}
		}
		n.Content = append(n.Content, str(name), sel)
	}
	n.Content = append(n.Content, str("condition"), str(render(cond)))
	return n, nil
}

func values(vs []sigma.Value) *yaml.Node {
	if len(vs) == 1 {
		return scalar(vs[0])
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, v := range vs {
		seq.Content = append(seq.Content, scalar(v))
	}
	return seq
}

// scalar keeps a value's YAML type: a string that reads as a number or a
// boolean is quoted.
func scalar(v sigma.Value) *yaml.Node {
	switch v.Type {
	case sigma.Null:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case sigma.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: v.Text}
	case sigma.Number:
		tag := "!!int"
		if strings.ContainsAny(v.Text, ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v.Text}
	}
	return str(v.Text)
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// quoted writes a string YAML would otherwise read as a date.
func quoted(s string) *yaml.Node {
	if s == "" {
		return nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
}

func strs(ss []string) *yaml.Node {
	if len(ss) == 0 {
		return nil
	}
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range ss {
		n.Content = append(n.Content, str(s))
	}
	return n
}
