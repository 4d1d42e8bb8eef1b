package detect

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// interestSet is a superset of the records a condition can match; any means
// "cannot tell, keep everything".
type interestSet struct {
	any   bool
	items []cloudtrail.Interest
}

var plainToken = regexp.MustCompile(`^[A-Za-z0-9_.:/-]+$`)

// interest reads, from the rule's syntax tree, which eventSources and
// eventNames it can match at all.
func (r *Rule) interest() []cloudtrail.Interest {
	if r.Detection == nil {
		return nil
	}
	s := exprInterest(r.Detection.Condition, r.Detection)
	if s.any {
		return []cloudtrail.Interest{{}}
	}
	return s.items
}

func exprInterest(x sigma.Expr, d *sigma.Detection) interestSet {
	switch e := x.(type) {
	case sigma.Ref:
		return selInterest(d.Selection(e.Name))
	case sigma.Or:
		return union(exprInterest(e.Left, d), exprInterest(e.Right, d))
	case sigma.And:
		return narrower(exprInterest(e.Left, d), exprInterest(e.Right, d))
	case sigma.Of:
		var acc interestSet
		for i, name := range e.Names {
			si := selInterest(d.Selection(name))
			switch {
			case i == 0:
				acc = si
			case e.All:
				acc = narrower(acc, si)
			default:
				acc = union(acc, si)
			}
		}
		return acc
	}
	return interestSet{any: true} // not: can't restrict
}

func union(a, b interestSet) interestSet {
	if a.any || b.any {
		return interestSet{any: true}
	}
	return interestSet{items: append(append([]cloudtrail.Interest{}, a.items...), b.items...)}
}

// narrower picks the side of an AND that keeps fewer records: either side
// alone is a valid superset of the conjunction.
func narrower(a, b interestSet) interestSet {
	switch {
	case a.any:
		return b
	case b.any:
		return a
	case len(b.items) < len(a.items):
		return b
	}
	return a
}

func selInterest(s *sigma.Selection) interestSet {
	var out interestSet
	for _, alt := range s.Alternatives {
		var sources, names, prefixes, needles []string
		for _, fm := range alt {
			if fm.Expand || fm.All && fm.Field != "eventSource" {
				continue
			}
			plain := len(fm.Modifiers) == 0
			switch {
			case fm.Field == "eventSource" && plain:
				if vals, ok := plainValues(fm); ok {
					sources = vals
				}
			case fm.Field == "eventName" && plain:
				if vals, ok := plainValues(fm); ok {
					names = vals
				}
			case fm.Field == "eventName" && len(fm.Modifiers) == 2 && fm.Op == sigma.OpStartsWith && fm.Cased:
				// Case-sensitive prefixes can be tested on the raw bytes.
				if vals, ok := plainValues(fm); ok {
					prefixes = vals
				}
			case fm.Field != "eventSource" && fm.Field != "eventName":
				// A cased, single-valued "contains" of a plain token can be
				// tested on the raw bytes.
				if len(fm.Values) == 1 && fm.Op == sigma.OpContains && fm.Cased {
					if v := fm.Values[0]; plainString(v) && plainToken.MatchString(v.Text) {
						needles = append(needles, v.Text)
					}
				}
			}
		}
		if len(sources) == 0 {
			return interestSet{any: true}
		}
		if len(names) > 0 && len(prefixes) > 0 {
			prefixes = nil // both must hold: the names alone are a superset
		}
		for _, src := range sources {
			out.items = append(out.items, cloudtrail.Interest{Source: src, Names: names, NamePrefixes: prefixes, Contains: needles})
		}
	}
	return out
}

// plainString reports whether v compares as a literal string (no
// wildcards, not a boolean or null).
func plainString(v sigma.Value) bool {
	return (v.Type == sigma.String || v.Type == sigma.Number) && !v.HasWildcards()
}

func plainValues(fm *sigma.FieldMatcher) ([]string, bool) {
	var out []string
	for _, v := range fm.Values {
		if !plainString(v) {
			return nil, false
		}
		// As written: the prefilter and rule scopes compare these
		// case-insensitively, as Sigma does.
		out = append(out, v.Text)
	}
	return out, true
}

// Interest derives the prefilter from the rules: the event sources and
// names (or name prefixes) any rule can match, plus the reads that teach
// the state names (learnReads). A rule that names no eventSource makes the
// prefilter pass everything.
func (e *Engine) Interest() []cloudtrail.Interest {
	type group struct {
		src      string
		contains []string
		any      bool
		names    map[string]bool
		prefixes map[string]bool
	}
	groups := map[string]*group{}
	var order []string
	add := func(in cloudtrail.Interest) {
		k := in.Source + "\x00" + strings.Join(in.Contains, "\x00")
		g := groups[k]
		if g == nil {
			g = &group{src: in.Source, contains: in.Contains, names: map[string]bool{}, prefixes: map[string]bool{}}
			groups[k] = g
			order = append(order, k)
		}
		if len(in.Names) == 0 && len(in.NamePrefixes) == 0 {
			g.any = true
		}
		for _, n := range in.Names {
			g.names[n] = true
		}
		for _, p := range in.NamePrefixes {
			g.prefixes[p] = true
		}
	}
	for _, r := range e.plainRules() {
		for _, in := range r.interest() {
			if in.Source == "" {
				return nil
			}
			add(in)
		}
	}
	for _, in := range learnReads {
		add(in)
	}
	slices.Sort(order)
	out := make([]cloudtrail.Interest, 0, len(order))
	for _, k := range order {
		g := groups[k]
		in := cloudtrail.Interest{Source: g.src, Contains: g.contains}
		if !g.any {
			in.Names, in.NamePrefixes = sortedSet(g.names), sortedSet(g.prefixes)
		}
		out = append(out, in)
	}
	return out
}

// learnReads are read calls whose responses name permission sets and
// groups (enrich learns them): a trail often starts long after those were
// created.
var learnReads = []cloudtrail.Interest{
	{Source: "sso.amazonaws.com", Names: []string{"DescribePermissionSet"}},
	{Source: "identitystore.amazonaws.com", Names: []string{"DescribeGroup", "ListGroups"}},
	{Source: "sso-directory.amazonaws.com", Names: []string{"DescribeGroup", "DescribeGroups", "SearchGroups", "ListGroups"}},
}

// sortedSet returns the set's members in order, nil when empty.
func sortedSet(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(m))
}
