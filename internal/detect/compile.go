package detect

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// compiler turns syntax trees into matchers. It fills |expand placeholders
// from the config as it goes, so a compiled rule is bound to one engine.
type compiler struct {
	placeholders map[string][]string
}

func newCompiler(cfg *config.Config) *compiler {
	p := map[string][]string{
		"sensitive_accounts": cfg.SensitiveAccounts,
		"privileged_groups":  cfg.PrivilegedGroups,
		"admins":             nil,
	}
	for _, a := range cfg.Admins {
		p["admins"] = append(p["admins"], a.Pattern)
	}
	return &compiler{placeholders: p}
}

// rule compiles r's detection and escalations.
func (c *compiler) rule(r *Rule) error {
	if d := r.Detection; d != nil {
		sels := make(map[string]*selection, len(d.Selections))
		for _, s := range d.Selections {
			cs, err := c.selection(s)
			if err != nil {
				return fmt.Errorf("%s: %w", r.Source, err)
			}
			sels[s.Name] = cs
		}
		m, err := compileExpr(d.Condition, sels)
		if err != nil {
			return fmt.Errorf("%s: condition %q: %w", r.Source, d.ConditionText, err)
		}
		r.match = m
	}
	for _, esc := range r.Portcullis.Escalate {
		cs, err := c.selection(esc.When)
		if err != nil {
			return fmt.Errorf("%s: %w", r.Source, err)
		}
		r.escalate = append(r.escalate, escalation{Escalation: esc, when: cs})
	}
	return nil
}

func compileExpr(x sigma.Expr, sels map[string]*selection) (expr, error) {
	switch e := x.(type) {
	case sigma.And:
		l, r, err := compilePair(e.Left, e.Right, sels)
		return andExpr{l, r}, err
	case sigma.Or:
		l, r, err := compilePair(e.Left, e.Right, sels)
		return orExpr{l, r}, err
	case sigma.Not:
		inner, err := compileExpr(e.X, sels)
		return notExpr{inner}, err
	case sigma.Ref:
		if s := sels[e.Name]; s != nil {
			return s, nil
		}
		return nil, fmt.Errorf("unknown selection %q", e.Name)
	case sigma.Of:
		o := ofExpr{all: e.All}
		for _, n := range e.Names {
			s := sels[n]
			if s == nil {
				return nil, fmt.Errorf("unknown selection %q", n)
			}
			o.sels = append(o.sels, s)
		}
		return o, nil
	}
	return nil, fmt.Errorf("unknown condition node %T", x)
}

func compilePair(a, b sigma.Expr, sels map[string]*selection) (expr, expr, error) {
	l, err := compileExpr(a, sels)
	if err != nil {
		return nil, nil, err
	}
	r, err := compileExpr(b, sels)
	return l, r, err
}

func (c *compiler) selection(s *sigma.Selection) (*selection, error) {
	out := &selection{}
	for _, conj := range s.Alternatives {
		alt := make([]*fieldMatcher, 0, len(conj))
		for _, fm := range conj {
			cfm, err := c.field(fm)
			if err != nil {
				return nil, err
			}
			alt = append(alt, cfm)
		}
		out.alts = append(out.alts, alt)
	}
	return out, nil
}

func (c *compiler) field(fm *sigma.FieldMatcher) (*fieldMatcher, error) {
	out := &fieldMatcher{field: fm.Field, all: fm.All}
	for _, v := range fm.Values {
		vm, err := c.value(fm, v)
		if err != nil {
			return nil, err
		}
		out.values = append(out.values, vm)
	}
	return out, nil
}

func (c *compiler) value(fm *sigma.FieldMatcher, v sigma.Value) (valueMatcher, error) {
	if v.Type == sigma.Null {
		return nullMatcher{}, nil
	}
	if !fm.Expand {
		return buildMatcher(fm.Op, v, fm.Cased)
	}
	name := v.Placeholder()
	values, known := c.placeholders[name]
	if !known && !strings.HasPrefix(name, "env:") {
		return nil, fmt.Errorf("unknown placeholder %%%s%% (known: admins, sensitive_accounts, privileged_groups)", name)
	}
	out := make(anyMatcher, 0, len(values))
	for _, s := range values {
		vm, err := buildMatcher(fm.Op, sigma.Value{Type: sigma.String, Text: s}, fm.Cased)
		if err != nil {
			return nil, fmt.Errorf("%%%s%% value %q: %w", name, s, err)
		}
		out = append(out, vm)
	}
	return out, nil
}

// buildMatcher compiles one value; the parser has checked it.
func buildMatcher(op sigma.Op, v sigma.Value, cased bool) (valueMatcher, error) {
	if err := sigma.CheckValue(op, v.Text); err != nil {
		return nil, err
	}
	switch {
	case op == sigma.OpRegexp:
		return reMatcher{regexp.MustCompile(v.Text)}, nil
	case op == sigma.OpCIDR:
		return cidrMatcher{netip.MustParsePrefix(v.Text)}, nil
	case op == sigma.OpExists:
		b, _ := strconv.ParseBool(v.Text)
		return existsMatcher{b}, nil
	case op.Numeric():
		f, _ := strconv.ParseFloat(v.Text, 64)
		return numMatcher{op: string(op), n: f}, nil
	case v.Type == sigma.Bool:
		b, _ := strconv.ParseBool(v.Text)
		return boolMatcher{b}, nil
	}
	return newStringMatcher(string(op), v.Text, cased), nil
}
