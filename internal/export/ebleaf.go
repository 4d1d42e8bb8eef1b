package export

import (
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// objectFields are the record's parts that hold objects or lists. EventBridge
// compares and tests existence only on leaf values, so conditions on these
// as a whole are not patterns.
var objectFields = map[string]bool{
	"userIdentity": true, "userIdentity.sessionContext": true, "userIdentity.sessionContext.attributes": true,
	"userIdentity.sessionContext.sessionIssuer": true, "userIdentity.sessionContext.webIdFederationData": true,
	"userIdentity.onBehalfOf": true, "requestParameters": true, "responseElements": true,
	"additionalEventData": true, "serviceEventDetails": true, "tlsDetails": true, "addendum": true,
	"resources": true, "edgeDeviceDetails": true,
}

// inFreeForm reports whether field lies inside one of the record's
// free-form JSON parts, whose members' shapes no schema fixes.
func inFreeForm(field string) bool {
	for _, p := range []string{"requestParameters.", "responseElements.", "additionalEventData.", "serviceEventDetails.", "addendum."} {
		if strings.HasPrefix(field, p) {
			return true
		}
	}
	return false
}

// lose records a condition a pattern cannot test; it holds wherever it
// stood, so the pattern keeps every event the rule matches.
func (g *ebGen) lose(l *leaf, why string) ebDNF {
	g.lost.add(l.describe(), why)
	return ebTrue
}

func present(path []string) ebDNF { return ebDNF{{{path, []any{map[string]any{"exists": true}}}}} }
func absent(path []string) ebDNF  { return ebDNF{{{path, []any{map[string]any{"exists": false}}}}} }

// literal lowers one field matcher, negated when neg.
func (g *ebGen) literal(l *leaf, neg bool) ebDNF {
	if isDerived(l.field()) {
		return g.derived(l, neg)
	}
	fm := l.fm
	var path []string
	for _, s := range strings.Split(l.field(), ".") {
		if isIndex(s) {
			g.lost.add(l.describe(), "EventBridge matches any element of a list, not element "+s)
			continue
		}
		path = append(path, s)
	}
	if objectFields[l.field()] {
		if fm.Op == sigma.OpExists || hasNull(l.values) {
			return g.lose(l, l.field()+" is an object: EventBridge's exists and null test leaf values only")
		}
		if neg {
			return ebTrue // objects never equal a string: the negation always holds
		}
		return nil
	}
	if fm.Op == sigma.OpExists && inFreeForm(l.field()) {
		// Inside the request, response and event details any member may hold
		// an object, and EventBridge's exists tests leaf values only.
		return g.lose(l, l.field()+" may hold an object: EventBridge's exists tests leaf values only")
	}
	if fm.Op == sigma.OpExists {
		want, _ := strconv.ParseBool(l.values[0].Text)
		if want != neg {
			return present(path)
		}
		return absent(path)
	}
	if neg {
		return g.negated(l, path)
	}
	var matchers []any
	var out ebDNF
	for i, v := range l.values {
		if fm.All && i > 0 {
			g.lost.add(l.describe(), "EventBridge cannot require every one of several values of one field (|all); the first is kept")
			break
		}
		if v.Type == sigma.Null {
			matchers = append(matchers, nil)
			out = append(out, absent(path)...)
			continue
		}
		ms, why := positive(fm, v)
		switch {
		case why != "" && ms == nil:
			return g.lose(l, why)
		case why != "": // an approximation that keeps every match
			g.lost.add(l.describe(), why)
		}
		matchers = append(matchers, ms...)
	}
	if len(matchers) > 0 {
		out = append(ebDNF{{{path, matchers}}}, out...)
	}
	return out
}

func hasNull(vs []sigma.Value) bool {
	for _, v := range vs {
		if v.Type == sigma.Null {
			return true
		}
	}
	return false
}

// positive is the EventBridge matchers for one value, as internal/detect
// compares it.
func positive(fm *sigma.FieldMatcher, v sigma.Value) ([]any, string) {
	switch op := fm.Op; {
	case op.Numeric():
		f, _ := strconv.ParseFloat(v.Text, 64)
		if math.Abs(f) > 1e9 {
			return nil, "EventBridge compares numbers between -1e9 and 1e9 only"
		}
		sym := map[sigma.Op]string{sigma.OpGT: ">", sigma.OpGTE: ">=", sigma.OpLT: "<", sigma.OpLTE: "<="}[op]
		// Numeric matching sees JSON numbers only; a number written as a
		// string is let through (any string), which keeps the superset.
		return []any{map[string]any{"numeric": []any{sym, f}}, map[string]any{"wildcard": "*"}}, ""
	case op == sigma.OpRegexp:
		return nil, "EventBridge has no regular expressions"
	case op == sigma.OpCIDR:
		return []any{map[string]any{"cidr": v.Text}}, ""
	case v.Type == sigma.Bool:
		b, _ := strconv.ParseBool(v.Text)
		return []any{b, map[string]any{"equals-ignore-case": strconv.FormatBool(b)}}, ""
	case v.Type == sigma.Number && op == sigma.OpEquals:
		f, err := strconv.ParseFloat(v.Text, 64)
		if err != nil {
			return []any{v.Text}, ""
		}
		return []any{f, v.Text}, "" // the engine compares the value's text
	}
	return stringMatcher(fm.Op, v.Text, fm.Cased)
}

// stringMatcher is Sigma's plain, contains, startswith and endswith with
// wildcards in EventBridge's terms. Case-insensitive wildcards have no
// EventBridge form: their literal prefix or suffix is used, ignoring case,
// which keeps the superset.
func stringMatcher(op sigma.Op, raw string, cased bool) ([]any, string) {
	ci := !cased && hasLetter(raw)
	if !strings.ContainsAny(raw, "*?") {
		switch op {
		case sigma.OpEquals:
			if ci {
				return []any{map[string]any{"equals-ignore-case": raw}}, ""
			}
			return []any{raw}, ""
		case sigma.OpStartsWith, sigma.OpEndsWith:
			key := map[sigma.Op]string{sigma.OpStartsWith: "prefix", sigma.OpEndsWith: "suffix"}[op]
			if ci {
				return []any{map[string]any{key: map[string]any{"equals-ignore-case": raw}}}, ""
			}
			return []any{map[string]any{key: raw}}, ""
		}
		if ci {
			return nil, "EventBridge has no case-insensitive contains"
		}
		return []any{map[string]any{"wildcard": "*" + wildcardEscape(raw) + "*"}}, ""
	}
	if ci {
		return ciWildcard(op, raw)
	}
	w, ok := sigmaToWildcard(raw)
	if !ok {
		return nil, "EventBridge wildcards have no single-character '?'"
	}
	switch op {
	case sigma.OpContains:
		w = "*" + w + "*"
	case sigma.OpStartsWith:
		w += "*"
	case sigma.OpEndsWith:
		w = "*" + w
	}
	return []any{map[string]any{"wildcard": w}}, ""
}

// ciWildcard approximates an any-case wildcard by its literal prefix or
// suffix, ignoring case: every value the wildcard matches has it.
func ciWildcard(op sigma.Op, raw string) ([]any, string) {
	const why = "EventBridge wildcards are case-sensitive: only the literal prefix or suffix is tested, ignoring case"
	lits := sigmaLiterals(raw)
	first, last := lits[0], lits[len(lits)-1]
	switch {
	case (op == sigma.OpEquals || op == sigma.OpStartsWith) && first != "":
		return []any{map[string]any{"prefix": map[string]any{"equals-ignore-case": first}}}, why
	case (op == sigma.OpEquals || op == sigma.OpEndsWith) && last != "" && len(lits) > 1:
		return []any{map[string]any{"suffix": map[string]any{"equals-ignore-case": last}}}, why
	}
	return nil, "EventBridge wildcards are case-sensitive"
}

// sigmaLiterals splits a Sigma wildcard value at its unescaped '*' and '?'
// into the literal runs between them (escapes resolved).
func sigmaLiterals(raw string) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\\' && i+1 < len(raw) && strings.IndexByte(`*?\`, raw[i+1]) >= 0:
			b.WriteByte(raw[i+1])
			i++
		case c == '*' || c == '?':
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(out, b.String())
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.ToLower(r) != unicode.ToUpper(r) {
			return true
		}
	}
	return false
}

// wildcardEscape writes a literal for an EventBridge wildcard pattern.
func wildcardEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`).Replace(s)
}

// sigmaToWildcard rewrites a Sigma wildcard value: '*' stays, '\*' and
// '\\' stay escaped, '\?' is a literal '?'; a bare '?' has no equivalent.
func sigmaToWildcard(raw string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\\' && i+1 < len(raw) && strings.IndexByte(`*?\`, raw[i+1]) >= 0:
			b.WriteString(wildcardEscape(string(raw[i+1])))
			i++
		case c == '*':
			b.WriteByte('*')
		case c == '?':
			return "", false
		default:
			b.WriteString(wildcardEscape(string(c)))
		}
	}
	return b.String(), true
}

// negated lowers "not field matches any value": absent, null, or a value
// that is none of them (anything-but). With |all, any one value failing
// is enough, so each value is its own alternative.
func (g *ebGen) negated(l *leaf, path []string) ebDNF {
	fm := l.fm
	groups := [][]sigma.Value{l.values}
	if fm.All {
		groups = nil
		for _, v := range l.values {
			groups = append(groups, []sigma.Value{v})
		}
	}
	var out ebDNF
	for _, vals := range groups {
		but, nullListed, why := anythingBut(fm, vals)
		if why != "" {
			return g.lose(l, why)
		}
		ms := []any{}
		if !nullListed {
			ms = append(ms, nil) // a JSON null matches none of the values
			out = append(out, absent(path)...)
		}
		if but != nil {
			ms = append(ms, but)
		} else {
			out = append(out, present(path)...) // "not null": any present value
		}
		if len(ms) > 0 {
			out = append(out, ebConj{{path, ms}})
		}
	}
	return reduce(out)
}

// anythingBut is the anything-but matcher excluding vals, or nil when the
// only value is null.
func anythingBut(fm *sigma.FieldMatcher, vals []sigma.Value) (any, bool, string) {
	var exact, ci, wild []string
	nullListed := false
	for _, v := range vals {
		switch {
		case v.Type == sigma.Null:
			nullListed = true
			continue
		case fm.Op != sigma.OpEquals && fm.Op != sigma.OpContains && fm.Op != sigma.OpStartsWith && fm.Op != sigma.OpEndsWith:
			return nil, false, "EventBridge has no negated " + string(fm.Op) + " match"
		case v.Type == sigma.Bool || v.Type == sigma.Number:
			return nil, false, "EventBridge's anything-but does not exclude booleans or numbers written either way"
		}
		ciVal := !fm.Cased && hasLetter(v.Text)
		plainEq := fm.Op == sigma.OpEquals && !strings.ContainsAny(v.Text, "*?")
		switch {
		case plainEq && ciVal:
			ci = append(ci, v.Text)
		case plainEq:
			exact = append(exact, v.Text)
		case ciVal:
			return nil, false, "EventBridge has no case-insensitive negated wildcard"
		default:
			ms, why := stringMatcher(fm.Op, v.Text, true)
			if why != "" {
				return nil, false, why
			}
			m := ms[0].(map[string]any)
			switch {
			case m["wildcard"] != nil:
				wild = append(wild, m["wildcard"].(string))
			case m["prefix"] != nil:
				wild = append(wild, wildcardEscape(m["prefix"].(string))+"*")
			default:
				wild = append(wild, "*"+wildcardEscape(m["suffix"].(string)))
			}
		}
	}
	kinds := 0
	for _, k := range [][]string{exact, ci, wild} {
		if len(k) > 0 {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return nil, nullListed, ""
	case kinds > 1 && len(ci) > 0:
		return nil, false, "EventBridge cannot exclude case-insensitive and other values in one anything-but"
	case len(ci) > 0:
		return map[string]any{"anything-but": map[string]any{"equals-ignore-case": one(ci)}}, nullListed, ""
	case len(wild) > 0:
		for _, e := range exact {
			wild = append(wild, wildcardEscape(e))
		}
		return map[string]any{"anything-but": map[string]any{"wildcard": one(wild)}}, nullListed, ""
	}
	return map[string]any{"anything-but": one(exact)}, nullListed, ""
}

// one writes a single value as itself and several as a list.
func one(ss []string) any {
	if len(ss) == 1 {
		return ss[0]
	}
	return ss
}

// derived lowers the portcullis.* fields an event pattern can test from
// the record: success (no errorCode) and, for "not allow-listed", the
// admins ARN patterns on the caller's ARN.
func (g *ebGen) derived(l *leaf, neg bool) ebDNF {
	b, isBool := boolLeaf(l)
	want := b != neg
	code := []string{"errorCode"}
	switch {
	case l.field() == "portcullis.success" && isBool && want:
		return ebDNF{{{code, []any{map[string]any{"exists": false}}}}, {{code, []any{"", nil}}}}
	case l.field() == "portcullis.success" && isBool:
		return ebDNF{{{code, []any{map[string]any{"anything-but": ""}}}}}
	case l.field() == "portcullis.actor.allowlisted" && isBool:
		if g.allow.noAdmins {
			if want {
				return nil
			}
			return ebTrue
		}
		g.lost.add(l.describe(), g.allow.why())
		var pats []string
		for _, p := range g.allow.arns {
			if !strings.Contains(p, "?") {
				// An admins pattern's '*' is a wildcard; backslashes are literal.
				pats = append(pats, strings.ReplaceAll(p, `\`, `\\`))
			}
		}
		if want || len(pats) == 0 {
			return ebTrue
		}
		arn := []string{"userIdentity", "arn"}
		return ebDNF{{{arn, []any{map[string]any{"exists": false}}}}, {{arn, []any{nil, map[string]any{"anything-but": map[string]any{"wildcard": one(pats)}}}}}}
	}
	return g.lose(l, derivedWhy(l.field()))
}
