package detect

import (
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// scope is where a rule can match at all: eventSource -> eventNames (an
// empty set is every name), both in lower case: they come from values
// without |cased, which Sigma compares case-insensitively. A nil scope is
// everywhere. It lets Process skip most rules for an event with two map
// lookups.
type scope map[string]map[string]bool

// place is where an event happened, in lower case, as scopes look it up.
type place struct{ source, name string }

func placeOf(ev *cloudtrail.Event) place {
	return place{strings.ToLower(ev.Source), strings.ToLower(ev.Name)}
}

// scopeOf reads a rule's scope from its prefilter interest.
func scopeOf(r *Rule) scope {
	s := scope{}
	for _, in := range r.interest() {
		if in.Source == "" {
			return nil
		}
		s.add(in)
	}
	return s
}

func (s scope) add(in cloudtrail.Interest) {
	src := strings.ToLower(in.Source)
	names, seen := s[src]
	switch {
	case len(in.Names) == 0:
		s[src] = map[string]bool{} // every name (prefixes are not kept)
		return
	case seen && len(names) == 0:
		return // already every name
	case !seen:
		names = map[string]bool{}
		s[src] = names
	}
	for _, n := range in.Names {
		names[strings.ToLower(n)] = true
	}
}

func (s scope) holds(at place) bool {
	if s == nil {
		return true
	}
	names, ok := s[at.source]
	return ok && (len(names) == 0 || names[at.name])
}
