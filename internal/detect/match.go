package detect

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// Getter reads a dotted field from an event.
type Getter interface {
	Get(path string) (any, bool)
}

var _ Getter = (*cloudtrail.Event)(nil)

// selection is one named search: a list of maps (OR), each map a list of
// field matchers (AND).
type selection struct {
	alts [][]*fieldMatcher
}

type fieldMatcher struct {
	field  string
	mods   []string
	all    bool // |all: every value must match
	values []valueMatcher
	// placeholder names still to expand (|expand), resolved by Bind.
	expand bool
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

func parseDetection(n *yaml.Node) (*detection, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("want a mapping of selections and a condition")
	}
	d := &detection{selections: map[string]*selection{}}
	var cond *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch k {
		case "condition":
			cond = v
		case "timeframe":
			return nil, fmt.Errorf("timeframe: not supported (use a correlation rule)")
		default:
			s, err := parseSelection(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			d.selections[k] = s
			d.order = append(d.order, k)
		}
	}
	if cond == nil {
		return nil, fmt.Errorf("condition: required")
	}
	var text string
	switch cond.Kind {
	case yaml.ScalarNode:
		text = cond.Value
	case yaml.SequenceNode:
		// A list of conditions means any of them.
		var parts []string
		for _, c := range cond.Content {
			parts = append(parts, "("+c.Value+")")
		}
		text = strings.Join(parts, " or ")
	default:
		return nil, fmt.Errorf("condition: want a string")
	}
	expr, err := parseCondition(text, d)
	if err != nil {
		return nil, fmt.Errorf("condition %q: %w", text, err)
	}
	d.cond = expr
	return d, nil
}

func parseSelection(n *yaml.Node) (*selection, error) {
	s := &selection{}
	switch n.Kind {
	case yaml.MappingNode:
		alt, err := parseFieldMap(n)
		if err != nil {
			return nil, err
		}
		s.alts = append(s.alts, alt)
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if item.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("[%d]: keyword (full-text) searches are not supported; use field: value", i)
			}
			alt, err := parseFieldMap(item)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			s.alts = append(s.alts, alt)
		}
	default:
		return nil, fmt.Errorf("keyword (full-text) searches are not supported; use field: value")
	}
	return s, nil
}

func parseFieldMap(n *yaml.Node) ([]*fieldMatcher, error) {
	var out []*fieldMatcher
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i].Value, n.Content[i+1]
		parts := strings.Split(key, "|")
		fm := &fieldMatcher{field: parts[0], mods: parts[1:]}
		if fm.field == "" {
			return nil, fmt.Errorf("%q: empty field name", key)
		}
		var scalars []*yaml.Node
		switch val.Kind {
		case yaml.ScalarNode, yaml.AliasNode:
			scalars = []*yaml.Node{val}
		case yaml.SequenceNode:
			scalars = val.Content
		default:
			return nil, fmt.Errorf("%s: want a value or a list of values", key)
		}
		for _, sn := range scalars {
			if sn.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%s: nested values are not supported", key)
			}
			vm, err := compileValue(fm, sn)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			if vm != nil {
				fm.values = append(fm.values, vm)
			}
		}
		out = append(out, fm)
	}
	return out, nil
}

// compileValue builds one value matcher from the field's modifiers.
func compileValue(fm *fieldMatcher, n *yaml.Node) (valueMatcher, error) {
	if n.Tag == "!!null" {
		return nullMatcher{}, nil
	}
	raw := n.Value
	kind := ""
	for _, m := range fm.mods {
		switch m {
		case "contains", "startswith", "endswith", "re", "cidr", "exists", "gt", "gte", "lt", "lte":
			if kind != "" {
				return nil, fmt.Errorf("modifiers %s and %s cannot be combined", kind, m)
			}
			kind = m
		case "all":
			fm.all = true
		case "expand":
			fm.expand = true
		case "cased":
		default:
			return nil, fmt.Errorf("modifier %q is not supported", m)
		}
	}
	cased := contains(fm.mods, "cased")
	if fm.expand {
		// Resolved when the engine binds placeholders from the config.
		return &expandMatcher{placeholder: strings.Trim(raw, "%"), kind: kind, cased: cased}, nil
	}
	return buildMatcher(kind, raw, n.Tag, cased)
}

func buildMatcher(kind, raw, tag string, cased bool) (valueMatcher, error) {
	switch kind {
	case "re":
		re, err := regexp.Compile(raw)
		if err != nil {
			return nil, fmt.Errorf("bad regular expression: %w", err)
		}
		return reMatcher{re}, nil
	case "cidr":
		p, err := netip.ParsePrefix(raw)
		if err != nil {
			return nil, fmt.Errorf("bad CIDR: %w", err)
		}
		return cidrMatcher{p}, nil
	case "exists":
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fmt.Errorf("exists wants true or false")
		}
		return existsMatcher{b}, nil
	case "gt", "gte", "lt", "lte":
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("%s wants a number, got %q", kind, raw)
		}
		return numMatcher{op: kind, n: f}, nil
	}
	if tag == "!!bool" {
		b, _ := strconv.ParseBool(raw)
		return boolMatcher{b}, nil
	}
	return newStringMatcher(kind, raw, cased), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stringMatcher implements Sigma's plain, contains, startswith and endswith
// matching with '*' and '?' wildcards, case-insensitive unless cased.
type stringMatcher struct {
	re    *regexp.Regexp // set when the value has wildcards
	raw   string         // the value as written
	want  string
	kind  string
	cased bool
}

func newStringMatcher(kind, raw string, cased bool) valueMatcher {
	m := &stringMatcher{raw: raw, want: raw, kind: kind, cased: cased}
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

func (m *stringMatcher) rawValue() string { return m.raw }

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

// expandMatcher holds a %placeholder% until the engine binds it to the
// config's values; unbound it matches nothing.
type expandMatcher struct {
	placeholder string
	kind        string
	cased       bool
	bound       []valueMatcher
}

func (m *expandMatcher) match(v any) bool {
	for _, b := range m.bound {
		if b.match(v) {
			return true
		}
	}
	return false
}

func (m *expandMatcher) bind(values []string) error {
	m.bound = m.bound[:0]
	for _, s := range values {
		vm, err := buildMatcher(m.kind, s, "!!str", m.cased)
		if err != nil {
			return fmt.Errorf("%%%s%% value %q: %w", m.placeholder, s, err)
		}
		m.bound = append(m.bound, vm)
	}
	return nil
}
