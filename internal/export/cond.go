package export

import (
	"fmt"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// node is a rule's condition with its selections inlined: and, or, not,
// constants and one leaf per field matcher. Every format lowers this tree.
type node interface{ node() }

type andNode []node
type orNode []node
type notNode struct{ x node }
type constNode bool

// leaf is one field matcher with its values as the engine compares them
// (|expand placeholders filled from the config).
type leaf struct {
	sel    string // the selection it comes from, for notes
	fm     *sigma.FieldMatcher
	values []sigma.Value
}

func (andNode) node()   {}
func (orNode) node()    {}
func (notNode) node()   {}
func (constNode) node() {}
func (*leaf) node()     {}

// field is the leaf's field path.
func (l *leaf) field() string { return l.fm.Field }

// describe names the leaf for a person: "portcullis.policy.escalation in selection_managed".
func (l *leaf) describe() string {
	return l.fm.Key + " in " + l.sel
}

// placeholders are the config lists |expand values name.
type placeholders map[string][]string

func newPlaceholders(cfg *config.Config) placeholders {
	p := placeholders{
		"sensitive_accounts": cfg.SensitiveAccounts,
		"privileged_groups":  cfg.PrivilegedGroups,
		"admins":             nil,
	}
	for _, a := range cfg.Admins {
		p["admins"] = append(p["admins"], a.Pattern)
	}
	return p
}

// tree builds the condition of a detection. used collects the placeholders
// it expanded, for the notes.
func (p placeholders) tree(d *sigma.Detection, used map[string][]string) (node, error) {
	return p.expr(d.Condition, d, used)
}

func (p placeholders) expr(x sigma.Expr, d *sigma.Detection, used map[string][]string) (node, error) {
	switch e := x.(type) {
	case sigma.And:
		return p.pair(andNode{}, e.Left, e.Right, d, used)
	case sigma.Or:
		return p.pair(orNode{}, e.Left, e.Right, d, used)
	case sigma.Not:
		n, err := p.expr(e.X, d, used)
		return notNode{n}, err
	case sigma.Ref:
		return p.selection(d.Selection(e.Name), used)
	case sigma.Of:
		var xs []node
		for _, name := range e.Names {
			n, err := p.selection(d.Selection(name), used)
			if err != nil {
				return nil, err
			}
			xs = append(xs, n)
		}
		if e.All {
			return andNode(xs), nil
		}
		return orNode(xs), nil
	}
	return nil, fmt.Errorf("unknown condition node %T", x)
}

func (p placeholders) pair(out node, a, b sigma.Expr, d *sigma.Detection, used map[string][]string) (node, error) {
	l, err := p.expr(a, d, used)
	if err != nil {
		return nil, err
	}
	r, err := p.expr(b, d, used)
	if err != nil {
		return nil, err
	}
	if _, ok := out.(andNode); ok {
		return andNode{l, r}, nil
	}
	return orNode{l, r}, nil
}

// selection is any of its alternatives, each all of its field matchers.
func (p placeholders) selection(s *sigma.Selection, used map[string][]string) (node, error) {
	if s == nil {
		return nil, fmt.Errorf("unknown selection")
	}
	var alts orNode
	for _, conj := range s.Alternatives {
		var all andNode
		for _, fm := range conj {
			l, err := p.leaf(s.Name, fm, used)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", s.Name, fm.Key, err)
			}
			all = append(all, l)
		}
		alts = append(alts, all)
	}
	return alts, nil
}

func (p placeholders) leaf(sel string, fm *sigma.FieldMatcher, used map[string][]string) (node, error) {
	l := &leaf{sel: sel, fm: fm}
	if !fm.Expand {
		l.values = fm.Values
		return l, nil
	}
	for _, v := range fm.Values {
		if v.Type == sigma.Null {
			l.values = append(l.values, v)
			continue
		}
		name := v.Placeholder()
		vals, known := p[name]
		if !known && !strings.HasPrefix(name, "env:") {
			return nil, fmt.Errorf("unknown placeholder %%%s%% (known: admins, sensitive_accounts, privileged_groups)", name)
		}
		used[name] = vals
		for _, s := range vals {
			if err := sigma.CheckValue(fm.Op, s); err != nil {
				return nil, fmt.Errorf("%%%s%% value %q: %w", name, s, err)
			}
			l.values = append(l.values, sigma.Value{Type: sigma.String, Text: s})
		}
	}
	if len(l.values) == 0 {
		return constNode(false), nil // an empty list matches nothing, as in the engine
	}
	return l, nil
}

// simplify folds constants and flattens nested and/or.
func simplify(n node) node {
	switch x := n.(type) {
	case andNode:
		var out andNode
		for _, c := range x {
			c = simplify(c)
			switch v := c.(type) {
			case constNode:
				if !v {
					return constNode(false)
				}
				continue
			case andNode:
				out = append(out, v...)
				continue
			}
			out = append(out, c)
		}
		switch len(out) {
		case 0:
			return constNode(true)
		case 1:
			return out[0]
		}
		return out
	case orNode:
		var out orNode
		for _, c := range x {
			c = simplify(c)
			switch v := c.(type) {
			case constNode:
				if v {
					return constNode(true)
				}
				continue
			case orNode:
				out = append(out, v...)
				continue
			}
			out = append(out, c)
		}
		switch len(out) {
		case 0:
			return constNode(false)
		case 1:
			return out[0]
		}
		return out
	case notNode:
		inner := simplify(x.x)
		switch v := inner.(type) {
		case constNode:
			return !v
		case notNode:
			return v.x
		}
		return notNode{inner}
	}
	return n
}
