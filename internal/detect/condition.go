package detect

import (
	"fmt"
	"path"
	"strings"
	"unicode"
)

// detection is a parsed Sigma detection block.
type detection struct {
	selections map[string]*selection
	order      []string
	cond       expr
}

func (d *detection) eval(g Getter) bool { return d.cond.eval(g) }

type expr interface{ eval(Getter) bool }

type andExpr struct{ l, r expr }
type orExpr struct{ l, r expr }
type notExpr struct{ e expr }
type selRef struct{ s *selection }

// ofExpr is "1 of x*" / "all of x*" / "1 of them".
type ofExpr struct {
	all  bool
	sels []*selection
}

func (e andExpr) eval(g Getter) bool { return e.l.eval(g) && e.r.eval(g) }
func (e orExpr) eval(g Getter) bool  { return e.l.eval(g) || e.r.eval(g) }
func (e notExpr) eval(g Getter) bool { return !e.e.eval(g) }
func (e selRef) eval(g Getter) bool  { return e.s.eval(g) }
func (e ofExpr) eval(g Getter) bool {
	for _, s := range e.sels {
		if s.eval(g) != e.all {
			return !e.all
		}
	}
	return e.all
}

// parseCondition parses Sigma's condition grammar:
//
//	expr := term { "or" term } ; term := factor { "and" factor }
//	factor := "not" factor | "(" expr ")" | ("1"|"all") "of" pattern | name
func parseCondition(text string, d *detection) (expr, error) {
	p := &condParser{toks: tokenize(text), d: d}
	if len(p.toks) == 0 {
		return nil, fmt.Errorf("empty")
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.i])
	}
	return e, nil
}

type condParser struct {
	toks []string
	i    int
	d    *detection
}

func (p *condParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *condParser) next() string { t := p.peek(); p.i++; return t }

func (p *condParser) or() (expr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.peek(), "or") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = orExpr{l, r}
	}
	return l, nil
}

func (p *condParser) and() (expr, error) {
	l, err := p.factor()
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.peek(), "and") {
		p.next()
		r, err := p.factor()
		if err != nil {
			return nil, err
		}
		l = andExpr{l, r}
	}
	return l, nil
}

func (p *condParser) factor() (expr, error) {
	t := p.next()
	switch {
	case t == "":
		return nil, fmt.Errorf("unexpected end")
	case strings.EqualFold(t, "not"):
		e, err := p.factor()
		if err != nil {
			return nil, err
		}
		return notExpr{e}, nil
	case t == "(":
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		return e, nil
	case t == "1" || strings.EqualFold(t, "all") || strings.EqualFold(t, "any"):
		if !strings.EqualFold(p.next(), "of") {
			return nil, fmt.Errorf("%q must be followed by \"of\"", t)
		}
		pat := p.next()
		if pat == "" {
			return nil, fmt.Errorf("\"of\" needs a selection pattern or \"them\"")
		}
		var sels []*selection
		for _, name := range p.d.order {
			ok := strings.EqualFold(pat, "them") && !strings.HasPrefix(name, "_")
			if !ok {
				ok, _ = path.Match(pat, name)
			}
			if ok {
				sels = append(sels, p.d.selections[name])
			}
		}
		if len(sels) == 0 {
			return nil, fmt.Errorf("%q matches no selection", pat)
		}
		return ofExpr{all: strings.EqualFold(t, "all"), sels: sels}, nil
	case t == ")" || strings.EqualFold(t, "and") || strings.EqualFold(t, "or") || t == "|":
		return nil, fmt.Errorf("unexpected %q", t)
	}
	if _, err := fmt.Sscanf(t, "%d", new(int)); err == nil {
		return nil, fmt.Errorf("only \"1 of\" and \"all of\" are supported, got %q", t)
	}
	s, ok := p.d.selections[t]
	if !ok {
		return nil, fmt.Errorf("unknown selection %q", t)
	}
	return selRef{s}, nil
}

func tokenize(s string) []string {
	var toks []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			flush()
		case r == '(' || r == ')' || r == '|':
			flush()
			toks = append(toks, string(r))
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}
