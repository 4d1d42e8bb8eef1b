package respond

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Guard names, as --force takes them.
const (
	GuardBreakGlass        = "break-glass"
	GuardManagementAccount = "management-account"
	GuardLastAdminPath     = "last-admin-path"
)

// Guard is a guard rail: a check run over every plan that refuses the steps
// which would lock the organization's own admins out or touch what must
// stay untouched. --force ID overrides it.
type Guard struct {
	ID       string // what --force takes; stable
	Title    string // what it refuses, one line (Markdown)
	Why      string // why it exists
	Override string // when overriding is right, and what to check first
	check    func(*guardCheck)
}

// guards is the registry. Plans evaluate the guards in this order, so their
// refusals come in it too.
var guards = []Guard{
	{
		ID:    GuardBreakGlass,
		Title: "touch a permission set listed in `break_glass_permission_sets`",
		Why: "Break-glass permission sets are how people get back in when the IdP or normal access fails; " +
			"a plan that revokes, strips or deletes one can leave nobody able to undo a mistake.",
		Override: "Only when the break-glass set is itself the compromise being contained, " +
			"and another way in (the management account's root user, a second break-glass set) is tested first.",
		check: checkBreakGlass,
	},
	{
		ID:    GuardManagementAccount,
		Title: "change an allow-listed admin's access to the management account",
		Why: "The management account controls the organization, its SCPs and Identity Center itself; " +
			"cutting an admin's path there, even by revoking sessions, can leave nobody able to fix them.",
		Override: "When that admin is the one being contained, or another admin keeps access " +
			"to the management account (check with `portcullis access`).",
		check: checkManagementAccount,
	},
	{
		ID:    GuardLastAdminPath,
		Title: "leave an allow-listed admin (`admins` mapping to an Identity Center user) with no admin path",
		Why: "A plan built from a wrong finding or a stale snapshot must not lock out the people who would repair it: " +
			"every allow-listed admin with an admin path before the plan keeps one after it.",
		Override: "When the admin is the intruder (a compromised admin account); " +
			"remove them from `admins` in portcullis.yaml too, so later plans agree.",
		check: checkLastAdminPath,
	},
}

// Guards returns the guard registry.
func Guards() []Guard { return slices.Clone(guards) }

// GuardIDs returns the guard names --force accepts, sorted.
func GuardIDs() []string {
	ids := make([]string, len(guards))
	for i, g := range guards {
		ids[i] = g.ID
	}
	slices.Sort(ids)
	return ids
}

// CheckForce validates --force names against the registry.
func CheckForce(names []string) error {
	for _, n := range names {
		if !slices.ContainsFunc(guards, func(g Guard) bool { return g.ID == n }) {
			return fmt.Errorf("--force %q: unknown guard (known guards: %s)", n, strings.Join(GuardIDs(), ", "))
		}
	}
	return nil
}

// GuardTable renders the registry as a Markdown table (the README's).
func GuardTable() string {
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	var b strings.Builder
	b.WriteString("| guard | refuses steps that would | why | override when |\n|---|---|---|---|\n")
	for _, g := range guards {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", g.ID, cell(g.Title), cell(g.Why), cell(g.Override))
	}
	return b.String()
}

// guardCheck is what one guard sees of the plan being built, and how it
// refuses a step.
type guardCheck struct {
	p      *ContainmentPlan
	b      *builder
	guard  string
	admins func() []string // the allow-listed admins' user ids, computed once
}

// refuse marks step i refused by the guard, or overridden when it was
// forced.
func (c *guardCheck) refuse(i int, reason string) {
	st := &c.p.Steps[i]
	if c.b.in.forced(c.guard) {
		if !slices.Contains(st.Overridden, c.guard) {
			st.Overridden = append(st.Overridden, c.guard)
		}
		return
	}
	if !slices.Contains(st.BlockedBy, c.guard) {
		st.BlockedBy = append(st.BlockedBy, c.guard)
	}
	c.p.Refusals = append(c.p.Refusals, Refusal{Guard: c.guard, Step: st.ID, Title: st.Title, Reason: reason})
}

// evaluateGuards runs every guard of the registry over the plan, marks
// refused steps and returns a *GuardError when any guard that was not
// forced refuses.
func evaluateGuards(p *ContainmentPlan, b *builder) error {
	admins := sync.OnceValue(func() []string { return adminUsers(b.m, b.ax, b.cfg, b.now) })
	for _, g := range guards {
		g.check(&guardCheck{p: p, b: b, guard: g.ID, admins: admins})
	}
	if len(p.Refusals) > 0 {
		return &GuardError{Refusals: p.Refusals}
	}
	return nil
}
