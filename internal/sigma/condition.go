package sigma

import (
	"fmt"
	"path"
	"strings"
	"unicode"
)

// Expr is a node of a detection's condition: And, Or, Not, Ref or Of.
type Expr interface{ expr() }

// And holds when both sides hold.
type And struct{ Left, Right Expr }

// Or holds when either side holds.
type Or struct{ Left, Right Expr }

// Not holds when X does not.
type Not struct{ X Expr }

// Ref names one selection.
type Ref struct{ Name string }

// Of is "1 of pattern", "all of pattern" or "1 of them": Names are the
// selections the pattern matched, in file order.
type Of struct {
	All     bool
	Pattern string
	Names   []string
}

func (And) expr() {}
func (Or) expr()  {}
func (Not) expr() {}
func (Ref) expr() {}
func (Of) expr()  {}

// parseCondition parses Sigma's condition grammar:
//
//	expr := term { "or" term } ; term := factor { "and" factor }
//	factor := "not" factor | "(" expr ")" | ("1"|"all") "of" pattern | name
func parseCondition(text string, d *Detection) (Expr, error) {
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
	d    *Detection
}

func (p *condParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *condParser) next() string { t := p.peek(); p.i++; return t }

func (p *condParser) or() (Expr, error) {
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
		l = Or{l, r}
	}
	return l, nil
}

func (p *condParser) and() (Expr, error) {
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
		l = And{l, r}
	}
	return l, nil
}

func (p *condParser) factor() (Expr, error) {
	t := p.next()
	switch {
	case t == "":
		return nil, fmt.Errorf("unexpected end")
	case strings.EqualFold(t, "not"):
		e, err := p.factor()
		if err != nil {
			return nil, err
		}
		return Not{e}, nil
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
		return p.of(t)
	case t == ")" || strings.EqualFold(t, "and") || strings.EqualFold(t, "or") || t == "|":
		return nil, fmt.Errorf("unexpected %q", t)
	}
	if _, err := fmt.Sscanf(t, "%d", new(int)); err == nil {
		return nil, fmt.Errorf("only \"1 of\" and \"all of\" are supported, got %q", t)
	}
	if p.d.Selection(t) == nil {
		return nil, fmt.Errorf("unknown selection %q", t)
	}
	return Ref{t}, nil
}

// of reads the rest of "1 of pattern" / "all of them" after its quantifier.
func (p *condParser) of(quant string) (Expr, error) {
	if !strings.EqualFold(p.next(), "of") {
		return nil, fmt.Errorf("%q must be followed by \"of\"", quant)
	}
	pat := p.next()
	if pat == "" {
		return nil, fmt.Errorf("\"of\" needs a selection pattern or \"them\"")
	}
	out := Of{All: strings.EqualFold(quant, "all"), Pattern: pat}
	for _, s := range p.d.Selections {
		ok := strings.EqualFold(pat, "them") && !strings.HasPrefix(s.Name, "_")
		if !ok {
			ok, _ = path.Match(pat, s.Name)
		}
		if ok {
			out.Names = append(out.Names, s.Name)
		}
	}
	if len(out.Names) == 0 {
		return nil, fmt.Errorf("%q matches no selection", pat)
	}
	return out, nil
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
