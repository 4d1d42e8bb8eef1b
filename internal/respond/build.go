package respond

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Plan builds the containment plan for in against the state m. now is the
// revocation instant: sessions issued before it are denied.
//
// When a guard rail refuses steps, Plan returns the whole plan (steps
// marked BlockedBy, Refusals filled) AND a *GuardError, so a caller can
// show what was refused; apply.Run never runs such a plan.
func Plan(in Input, m *idc.Model, cfg *config.Config, now time.Time) (*ContainmentPlan, error) {
	if m == nil {
		return nil, errors.New("contain: no Identity Center state (give --snapshot FILE or --from aws)")
	}
	if cfg == nil {
		cfg = config.Default()
	}
	if now.IsZero() {
		return nil, errors.New("contain: plan time is zero")
	}
	now = now.UTC().Truncate(time.Second)
	var notes []string
	if in.Finding != nil {
		var err error
		if in, notes, err = fromFinding(in, in.Finding); err != nil {
			return nil, fmt.Errorf("contain: %w", err)
		}
	}
	if err := in.validate(); err != nil {
		return nil, fmt.Errorf("contain: %w", err)
	}
	if !instanceARNRe.MatchString(m.InstanceARN) {
		return nil, fmt.Errorf("contain: the state has no valid Identity Center instance ARN (got %q)", m.InstanceARN)
	}
	sc, err := resolve(in, m)
	if err != nil {
		return nil, fmt.Errorf("contain: %w", err)
	}
	b := &builder{in: in, m: m, cfg: cfg, now: now, sc: sc, ax: newAccess(m),
		part: partition(m.InstanceARN), mgmt: managementAccount(m)}
	b.notes = append(b.notes, notes...)
	if err := b.build(); err != nil {
		return nil, fmt.Errorf("contain: %w", err)
	}
	if err := b.chk.err(); err != nil {
		return nil, fmt.Errorf("contain: %w", err)
	}
	p := &ContainmentPlan{
		Schema:          PlanSchema,
		GeneratedAt:     now,
		InstanceARN:     m.InstanceARN,
		IdentityStoreID: m.IdentityStoreID,
		Region:          in.Region,
		Subject:         sc.subject,
		Options: Options{
			Revoke: b.mode, Via: viaName(in.Via), DeletePermissionSet: sc.rogue,
			DelegatedAdmin: in.DelegatedAdmin, ProvisionPerAccount: in.ProvisionPerAccount,
			Forced: sortedUnique(in.Force),
		},
		Steps: b.steps,
		Notes: b.notes,
	}
	if len(p.Steps) == 0 {
		p.Notes = append(p.Notes, "Nothing to do: the state shows no access, membership or session to remove for this subject.")
	}
	if err := p.finish(in.Region); err != nil {
		return nil, fmt.Errorf("contain: %w", err)
	}
	gerr := evaluateGuards(p, b)
	if p.State, err = digestState(p, m); err != nil {
		return nil, fmt.Errorf("contain: %w", err)
	}
	h, err := p.ComputeHash()
	if err != nil {
		return nil, err
	}
	p.Hash = h
	if gerr != nil {
		return p, gerr
	}
	return p, nil
}

func viaName(v RevokeVia) RevokeVia {
	if v == ViaAuto {
		return "auto"
	}
	return v
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// builder accumulates steps.
type builder struct {
	in    Input
	m     *idc.Model
	cfg   *config.Config
	now   time.Time
	sc    *scope
	ax    *access
	part  string
	mgmt  string
	mode  RevokeMode
	steps []Step
	notes []string
	chk   checker
}

// add appends a step and returns its id.
func (b *builder) add(s Step) string {
	s.ID = fmt.Sprintf("s%02d", len(b.steps)+1)
	b.steps = append(b.steps, s)
	return s.ID
}

func (b *builder) build() error {
	if b.m.Partial {
		b.notes = append(b.notes, fmt.Sprintf("The state is partial (missing: %v): grants it does not show are not in this plan.", b.m.Missing))
	}
	if b.mgmt == "" {
		b.notes = append(b.notes, "The management account is unknown in the state: the management-account guard could not be checked.")
	}
	if b.m.DelegatedAdminID != "" && !b.in.DelegatedAdmin {
		b.notes = append(b.notes, fmt.Sprintf("Identity Center has a delegated administrator (account %s). If you run this plan from it, build it with --delegated-admin: sets provisioned to the management account cannot be changed from there.", b.m.DelegatedAdminID))
	}
	if err := b.chooseMode(); err != nil {
		return err
	}
	dels := b.assignmentsToDelete()
	members := b.membershipsToRemove()
	if err := b.revoke(); err != nil {
		return err
	}
	for _, a := range dels {
		b.deleteAssignment(a)
	}
	b.removeMemberships(members)
	b.identityProvider(members)
	b.deletePermissionSet(dels)
	return nil
}

func (b *builder) chooseMode() error {
	b.mode = b.in.Revoke
	if b.mode == RevokeAuto {
		b.mode = RevokeIssuedBefore
		if b.sc.user != nil {
			b.mode = RevokeUser
		}
	}
	if (b.mode == RevokeUser || b.mode == RevokeBoth) && b.sc.user == nil {
		return fmt.Errorf("revoke mode %q needs a user principal (the condition is the user's id)", b.mode)
	}
	return nil
}

// assignmentsToDelete: the principal's own assignments, and every
// assignment of a rogue permission set, inside the filters.
func (b *builder) assignmentsToDelete() []idc.Assignment {
	sc := b.sc
	var out []idc.Assignment
	for _, a := range b.m.Assignments {
		if !sc.matches(a) {
			continue
		}
		own := (sc.user != nil && sc.memberGroup == nil && a.PrincipalType == "USER" && a.PrincipalID == sc.user.ID) ||
			(sc.group != nil && a.PrincipalType == "GROUP" && a.PrincipalID == sc.group.ID)
		if own || (sc.rogue && a.PermissionSetARN == sc.ps.ARN) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(x, y idc.Assignment) int {
		return compareStrings(x.AccountID+x.PermissionSetARN+x.PrincipalType+x.PrincipalID,
			y.AccountID+y.PermissionSetARN+y.PrincipalType+y.PrincipalID)
	})
	return slices.CompactFunc(out, func(x, y idc.Assignment) bool { return x.Key() == y.Key() })
}

// membership is one user in one group to remove.
type membership struct {
	group *idc.Group
	user  *idc.User
	id    string // "" = look it up
}

// membershipsToRemove: the named group, else every privileged group of the
// user that reaches inside the filters.
func (b *builder) membershipsToRemove() []membership {
	sc := b.sc
	if sc.user == nil {
		return nil
	}
	find := func(g *idc.Group) membership {
		mb := membership{group: g, user: sc.user}
		for _, x := range b.m.Memberships[g.ID] {
			if x.UserID == sc.user.ID {
				mb.id = x.MembershipID
			}
		}
		return mb
	}
	if sc.memberGroup != nil {
		return []membership{find(sc.memberGroup)}
	}
	var out []membership
	for _, gid := range b.ax.groupsOf(sc.user.ID) {
		g, ok := b.m.Groups[gid]
		if !ok || !isPrivilegedGroup(b.cfg, b.ax, g) {
			continue
		}
		if sc.ps != nil || sc.account != "" {
			inside := false
			for _, a := range b.m.Assignments {
				if a.PrincipalType == "GROUP" && a.PrincipalID == gid && sc.matches(a) {
					inside = true
				}
			}
			if !inside {
				continue
			}
		}
		out = append(out, find(g))
	}
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
