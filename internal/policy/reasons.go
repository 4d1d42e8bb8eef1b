package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// reasons explains the analysis, most significant first (readers often show only the first
// few): what makes the level, then escalations, then what was subtracted, then caveats.
func (x *analysis) reasons(level Level) []string {
	var r reasonList
	for _, d := range x.denies {
		if d.deniesEverything() {
			r.add("%s denies %s on %s without a condition: nothing is granted", d.name(), d.what(nil), d.where())
		}
	}
	for _, s := range x.broad {
		if s.not {
			r.add("%s allows %s on %s: admin-equivalent, since %s stay fully granted and can re-grant what is excluded",
				s.name(), s.what(nil), s.where(), joinAnd(sensitiveServices[:]))
		} else {
			r.add("%s allows %s on %s", s.name(), s.what(universalAction), s.where())
		}
	}
	for _, s := range x.allows {
		if level == LevelAdmin && slices.Contains(x.broad, s) {
			continue
		}
		var svcs []string
		for _, svc := range x.serviceNames {
			byBroad := slices.ContainsFunc(x.full[svc], func(g *compiled) bool { return slices.Contains(x.broad, g) })
			if slices.Contains(x.full[svc], s) && !(level == LevelAdmin && byBroad) {
				svcs = append(svcs, svc)
			}
		}
		if len(svcs) > 0 {
			r.add("%s allows %s on %s: full control of %s", s.name(), s.what(coveringAny(svcs)), s.where(), joinAnd(svcs))
		}
	}
	x.narrowReasons(&r)
	if level < LevelAdmin {
		x.escalationReasons(&r)
	}
	for _, d := range x.denies {
		if d.deniesEverything() {
			continue // said first
		}
		if b := x.blockedBy[d]; b != nil {
			r.add("%s denies %s on %s: removes %s", d.name(), d.what(nil), d.where(), b.describe())
		} else if level == LevelAdmin && !d.cond && !d.hitsAnySensitive() {
			r.add("%s denies %s on %s: outside the sensitive services, no boundary for an administrator", d.name(), d.what(nil), d.where())
		}
		if why, ok := x.softDenies[d]; ok {
			r.add("%s denies %s %s", d.name(), d.what(nil), why)
		}
	}
	for _, s := range x.allows {
		if !x.contributes(s) {
			continue
		}
		if s.cond {
			r.add("%s grants only under a condition; counted as granting (conservative)", s.name())
		}
		if s.notRes {
			r.add("%s uses NotResource; counted as granting on every resource it does not list (conservative)", s.name())
		}
	}
	return r.list
}

// narrowReasons explains an Allow that has a service's actions but not all its resources.
func (x *analysis) narrowReasons(r *reasonList) {
	narrow := map[*compiled][]string{}
	for _, n := range x.narrow {
		if !slices.Contains(x.serviceNames, n.svc) {
			narrow[n.s] = append(narrow[n.s], n.svc)
		}
	}
	for _, s := range x.allows {
		if svcs := narrow[s]; len(svcs) > 0 {
			r.add("%s allows %s only on %s: not full control of %s (privilege escalation at most)",
				s.name(), s.what(coveringAny(svcs)), s.where(), joinAnd(svcs))
		}
	}
}

// escalationReasons lists escalations a fully controlled service does not already imply,
// one sentence per group of statements.
func (x *analysis) escalationReasons(r *reasonList) {
	type group struct {
		subject, verb string
		escs          []Escalation
	}
	var groups []*group
	for _, g := range x.granted {
		if x.implied(g.esc) {
			continue
		}
		subject, verb := subjectOf(g.by)
		i := slices.IndexFunc(groups, func(gr *group) bool { return gr.subject == subject })
		if i < 0 {
			groups = append(groups, &group{subject: subject, verb: verb})
			i = len(groups) - 1
		}
		groups[i].escs = append(groups[i].escs, g.esc)
	}
	for _, gr := range groups {
		if len(gr.escs) == 1 {
			r.add("%s %s privilege escalation via %s: %s", gr.subject, gr.verb, gr.escs[0].label(), gr.escs[0].Why)
			continue
		}
		labels := make([]string, len(gr.escs))
		for i, e := range gr.escs {
			labels[i] = e.label()
		}
		r.add("%s %s privilege escalation via %s", gr.subject, gr.verb, summarize(labels))
	}
}

// summarize joins up to five items and counts the rest.
func summarize(xs []string) string {
	const shown = 5
	if len(xs) <= shown {
		return joinAnd(xs)
	}
	return strings.Join(xs[:shown], ", ") + fmt.Sprintf(" and %d more", len(xs)-shown)
}

func (c *compiled) hitsAnySensitive() bool {
	for _, svc := range sensitiveServices {
		if c.hitsService(svc) {
			return true
		}
	}
	return false
}

// implied: every action of the escalation belongs to a service the policy fully controls.
func (x *analysis) implied(e Escalation) bool {
	for _, a := range e.Actions {
		if !slices.Contains(x.serviceNames, actionService(strings.ToLower(a))) {
			return false
		}
	}
	return true
}

// contributes: the statement is behind the level or a listed escalation.
func (x *analysis) contributes(s *compiled) bool {
	if slices.Contains(x.broad, s) {
		return true
	}
	for _, g := range x.full {
		if slices.Contains(g, s) {
			return true
		}
	}
	for _, g := range x.granted {
		if slices.Contains(g.by, s) {
			return true
		}
	}
	return false
}

func (c *compiled) name() string {
	if c.sid != "" {
		return fmt.Sprintf("statement %d (%s)", c.idx, quote(c.sid))
	}
	return fmt.Sprintf("statement %d", c.idx)
}

// what renders the action element; keep, if given, selects which Action patterns to show.
func (c *compiled) what(keep func(string) bool) string {
	if c.not {
		return "every action except " + quoteList(c.rawActs)
	}
	var shown []string
	for i, p := range c.acts {
		if keep == nil || keep(p) {
			shown = append(shown, c.rawActs[i])
		}
	}
	if len(shown) == 0 {
		shown = c.rawActs
	}
	return quoteList(shown)
}

func (c *compiled) where() string {
	if c.notRes {
		return "every resource except " + quoteList(c.rawRes)
	}
	return quoteList(c.rawRes)
}

func coveringAny(svcs []string) func(string) bool {
	return func(p string) bool {
		for _, svc := range svcs {
			if coversPrefix(p, svc+":") {
				return true
			}
		}
		return false
	}
}

func subjectOf(by []*compiled) (subject, verb string) {
	var idx []int
	for _, s := range by {
		if !slices.Contains(idx, s.idx) {
			idx = append(idx, s.idx)
		}
	}
	slices.Sort(idx)
	if len(idx) == 1 {
		return by[0].name(), "allows"
	}
	names := make([]string, len(idx))
	for i, n := range idx {
		names[i] = strconv.Itoa(n)
	}
	return "statements " + joinAnd(names), "allow"
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// quoteList renders `"*"` for one item and `["a", "b", … 3 more]` for several.
func quoteList(xs []string) string {
	if len(xs) == 1 {
		return quote(xs[0])
	}
	const shown = 6
	var parts []string
	for i, x := range xs {
		if i == shown {
			parts = append(parts, fmt.Sprintf("… %d more", len(xs)-shown))
			break
		}
		parts = append(parts, quote(x))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// quote bounds attacker-controlled text before it reaches a finding.
func quote(s string) string {
	const max = 100
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return strconv.Quote(s)
}

type reasonList struct{ list []string }

func (r *reasonList) add(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if !slices.Contains(r.list, s) {
		r.list = append(r.list, s)
	}
}

func (b *blocked) describe() string {
	switch {
	case len(b.services) == 0:
		return summarize(b.actions)
	case len(b.actions) == 0:
		return "full control of " + joinAnd(b.services)
	}
	return fmt.Sprintf("full control of %s, and %d escalation actions", joinAnd(b.services), len(b.actions))
}
