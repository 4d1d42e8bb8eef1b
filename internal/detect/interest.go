package detect

import (
	"regexp"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// interestSet is a superset of the records a condition can match; any means
// "cannot tell, keep everything".
type interestSet struct {
	any   bool
	items []cloudtrail.Interest
}

var plainToken = regexp.MustCompile(`^[A-Za-z0-9_.:/-]+$`)

func (r *Rule) interest() []cloudtrail.Interest {
	if r.detection == nil {
		return nil
	}
	s := exprInterest(r.detection.cond)
	if s.any {
		return []cloudtrail.Interest{{}}
	}
	return s.items
}

func exprInterest(x expr) interestSet {
	switch e := x.(type) {
	case selRef:
		return selInterest(e.s)
	case orExpr:
		return union(exprInterest(e.l), exprInterest(e.r))
	case andExpr:
		return narrower(exprInterest(e.l), exprInterest(e.r))
	case ofExpr:
		var acc interestSet
		for i, s := range e.sels {
			si := selInterest(s)
			switch {
			case i == 0:
				acc = si
			case e.all:
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

func selInterest(s *selection) interestSet {
	var out interestSet
	for _, alt := range s.alts {
		var sources, names, prefixes, needles []string
		for _, fm := range alt {
			if fm.expand || fm.all && fm.field != "eventSource" {
				continue
			}
			switch {
			case fm.field == "eventSource" && len(fm.mods) == 0:
				if vals, ok := plainValues(fm); ok {
					sources = vals
				}
			case fm.field == "eventName" && len(fm.mods) == 0:
				if vals, ok := plainValues(fm); ok {
					names = vals
				}
			case fm.field == "eventName" && len(fm.mods) == 2 && contains(fm.mods, "startswith") && contains(fm.mods, "cased"):
				// Case-sensitive prefixes can be tested on the raw bytes.
				if vals, ok := plainValues(fm); ok {
					prefixes = vals
				}
			case fm.field != "eventSource" && fm.field != "eventName":
				// A cased, single-valued "contains" of a plain token can be
				// tested on the raw bytes.
				if len(fm.values) == 1 && contains(fm.mods, "contains") && contains(fm.mods, "cased") {
					if sm, ok := fm.values[0].(*stringMatcher); ok && sm.re == nil && plainToken.MatchString(sm.want) {
						needles = append(needles, sm.want)
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

func plainValues(fm *fieldMatcher) ([]string, bool) {
	var out []string
	for _, v := range fm.values {
		sm, ok := v.(*stringMatcher)
		if !ok || sm.re != nil {
			return nil, false
		}
		// Case-insensitive matching in Sigma: the byte prefilter compares
		// exactly, so only accept values already in CloudTrail's casing.
		out = append(out, sm.rawValue())
	}
	return out, true
}
