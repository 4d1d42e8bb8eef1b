package detect

import (
	"encoding/json"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// Getter reads a dotted field from an event.
type Getter interface {
	Get(path string) (any, bool)
}

var _ Getter = (*cloudtrail.Event)(nil)

// expr is a compiled condition.
type expr interface{ eval(Getter) bool }

type andExpr struct{ l, r expr }
type orExpr struct{ l, r expr }
type notExpr struct{ e expr }

// ofExpr is "1 of x*" / "all of x*" / "1 of them".
type ofExpr struct {
	all  bool
	sels []*selection
}

func (e andExpr) eval(g Getter) bool { return e.l.eval(g) && e.r.eval(g) }
func (e orExpr) eval(g Getter) bool  { return e.l.eval(g) || e.r.eval(g) }
func (e notExpr) eval(g Getter) bool { return !e.e.eval(g) }
func (e ofExpr) eval(g Getter) bool {
	for _, s := range e.sels {
		if s.eval(g) != e.all {
			return !e.all
		}
	}
	return e.all
}

// selection is one compiled named search: a list of alternatives (OR),
// each a list of field matchers (AND).
type selection struct {
	alts [][]*fieldMatcher
}

type fieldMatcher struct {
	field  string
	all    bool // |all: every value must match
	values []valueMatcher
}

type valueMatcher interface {
	match(v any) bool
}

func (s *selection) eval(g Getter) bool {
	for _, alt := range s.alts {
		ok := true
		for _, fm := range alt {
			if !fm.eval(g) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (fm *fieldMatcher) eval(g Getter) bool {
	v, found := g.Get(fm.field)
	if !found {
		v = nil
	}
	if fm.all {
		for _, vm := range fm.values {
			if !matchAny(vm, v) {
				return false
			}
		}
		return len(fm.values) > 0
	}
	for _, vm := range fm.values {
		if matchAny(vm, v) {
			return true
		}
	}
	return false
}

// matchAny applies vm to v, or to any element when v is a list (Sigma's
// semantics for multi-valued fields).
func matchAny(vm valueMatcher, v any) bool {
	if list, ok := v.([]any); ok {
		if _, isNull := vm.(nullMatcher); isNull {
			return len(list) == 0
		}
		for _, x := range list {
			if vm.match(x) {
				return true
			}
		}
		return false
	}
	return vm.match(v)
}

// stringMatcher implements Sigma's plain, contains, startswith and endswith
// matching with '*' and '?' wildcards, case-insensitive unless cased.
type stringMatcher struct {
	re    *regexp.Regexp // set when the value has wildcards
	want  string
	kind  string
	cased bool
}

func newStringMatcher(kind, raw string, cased bool) valueMatcher {
	m := &stringMatcher{want: raw, kind: kind, cased: cased}
	if strings.ContainsAny(raw, "*?") {
		var b strings.Builder
		if !cased {
			b.WriteString("(?is)")
		} else {
			b.WriteString("(?s)")
		}
		if kind != "contains" && kind != "endswith" {
			b.WriteByte('^')
		}
		for i := 0; i < len(raw); i++ {
			switch c := raw[i]; {
			case c == '\\' && i+1 < len(raw) && strings.ContainsRune(`*?\`, rune(raw[i+1])):
				b.WriteString(regexp.QuoteMeta(string(raw[i+1])))
				i++
			case c == '*':
				b.WriteString(".*")
			case c == '?':
				b.WriteString(".")
			default:
				b.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		if kind != "contains" && kind != "startswith" {
			b.WriteByte('$')
		}
		m.re = regexp.MustCompile(b.String())
		return m
	}
	if !cased {
		m.want = strings.ToLower(raw)
	}
	return m
}

func (m *stringMatcher) match(v any) bool {
	if v == nil {
		return false
	}
	s := cloudtrail.Scalar(v)
	if s == "" {
		if _, isStr := v.(string); !isStr {
			return false // objects and arrays never equal a string
		}
	}
	if m.re != nil {
		return m.re.MatchString(s)
	}
	if !m.cased {
		s = strings.ToLower(s)
	}
	switch m.kind {
	case "contains":
		return strings.Contains(s, m.want)
	case "startswith":
		return strings.HasPrefix(s, m.want)
	case "endswith":
		return strings.HasSuffix(s, m.want)
	}
	return s == m.want
}

type nullMatcher struct{}

func (nullMatcher) match(v any) bool { return v == nil }

type boolMatcher struct{ b bool }

func (m boolMatcher) match(v any) bool {
	switch x := v.(type) {
	case bool:
		return x == m.b
	case string:
		return strings.EqualFold(x, strconv.FormatBool(m.b))
	}
	return false
}

type reMatcher struct{ re *regexp.Regexp }

func (m reMatcher) match(v any) bool {
	if v == nil {
		return false
	}
	return m.re.MatchString(cloudtrail.Scalar(v))
}

type cidrMatcher struct{ p netip.Prefix }

func (m cidrMatcher) match(v any) bool {
	a, err := netip.ParseAddr(cloudtrail.Scalar(v))
	return err == nil && m.p.Contains(a)
}

type existsMatcher struct{ want bool }

func (m existsMatcher) match(v any) bool { return (v != nil) == m.want }

type numMatcher struct {
	op string
	n  float64
}

func (m numMatcher) match(v any) bool {
	var f float64
	switch x := v.(type) {
	case json.Number:
		var err error
		if f, err = x.Float64(); err != nil {
			return false
		}
	case float64:
		f = x
	case int:
		f = float64(x)
	case string:
		var err error
		if f, err = strconv.ParseFloat(x, 64); err != nil {
			return false
		}
	default:
		return false
	}
	switch m.op {
	case "gt":
		return f > m.n
	case "gte":
		return f >= m.n
	case "lt":
		return f < m.n
	}
	return f <= m.n
}

// anyMatcher is an |expand value: the config's list behind a placeholder,
// any one of which may match. Empty (an env: placeholder), it matches
// nothing.
type anyMatcher []valueMatcher

func (m anyMatcher) match(v any) bool {
	for _, b := range m {
		if b.match(v) {
			return true
		}
	}
	return false
}
