package sigma

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Detection is a Sigma detection block: named selections and a condition
// over them.
type Detection struct {
	Selections    []*Selection // in file order
	Condition     Expr
	ConditionText string // as written; a list of conditions is joined with "or"
}

// Selection returns the named selection, or nil.
func (d *Detection) Selection(name string) *Selection {
	for _, s := range d.Selections {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Selection is one named search. Any of its alternatives matching is
// enough (a YAML list of maps; a single map is one alternative).
type Selection struct {
	Name         string
	Alternatives []Conjunction
}

// Conjunction is one map of field matchers: every one must match.
type Conjunction []*FieldMatcher

// FieldMatcher is one "field|modifier|…: value(s)" entry.
type FieldMatcher struct {
	Key       string   // as written: "userIdentity.arn|contains|all"
	Field     string   // dotted path into the record (or a derived portcullis.* field)
	Modifiers []string // as written, in order
	Op        Op       // the comparison the modifiers name
	All       bool     // |all: every value must match (default: any one)
	Cased     bool     // |cased: strings compare case-sensitively
	Expand    bool     // |expand: values are %placeholders% filled from the config
	Values    []Value
}

// Op is a field matcher's comparison.
type Op string

const (
	OpEquals     Op = "" // equality, with * and ? wildcards in strings
	OpContains   Op = "contains"
	OpStartsWith Op = "startswith"
	OpEndsWith   Op = "endswith"
	OpRegexp     Op = "re"
	OpCIDR       Op = "cidr"
	OpExists     Op = "exists"
	OpGT         Op = "gt"
	OpGTE        Op = "gte"
	OpLT         Op = "lt"
	OpLTE        Op = "lte"
)

// Numeric reports whether the comparison is gt, gte, lt or lte.
func (o Op) Numeric() bool { return o == OpGT || o == OpGTE || o == OpLT || o == OpLTE }

var ops = []Op{OpContains, OpStartsWith, OpEndsWith, OpRegexp, OpCIDR, OpExists, OpGT, OpGTE, OpLT, OpLTE}

// Value is one scalar as written, with its YAML type.
type Value struct {
	Type ValueType
	Text string
}

// ValueType is a value's YAML type.
type ValueType string

const (
	String ValueType = "string"
	Number ValueType = "number"
	Bool   ValueType = "bool"
	Null   ValueType = "null" // matches a missing field (or an empty list)
)

// Placeholder is the config list an |expand value names: %admins% gives
// "admins".
func (v Value) Placeholder() string { return strings.Trim(v.Text, "%") }

// HasWildcards reports whether a string value holds Sigma's * or ?
// (escaped ones included: such a value is matched as a pattern).
func (v Value) HasWildcards() bool { return strings.ContainsAny(v.Text, "*?") }

func parseDetection(n *yaml.Node) (*Detection, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("want a mapping of selections and a condition")
	}
	d := &Detection{}
	var cond *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch k {
		case "condition":
			cond = v
		case "timeframe":
			return nil, fmt.Errorf("timeframe: not supported (use a correlation rule)")
		default:
			if d.Selection(k) != nil {
				return nil, fmt.Errorf("%s: selection defined twice", k)
			}
			s, err := parseSelection(k, v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			d.Selections = append(d.Selections, s)
		}
	}
	if cond == nil {
		return nil, fmt.Errorf("condition: required")
	}
	switch cond.Kind {
	case yaml.ScalarNode:
		d.ConditionText = cond.Value
	case yaml.SequenceNode:
		// A list of conditions means any of them.
		var parts []string
		for _, c := range cond.Content {
			parts = append(parts, "("+c.Value+")")
		}
		d.ConditionText = strings.Join(parts, " or ")
	default:
		return nil, fmt.Errorf("condition: want a string")
	}
	expr, err := parseCondition(d.ConditionText, d)
	if err != nil {
		return nil, fmt.Errorf("condition %q: %w", d.ConditionText, err)
	}
	d.Condition = expr
	return d, nil
}

func parseSelection(name string, n *yaml.Node) (*Selection, error) {
	s := &Selection{Name: name}
	switch n = deref(n); n.Kind {
	case yaml.MappingNode:
		c, err := parseConjunction(n)
		if err != nil {
			return nil, err
		}
		s.Alternatives = append(s.Alternatives, c)
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if item = deref(item); item.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("[%d]: keyword (full-text) searches are not supported; use field: value", i)
			}
			c, err := parseConjunction(item)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			s.Alternatives = append(s.Alternatives, c)
		}
	default:
		return nil, fmt.Errorf("keyword (full-text) searches are not supported; use field: value")
	}
	return s, nil
}

func parseConjunction(n *yaml.Node) (Conjunction, error) {
	var out Conjunction
	for i := 0; i+1 < len(n.Content); i += 2 {
		fm, err := parseFieldMatcher(n.Content[i].Value, n.Content[i+1])
		if err != nil {
			return nil, err
		}
		out = append(out, fm)
	}
	return out, nil
}

func parseFieldMatcher(key string, val *yaml.Node) (*FieldMatcher, error) {
	parts := strings.Split(key, "|")
	fm := &FieldMatcher{Key: key, Field: parts[0], Modifiers: parts[1:]}
	if fm.Field == "" {
		return nil, fmt.Errorf("%q: empty field name", key)
	}
	if err := fm.parseModifiers(); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	var scalars []*yaml.Node
	switch val = deref(val); val.Kind {
	case yaml.ScalarNode:
		scalars = []*yaml.Node{val}
	case yaml.SequenceNode:
		scalars = val.Content
	default:
		return nil, fmt.Errorf("%s: want a value or a list of values", key)
	}
	for _, sn := range scalars {
		if sn = deref(sn); sn.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s: nested values are not supported", key)
		}
		v := Value{Type: typeOf(sn.Tag), Text: sn.Value}
		if err := fm.check(v); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		fm.Values = append(fm.Values, v)
	}
	return fm, nil
}

// deref follows YAML aliases (*name) to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 8; i++ {
		n = n.Alias
	}
	return n
}

func typeOf(tag string) ValueType {
	switch tag {
	case "!!null":
		return Null
	case "!!bool":
		return Bool
	case "!!int", "!!float":
		return Number
	}
	return String
}

// parseModifiers reads the modifiers: at most one comparison, plus all,
// expand and cased. Anything else is an error, never ignored.
func (fm *FieldMatcher) parseModifiers() error {
	for _, m := range fm.Modifiers {
		switch {
		case slices.Contains(ops, Op(m)):
			if fm.Op != OpEquals {
				return fmt.Errorf("modifiers %s and %s cannot be combined", fm.Op, m)
			}
			fm.Op = Op(m)
		case m == "all":
			fm.All = true
		case m == "expand":
			fm.Expand = true
		case m == "cased":
			fm.Cased = true
		default:
			return fmt.Errorf("modifier %q is not supported", m)
		}
	}
	return nil
}

// check validates a value against the comparison. Placeholders are checked
// when the engine fills them.
func (fm *FieldMatcher) check(v Value) error {
	if v.Type == Null || fm.Expand {
		return nil
	}
	return CheckValue(fm.Op, v.Text)
}

// CheckValue reports whether text is a valid operand of op (a regular
// expression for re, a prefix for cidr …).
func CheckValue(op Op, text string) error {
	switch {
	case op == OpRegexp:
		if _, err := regexp.Compile(text); err != nil {
			return fmt.Errorf("bad regular expression: %w", err)
		}
	case op == OpCIDR:
		if _, err := netip.ParsePrefix(text); err != nil {
			return fmt.Errorf("bad CIDR: %w", err)
		}
	case op == OpExists:
		if _, err := strconv.ParseBool(text); err != nil {
			return fmt.Errorf("exists wants true or false")
		}
	case op.Numeric():
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return fmt.Errorf("%s wants a number, got %q", op, text)
		}
	}
	return nil
}
