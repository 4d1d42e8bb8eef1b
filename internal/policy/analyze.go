package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Level ranks what a policy grants; higher is more. See the package comment.
type Level int

const (
	LevelNone       Level = iota // grants nothing notable
	LevelPrivEsc                 // grants a known privilege-escalation action (see Escalations)
	LevelPrivileged              // fully controls a sensitive service (iam, sso, identitystore, organizations, sts)
	LevelAdmin                   // every action on every resource, or its equivalent
)

var levelNames = [...]string{"none", "privesc", "privileged", "admin"}

func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// MarshalText writes the level's name, so JSON and YAML carry "admin", not 3.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level's name.
func (l *Level) UnmarshalText(b []byte) error {
	for i, n := range levelNames {
		if string(b) == n {
			*l = Level(i)
			return nil
		}
	}
	return fmt.Errorf("policy: unknown level %q (want none, privesc, privileged or admin)", b)
}

// sensitiveServices are the services whose full control is LevelPrivileged. Sorted. Read-only.
var sensitiveServices = [...]string{"iam", "identitystore", "organizations", "sso", "sts"}

// SensitiveServices lists the services whose full control makes a policy privileged.
func SensitiveServices() []string { return append([]string(nil), sensitiveServices[:]...) }

// Analysis is what a policy grants.
type Analysis struct {
	Level    Level    `json:"level"`
	Reasons  []string `json:"reasons,omitempty"`  // sentences, most significant first
	Services []string `json:"services,omitempty"` // sensitive services fully controlled, sorted
	PrivEsc  []string `json:"privesc,omitempty"`  // escalation labels granted, sorted
}

// Union combines the analyses of policies that apply together (a permission set's managed
// and inline policies): the higher level, the union of Services and PrivEsc, every reason.
// A Deny analysed in one policy is not applied to another's grants (conservative).
func (a Analysis) Union(b Analysis) Analysis {
	out := Analysis{Level: max(a.Level, b.Level)}
	out.Reasons = append(append(out.Reasons, a.Reasons...), b.Reasons...)
	out.Services = sortedUnion(a.Services, b.Services)
	out.PrivEsc = sortedUnion(a.PrivEsc, b.PrivEsc)
	return out
}

func sortedUnion(a, b []string) []string {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := append(append([]string(nil), a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// Analyze parses a policy document (JSON text, as found in an inline policy string) and
// reports what it grants. Malformed documents return a *ParseError; it never panics.
func Analyze(doc []byte) (Analysis, error) {
	d, err := Parse(doc)
	if err != nil {
		return Analysis{}, err
	}
	return AnalyzeStatements(d.Statement), nil
}

// AnalyzeStatements analyses statements as one policy; Reasons number them from 0.
func AnalyzeStatements(stmts []Statement) Analysis {
	var allows, denies []*compiled
	for i, s := range stmts {
		switch s.Effect {
		case "Allow":
			allows = append(allows, compile(i, s))
		case "Deny":
			denies = append(denies, compile(i, s))
		} // anything else (only from code, Parse refuses it) neither grants nor subtracts
	}
	x := &analysis{allows: allows, denies: denies, full: map[string][]*compiled{}}
	x.services()
	x.admin()
	x.escalations()

	var a Analysis
	a.Services = x.serviceNames
	switch {
	case len(x.broad) > 0:
		a.Level = LevelAdmin
	case len(a.Services) > 0:
		a.Level = LevelPrivileged
	case len(x.granted) > 0:
		a.Level = LevelPrivEsc
	}
	for _, g := range x.granted {
		a.PrivEsc = append(a.PrivEsc, g.esc.label())
	}
	slices.Sort(a.PrivEsc)
	a.Reasons = x.reasons(a.Level)
	return a
}

// analysis holds the intermediate results that Reasons explain.
type analysis struct {
	allows, denies []*compiled

	full         map[string][]*compiled // sensitive service -> statements granting it fully
	serviceNames []string
	narrow       []narrowGrant // allow covers a service's actions but not its resources
	blockedBy    map[*compiled]*blocked
	softDenies   map[*compiled]string // deny that would subtract but does not, and why
	broad        []*compiled          // statements that make the policy admin
	granted      []grantedEsc
}

type narrowGrant struct {
	s   *compiled
	svc string
}

type grantedEsc struct {
	esc Escalation
	by  []*compiled
}

// blocked is what one Deny removed: sensitive services and escalation actions.
type blocked struct{ services, actions []string }

func (x *analysis) noteBlock(d *compiled, svc, action string) {
	if x.blockedBy == nil {
		x.blockedBy = map[*compiled]*blocked{}
	}
	b := x.blockedBy[d]
	if b == nil {
		b = &blocked{}
		x.blockedBy[d] = b
	}
	if svc != "" && !slices.Contains(b.services, svc) {
		b.services = append(b.services, svc)
	}
	if action != "" && !slices.Contains(b.actions, action) {
		b.actions = append(b.actions, action)
	}
}

func (x *analysis) noteSoft(d *compiled, why string) {
	if x.softDenies == nil {
		x.softDenies = map[*compiled]string{}
	}
	if _, ok := x.softDenies[d]; !ok {
		x.softDenies[d] = why
	}
}

// subtracts reports whether deny d removes actions it hits on the resources of key; a deny
// that cannot is remembered for the reasons.
func (x *analysis) subtracts(d *compiled, key string) bool {
	switch {
	case d.cond:
		x.noteSoft(d, "only under a condition; not subtracted (conservative)")
		return false
	case !d.resWide(key):
		x.noteSoft(d, "only on "+d.where()+"; not subtracted (conservative)")
		return false
	}
	return true
}

func (x *analysis) services() {
	for _, svc := range sensitiveServices {
		var grantors []*compiled
		for _, s := range x.allows {
			if !s.coversService(svc) {
				continue
			}
			if s.resWide(svc) {
				grantors = append(grantors, s)
			} else {
				x.narrow = append(x.narrow, narrowGrant{s, svc})
			}
		}
		if len(grantors) == 0 {
			continue
		}
		blocked := false
		for _, d := range x.denies {
			if d.hitsService(svc) && x.subtracts(d, svc) {
				blocked = true
				x.noteBlock(d, svc, "")
			}
		}
		if !blocked {
			x.full[svc] = grantors
			x.serviceNames = append(x.serviceNames, svc)
		}
	}
}

// admin: every sensitive service fully granted, plus one statement granting every action
// (or every action but some) on every resource. What such a statement leaves out lies outside
// the sensitive services, and iam:* re-grants it; so it is no boundary.
func (x *analysis) admin() {
	if len(x.serviceNames) != len(sensitiveServices) {
		return
	}
	for _, s := range x.allows {
		if s.broad() && s.resWide(allKey) {
			x.broad = append(x.broad, s)
		}
	}
}

func (x *analysis) escalations() {
	for _, e := range escalations {
		var by []*compiled
		ok := true
		for i, act := range e.Actions {
			g := x.grants(act, i == 0 && e.AllRoles)
			if len(g) == 0 {
				ok = false
				break
			}
			by = append(by, g...)
		}
		if ok {
			x.granted = append(x.granted, grantedEsc{e, by})
		}
	}
}

// grants returns the statements that grant the action, or nil when none does or an
// unconditional Deny covering all of its resources removes it.
func (x *analysis) grants(action string, allRoles bool) []*compiled {
	act := strings.ToLower(action)
	svc := actionService(act)
	ns := resourceService(svc)
	key := ns
	if svc == "sts" {
		key = "role"
	}
	var by []*compiled
	for _, s := range x.allows {
		if !s.matches(act) {
			continue
		}
		if allRoles && s.resWide("role") || !allRoles && s.touches(ns, key) {
			by = append(by, s)
		}
	}
	if len(by) == 0 {
		return nil
	}
	for _, d := range x.denies {
		if d.matches(act) && x.subtracts(d, key) {
			x.noteBlock(d, "", action)
			return nil
		}
	}
	return by
}
