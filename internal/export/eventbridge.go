package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// DetailTypes are the EventBridge detail-types CloudTrail delivers records
// as: API calls, console sign-ins, and service events (access-portal
// GetRoleCredentials and sign-in CredentialChallenge are AwsServiceEvent).
var DetailTypes = []string{"AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail", "AWS Service Event via CloudTrail"}

// PatternQuota is EventBridge's default event pattern size, in characters
// (adjustable to 4,096).
const PatternQuota = 2048

// maxAlternatives bounds the $or a rule's condition expands to; past it,
// the rest of a conjunction is left out (the pattern stays a superset).
const maxAlternatives = 64

// EventBridge writes one event pattern per single-event rule, and a Skipped
// item for every other rule.
func EventBridge(rules []*sigma.Rule, o Options) ([]Item, error) {
	var out []Item
	for _, r := range rules {
		if it, skip := Skip(r); skip {
			out = append(out, it)
			continue
		}
		it, err := ebRule(r, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Source, err)
		}
		out = append(out, it)
	}
	return out, nil
}

// ebCons is one field condition: the field's path under the event's detail
// and EventBridge's list of matchers, any one of which may match.
type ebCons struct {
	path     []string
	matchers []any
}

type ebConj []ebCons // all must hold
type ebDNF []ebConj  // any may hold; nil is false, {{}} is true

var ebTrue = ebDNF{{}}

type ebGen struct {
	allow allowlist
	lost  losses
}

func ebRule(r *sigma.Rule, o Options) (Item, error) {
	cfg := o.config()
	used := map[string][]string{}
	tree, err := newPlaceholders(cfg).tree(r.Detection, used)
	if err != nil {
		return Item{}, err
	}
	g := &ebGen{allow: newAllowlist(cfg)}
	alts := g.dnf(simplify(tree), false)
	it := Item{Rule: r, ID: ruleID(r), Status: Full}
	pattern, empty := g.pattern(alts)
	it.Lost = g.lost
	switch {
	case len(alts) == 0:
		it.Status, it.Reason = Skipped, "can match no event (an empty placeholder list in the config, or a string compared with an object)"
		return it, nil
	case empty:
		it.Status, it.Reason = Skipped, "nothing of its condition can be tested by an event pattern: "+lossList(g.lost)
		return it, nil
	}
	if len(it.Lost) > 0 {
		it.Status = Partial
	}
	if r.Portcullis.Fallback {
		it.Status = Partial
		it.Notes = append(it.Notes, fallbackNote)
	}
	it.Notes = append(it.Notes, severityNote(r))
	var compact bytes.Buffer
	if err := encodeJSON(&compact, pattern, ""); err != nil {
		return Item{}, err
	}
	if n := compact.Len() - 1; n > PatternQuota {
		it.Notes = append(it.Notes, fmt.Sprintf("the pattern is %d characters: more than EventBridge's default quota of %d (adjustable to 4,096)", n, PatternQuota))
	}
	var b bytes.Buffer
	if err := encodeJSON(&b, pattern, "  "); err != nil {
		return Item{}, err
	}
	it.Body = b.Bytes()
	return it, nil
}

// encodeJSON writes v without escaping <, > and & (ARNs and patterns stay
// readable), with a final newline.
func encodeJSON(b *bytes.Buffer, v any, indent string) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	return enc.Encode(v)
}

// dnf expands n (negated when neg) into alternatives of field conditions,
// pushing negations down to the leaves.
func (g *ebGen) dnf(n node, neg bool) ebDNF {
	switch x := n.(type) {
	case constNode:
		if bool(x) != neg {
			return ebTrue
		}
		return nil
	case notNode:
		return g.dnf(x.x, !neg)
	case andNode, orNode:
		var kids []node
		isAnd := false
		if a, ok := x.(andNode); ok {
			kids, isAnd = a, true
		} else {
			kids = x.(orNode)
		}
		if isAnd != neg { // all of the operands
			acc := ebTrue
			for _, k := range kids {
				acc = g.product(acc, g.dnf(k, neg))
			}
			return acc
		}
		var acc ebDNF
		for _, k := range kids {
			acc = append(acc, g.dnf(k, neg)...)
		}
		return reduce(acc)
	case *leaf:
		return g.literal(x, neg)
	}
	panic(fmt.Sprintf("export: unknown node %T", n))
}

// product is the conjunction of two alternatives lists. Past
// maxAlternatives the right side is dropped: a superset, recorded.
func (g *ebGen) product(a, b ebDNF) ebDNF {
	if len(a)*len(b) > maxAlternatives {
		g.lost.add("part of the condition", fmt.Sprintf("it expands to more than %d alternatives for one pattern", maxAlternatives))
		return a
	}
	var out ebDNF
	for _, x := range a {
		for _, y := range b {
			out = append(out, append(slices.Clone(x), y...))
		}
	}
	return reduce(out)
}

// reduce drops repeated conditions and alternatives another, more general
// one already covers.
func reduce(d ebDNF) ebDNF {
	keyed := make([]map[string]bool, len(d))
	var out ebDNF
	for i, c := range d {
		keys := map[string]bool{}
		var uniq ebConj
		for _, x := range c {
			k := consKey(x)
			if !keys[k] {
				keys[k] = true
				uniq = append(uniq, x)
			}
		}
		d[i], keyed[i] = uniq, keys
	}
	for i := range d {
		covered := false
		for j := range d {
			if i != j && subset(keyed[j], keyed[i]) && (len(keyed[j]) < len(keyed[i]) || j < i) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, d[i])
		}
	}
	return out
}

func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func consKey(c ebCons) string {
	b, _ := json.Marshal(c.matchers) // matchers are strings, numbers, bools, nil and maps of them
	return strings.Join(c.path, ".") + "=" + string(b)
}

// pattern assembles the alternatives into one event pattern: conditions
// every alternative shares at the top, the rest under $or. empty reports a
// pattern that would test nothing but the detail-type.
func (g *ebGen) pattern(alts ebDNF) (map[string]any, bool) {
	if len(alts) == 0 {
		return nil, false
	}
	common := map[string]ebCons{}
	for _, c := range alts[0] {
		common[consKey(c)] = c
	}
	for _, alt := range alts[1:] {
		keys := map[string]bool{}
		for _, c := range alt {
			keys[consKey(c)] = true
		}
		for k := range common {
			if !keys[k] {
				delete(common, k)
			}
		}
	}
	var shared ebConj
	for _, c := range alts[0] {
		if _, ok := common[consKey(c)]; ok {
			shared = append(shared, c)
		}
	}
	var branches []ebConj
	for _, alt := range alts {
		var rest ebConj
		for _, c := range alt {
			if _, ok := common[consKey(c)]; !ok {
				rest = append(rest, c)
			}
		}
		if len(rest) == 0 { // this alternative is the shared part alone
			branches = nil
			break
		}
		branches = append(branches, rest)
	}
	p := map[string]any{"detail-type": DetailTypes}
	g.place(p, shared)
	if len(branches) > 1 {
		var ors []any
		for _, br := range branches {
			m := map[string]any{}
			g.place(m, br)
			ors = append(ors, m)
		}
		p["$or"] = ors
	} else if len(branches) == 1 {
		g.place(p, branches[0])
	}
	return p, len(p) == 1
}

// place writes conditions under p's detail, and the EventBridge source
// their eventSource implies.
func (g *ebGen) place(p map[string]any, conj ebConj) {
	for _, c := range conj {
		if src, ok := sources(c); ok {
			put(p, []string{"source"}, src)
		}
		if !put(p, append([]string{"detail"}, c.path...), c.matchers) {
			g.lost.add(strings.Join(c.path, "."), "EventBridge cannot require two conditions of one field in one pattern; the first is kept")
		}
	}
}

// put sets the matcher list at path; false when something else is there.
func put(p map[string]any, path []string, v any) bool {
	m := p
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			if _, taken := m[k]; taken {
				return false
			}
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	last := path[len(path)-1]
	if old, taken := m[last]; taken {
		a, _ := json.Marshal(old)
		b, _ := json.Marshal(v)
		return bytes.Equal(a, b)
	}
	m[last] = v
	return true
}

// sources maps an eventSource condition of plain names to EventBridge's
// source: aws.<service> for <service>.amazonaws.com.
func sources(c ebCons) ([]string, bool) {
	if len(c.path) != 1 || c.path[0] != "eventSource" {
		return nil, false
	}
	var out []string
	for _, m := range c.matchers {
		s, ok := m.(string)
		if mm, isMap := m.(map[string]any); isMap && len(mm) == 1 {
			s, ok = mm["equals-ignore-case"].(string)
		}
		svc, found := strings.CutSuffix(strings.ToLower(s), ".amazonaws.com")
		if !ok || !found || svc == "" {
			return nil, false
		}
		if !slices.Contains(out, "aws."+svc) {
			out = append(out, "aws."+svc)
		}
	}
	return out, len(out) > 0
}
