package export_test

import (
	"fmt"
	"math"
	"net/netip"
	"strings"
)

// matchPattern reports whether an EventBridge event matches an event
// pattern, following EventBridge's documented content filtering ("Content
// filtering in Amazon EventBridge event patterns", "Comparison operators
// for use in event patterns", "Matching null values and empty strings",
// "Arrays in event patterns"):
//
//   - every field of the pattern must match (and); "$or" holds when any of
//     its patterns does;
//   - a field's list matches when any of its matchers does; when the event's
//     value is a list, when any element does;
//   - exact strings, numbers (numerically), booleans and null; "prefix",
//     "suffix" (optionally {"equals-ignore-case": …}); "equals-ignore-case";
//     "wildcard" ('*' any run, '\*' and '\\' literal); "numeric" (JSON
//     numbers only, one or two comparisons); "cidr"; "exists" (presence of
//     a leaf value, whatever it is; objects are not leaves); "anything-but"
//     (a string, a number, a list of either, or {"prefix"}, {"suffix"},
//     {"equals-ignore-case"}, {"wildcard"}): a present string or number
//     that is none of them;
//   - a pattern field the event lacks matches only {"exists": false}.
func matchPattern(pattern, event map[string]any) (bool, error) {
	for k, pv := range pattern {
		if k == "$or" {
			alts, ok := pv.([]any)
			if !ok || len(alts) < 2 {
				return false, fmt.Errorf("$or wants a list of at least two patterns")
			}
			hit := false
			for _, a := range alts {
				m, ok := a.(map[string]any)
				if !ok {
					return false, fmt.Errorf("$or item is not a pattern")
				}
				ok, err := matchPattern(m, event)
				if err != nil {
					return false, err
				}
				hit = hit || ok
			}
			if !hit {
				return false, nil
			}
			continue
		}
		ev, present := event[k]
		switch p := pv.(type) {
		case map[string]any:
			var objs []map[string]any
			switch v := ev.(type) {
			case map[string]any:
				objs = []map[string]any{v}
			case []any:
				for _, e := range v {
					if m, ok := e.(map[string]any); ok {
						objs = append(objs, m)
					}
				}
			}
			if len(objs) == 0 {
				objs = []map[string]any{{}} // only exists:false can match below
			}
			hit := false
			for _, o := range objs {
				ok, err := matchPattern(p, o)
				if err != nil {
					return false, err
				}
				hit = hit || ok
			}
			if !hit {
				return false, nil
			}
		case []any:
			ok, err := matchLeaf(p, ev, present)
			if err != nil {
				return false, fmt.Errorf("%s: %w", k, err)
			}
			if !ok {
				return false, nil
			}
		default:
			return false, fmt.Errorf("%s: a pattern value must be a list or an object, got %T", k, pv)
		}
	}
	return true, nil
}

func matchLeaf(matchers []any, ev any, present bool) (bool, error) {
	if len(matchers) == 0 {
		return false, fmt.Errorf("empty matcher list")
	}
	values := []any{ev}
	if list, ok := ev.([]any); ok {
		values = list
	}
	for _, m := range matchers {
		if mm, ok := m.(map[string]any); ok {
			if want, isExists := mm["exists"]; isExists {
				b, ok := want.(bool)
				if !ok || len(mm) != 1 {
					return false, fmt.Errorf("exists wants true or false")
				}
				_, object := ev.(map[string]any)
				if (present && !object) == b {
					return true, nil
				}
				continue
			}
		}
		if !present {
			continue
		}
		for _, v := range values {
			ok, err := matchOne(m, v)
			if err != nil {
				return false, err
			}
			if ok {
				return true, nil
			}
		}
	}
	return false, nil
}

func matchOne(m, v any) (bool, error) {
	switch x := m.(type) {
	case nil:
		return v == nil, nil
	case string:
		s, ok := v.(string)
		return ok && s == x, nil
	case float64:
		f, ok := v.(float64)
		return ok && f == x, nil
	case bool:
		b, ok := v.(bool)
		return ok && b == x, nil
	case map[string]any:
		if len(x) != 1 {
			return false, fmt.Errorf("a matcher object has one operator, got %v", x)
		}
		for op, arg := range x {
			return matchOp(op, arg, v)
		}
	}
	return false, fmt.Errorf("unknown matcher %T", m)
}

func matchOp(op string, arg, v any) (bool, error) {
	s, isStr := v.(string)
	switch op {
	case "prefix", "suffix":
		want, ci, err := stringArg(arg)
		if err != nil {
			return false, err
		}
		if !isStr {
			return false, nil
		}
		if ci {
			s, want = strings.ToLower(s), strings.ToLower(want)
		}
		if op == "prefix" {
			return strings.HasPrefix(s, want), nil
		}
		return strings.HasSuffix(s, want), nil
	case "equals-ignore-case":
		want, ok := arg.(string)
		if !ok {
			return false, fmt.Errorf("equals-ignore-case wants a string")
		}
		return isStr && strings.EqualFold(s, want), nil
	case "wildcard":
		want, ok := arg.(string)
		if !ok {
			return false, fmt.Errorf("wildcard wants a string")
		}
		return isStr && wildcard(want, s), nil
	case "cidr":
		want, ok := arg.(string)
		if !ok {
			return false, fmt.Errorf("cidr wants a string")
		}
		p, err := netip.ParsePrefix(want)
		if err != nil {
			return false, err
		}
		a, err := netip.ParseAddr(s)
		return isStr && err == nil && p.Contains(a), nil
	case "numeric":
		return numeric(arg, v)
	case "anything-but":
		return anythingBut(arg, v)
	}
	return false, fmt.Errorf("unknown operator %q", op)
}

// stringArg reads "x" or {"equals-ignore-case": "x"}.
func stringArg(arg any) (string, bool, error) {
	switch a := arg.(type) {
	case string:
		return a, false, nil
	case map[string]any:
		if s, ok := a["equals-ignore-case"].(string); ok && len(a) == 1 {
			return s, true, nil
		}
	}
	return "", false, fmt.Errorf("want a string or {equals-ignore-case: string}, got %v", arg)
}

func numeric(arg, v any) (bool, error) {
	cmp, ok := arg.([]any)
	if !ok || (len(cmp) != 2 && len(cmp) != 4) {
		return false, fmt.Errorf("numeric wants one or two comparisons, got %v", arg)
	}
	f, isNum := v.(float64)
	for i := 0; i < len(cmp); i += 2 {
		op, _ := cmp[i].(string)
		n, ok := cmp[i+1].(float64)
		if !ok || math.Abs(n) > 5e9 {
			return false, fmt.Errorf("numeric wants a number, got %v", cmp[i+1])
		}
		var hold bool
		switch op {
		case ">":
			hold = f > n
		case ">=":
			hold = f >= n
		case "<":
			hold = f < n
		case "<=":
			hold = f <= n
		case "=":
			hold = f == n
		default:
			return false, fmt.Errorf("numeric operator %q", op)
		}
		if !isNum || !hold {
			return false, nil
		}
	}
	return true, nil
}

func anythingBut(arg, v any) (bool, error) {
	s, isStr := v.(string)
	f, isNum := v.(float64)
	if !isStr && !isNum {
		return false, nil // null, booleans and objects are not compared
	}
	listed := func(x any) (bool, error) {
		switch w := x.(type) {
		case string:
			return isStr && s == w, nil
		case float64:
			return isNum && f == w, nil
		}
		return false, fmt.Errorf("anything-but lists strings or numbers, got %T", x)
	}
	switch a := arg.(type) {
	case string, float64:
		hit, err := listed(a)
		return !hit, err
	case []any:
		for _, x := range a {
			hit, err := listed(x)
			if err != nil || hit {
				return false, err
			}
		}
		return true, nil
	case map[string]any:
		if len(a) != 1 {
			return false, fmt.Errorf("anything-but takes one operator")
		}
		for op, inner := range a {
			var items []any
			if l, ok := inner.([]any); ok {
				items = l
			} else {
				items = []any{inner}
			}
			for _, it := range items {
				want, ok := it.(string)
				if !ok {
					return false, fmt.Errorf("anything-but %s wants strings", op)
				}
				var hit bool
				switch op {
				case "prefix":
					hit = isStr && strings.HasPrefix(s, want)
				case "suffix":
					hit = isStr && strings.HasSuffix(s, want)
				case "equals-ignore-case":
					hit = isStr && strings.EqualFold(s, want)
				case "wildcard":
					hit = isStr && wildcard(want, s)
				default:
					return false, fmt.Errorf("anything-but %q", op)
				}
				if hit {
					return false, nil
				}
			}
			return true, nil
		}
	}
	return false, fmt.Errorf("anything-but %v", arg)
}

// wildcard matches '*' against any run; '\*' is a literal star, '\\' a
// backslash.
func wildcard(pattern, s string) bool {
	type tok struct {
		star bool
		c    byte
	}
	var toks []tok
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\' && i+1 < len(pattern):
			toks = append(toks, tok{c: pattern[i+1]})
			i++
		case c == '*':
			toks = append(toks, tok{star: true})
		default:
			toks = append(toks, tok{c: c})
		}
	}
	// m[j] is true when the first j tokens can match what was read so far.
	m := make([]bool, len(toks)+1)
	m[0] = true
	for j := 0; j < len(toks) && toks[j].star; j++ {
		m[j+1] = true
	}
	for i := 0; i < len(s); i++ {
		next := make([]bool, len(toks)+1)
		for j, t := range toks {
			switch {
			case t.star:
				next[j+1] = next[j] || m[j+1] || m[j]
			case m[j] && t.c == s[i]:
				next[j+1] = true
			}
		}
		m = next
	}
	return m[len(toks)]
}
