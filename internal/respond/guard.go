package respond

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/policy"
)

type impactKind int

const (
	// impactInterrupt ends live sessions on a path; the user can sign in again.
	impactInterrupt impactKind = iota
	// impactRemove takes the path away.
	impactRemove
)

// impact is what a step does to the access paths it matches.
type impact struct {
	kind  impactKind
	match func(accessPath) bool
}

// GuardError is the refusal of one or more steps by guard rails.
type GuardError struct {
	Refusals []Refusal
}

func (e *GuardError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "contain: guard rails refuse %d step(s):", len(e.Refusals))
	for _, r := range e.Refusals {
		fmt.Fprintf(&b, "\n  - [%s] step %s (%s): %s; override with --force %s", r.Guard, r.Step, r.Title, r.Reason, r.Guard)
	}
	return b.String()
}

// checkBreakGlass refuses every step that touches a break-glass
// permission set.
func checkBreakGlass(c *guardCheck) {
	p, b := c.p, c.b
	for i, st := range p.Steps {
		for _, arn := range st.touches {
			if ps, ok := b.m.PermissionSets[arn]; ok && isBreakGlass(b.cfg, ps) {
				c.refuse(i, fmt.Sprintf("permission set %s is listed in break_glass_permission_sets", sanitize(ps.Name)))
				break
			}
		}
	}
}

// checkManagementAccount refuses every step that changes an allow-listed
// admin's access to the management account.
func checkManagementAccount(c *guardCheck) {
	p, b, admins := c.p, c.b, c.admins()
	if b.mgmt != "" {
		for i, st := range p.Steps {
			for _, u := range admins {
				if hit := firstHit(st.impacts, b.ax.paths(u), func(x accessPath) bool { return x.Account == b.mgmt }, false); hit != nil {
					c.refuse(i, fmt.Sprintf("it changes allow-listed admin %s's access to the management account %s (permission set %s%s)",
						b.userLabel(u), b.mgmt, b.psName(hit.PS), viaLabel(b, hit.Via)))
					break
				}
			}
		}
	}
}

// checkLastAdminPath refuses the steps that take the last admin path of an
// allow-listed admin who had one.
func checkLastAdminPath(c *guardCheck) {
	p, b, admins := c.p, c.b, c.admins()
	detached := map[string][]string{}
	for _, st := range p.Steps {
		for _, arn := range st.touches {
			detached[arn] = append(detached[arn], st.detaches...)
		}
	}
	isAdmin := func(psARN string, after bool) bool {
		if after {
			return b.ax.levelWithout(psARN, detached[psARN]) >= policy.LevelAdmin
		}
		return b.ax.level(psARN) >= policy.LevelAdmin
	}
	for _, u := range admins {
		var before []accessPath
		for _, x := range b.ax.paths(u) {
			if isAdmin(x.PS, false) {
				before = append(before, x)
			}
		}
		if len(before) == 0 {
			continue
		}
		left := 0
		for _, x := range before {
			if isAdmin(x.PS, true) && !removedByAny(p.Steps, x) {
				left++
			}
		}
		if left > 0 {
			continue
		}
		for i, st := range p.Steps {
			hit := firstHit(st.impacts, before, nil, true) != nil
			for _, x := range before {
				hit = hit || (slices.Contains(st.touches, x.PS) && len(st.detaches) > 0 && !isAdmin(x.PS, true))
			}
			if hit {
				c.refuse(i, fmt.Sprintf("after the plan allow-listed admin %s has no admin path left (had %d)", b.userLabel(u), len(before)))
			}
		}
	}
}

// firstHit returns the first path (passing filter) that an impact matches;
// removeOnly limits it to impacts that take the path away.
func firstHit(imps []impact, paths []accessPath, filter func(accessPath) bool, removeOnly bool) *accessPath {
	for _, x := range paths {
		if filter != nil && !filter(x) {
			continue
		}
		for _, im := range imps {
			if removeOnly && im.kind != impactRemove {
				continue
			}
			if im.match(x) {
				return &x
			}
		}
	}
	return nil
}

func removedByAny(steps []Step, x accessPath) bool {
	for _, st := range steps {
		if firstHit(st.impacts, []accessPath{x}, nil, true) != nil {
			return true
		}
	}
	return false
}

func (b *builder) userLabel(id string) string {
	if u, ok := b.m.Users[id]; ok {
		return sanitize(userLabel(u))
	}
	return id
}

func viaLabel(b *builder, via string) string {
	if via == "" {
		return ", direct"
	}
	if g, ok := b.m.Groups[via]; ok {
		return ", via group " + sanitize(groupLabel(g))
	}
	return ", via group " + via
}
