package policy

import (
	"strings"

	"github.com/portcullis-sec/portcullis/internal/wildcard"
)

// compiled is a statement ready for matching: action patterns lower-cased, resource patterns
// with account ids widened, and a per-statement cache of resource coverage.
type compiled struct {
	idx     int
	sid     string
	allow   bool
	not     bool     // NotAction
	acts    []string // lower-cased patterns
	rawActs []string
	notRes  bool // NotResource
	res     []string
	rawRes  []string
	cond    bool
	wide    map[string]bool // memo: resWide by probe key, touches by "touch <namespace>"
}

func compile(idx int, s Statement) *compiled {
	c := &compiled{idx: idx, sid: s.Sid, allow: s.Effect == "Allow", cond: hasCondition(s.Condition)}
	// Parse guarantees exactly one of each pair; a statement built in code with neither
	// matches nothing rather than everything.
	c.rawActs = s.Action
	if s.Action == nil && s.NotAction != nil {
		c.rawActs, c.not = s.NotAction, true
	}
	c.acts = make([]string, len(c.rawActs))
	for i, a := range c.rawActs {
		c.acts[i] = strings.ToLower(a)
	}
	c.rawRes = s.Resource
	if s.Resource == nil && s.NotResource != nil {
		c.rawRes, c.notRes = s.NotResource, true
	}
	c.res = make([]string, len(c.rawRes))
	for i, r := range c.rawRes {
		c.res[i] = normalizeResource(r)
	}
	return c
}

// hasCondition: any operator counts, even one without keys, so that an odd Deny never
// subtracts (conservative); an empty Condition object is no condition.
func hasCondition(c map[string]map[string]any) bool { return len(c) > 0 }

// matches reports whether the statement's action element applies to a lower-cased action.
func (c *compiled) matches(act string) bool {
	hit := false
	for _, p := range c.acts {
		if wildcard.Match(p, act) {
			hit = true
			break
		}
	}
	return hit != c.not
}

// coversService reports whether an Allow grants every action of svc. For NotAction, exact
// action names that are not escalation actions do not count as exclusions.
func (c *compiled) coversService(svc string) bool {
	prefix := svc + ":"
	if !c.not {
		for _, p := range c.acts {
			if coversPrefix(p, prefix) {
				return true
			}
		}
		return false
	}
	for _, p := range c.acts {
		if intersectsPrefix(p, prefix) && !harmless(p) {
			return false
		}
	}
	return true
}

// hitsService reports whether a Deny removes part of svc that matters.
func (c *compiled) hitsService(svc string) bool {
	prefix := svc + ":"
	if c.not {
		for _, p := range c.acts {
			if coversPrefix(p, prefix) {
				return false // svc is among the actions the deny spares
			}
		}
		return true
	}
	for _, p := range c.acts {
		if intersectsPrefix(p, prefix) && !harmless(p) {
			return true
		}
	}
	return false
}

// harmless: one exact action that is not an escalation action. Excluding it (NotAction) or
// denying it still leaves the service's escalation paths open.
func harmless(p string) bool { return !wildcard.HasWildcard(p) && !isEscalationAction(p) }

// broad reports whether an Allow grants every action, or every action but a list (NotAction
// that does not itself exclude everything).
func (c *compiled) broad() bool {
	for _, p := range c.acts {
		if universalAction(p) {
			return !c.not
		}
	}
	return c.not
}

// deniesEverything: an unconditional Deny of every action on every resource.
func (c *compiled) deniesEverything() bool {
	if c.allow || c.cond || !c.resWide(allKey) {
		return false
	}
	if c.not {
		return len(c.acts) == 0
	}
	for _, p := range c.acts {
		if universalAction(p) {
			return true
		}
	}
	return false
}

// resWide reports whether the statement applies to every resource of probe set key. For an
// Allow, NotResource counts as wide unless it excludes all of them; for a Deny, NotResource
// counts only if it excludes none of them (both conservative).
func (c *compiled) resWide(key string) bool {
	if v, ok := c.wide[key]; ok {
		return v
	}
	var v bool
	switch {
	case !c.notRes:
		v = coversAll(c.res, key)
	case c.allow:
		v = !coversAll(c.res, key)
	default:
		v = matchesNone(c.res, key)
	}
	if c.wide == nil {
		c.wide = map[string]bool{}
	}
	c.wide[key] = v
	return v
}

// touches reports whether an Allow reaches some resource in namespace ns (probe set key).
func (c *compiled) touches(ns, key string) bool {
	ck := "touch " + ns
	if v, ok := c.wide[ck]; ok {
		return v
	}
	var v bool
	if c.notRes {
		v = !coversAll(c.res, key)
	} else {
		v = touchesService(c.res, ns)
	}
	if c.wide == nil {
		c.wide = map[string]bool{}
	}
	c.wide[ck] = v
	return v
}
