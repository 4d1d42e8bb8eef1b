package drift

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/access"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// scope is the context severities are computed with: the same facts the
// rules use (admin permission sets, sensitive accounts, privileged and
// large groups). Lookups go to the model the object lives in (current for
// additions, base for removals).
type scope struct {
	cfg     *config.Config
	levels  map[*idc.PermissionSet]policy.Analysis
	indexes map[*idc.Model]*access.Index
}

func newScope(cfg *config.Config) *scope {
	if cfg == nil {
		cfg = config.Default()
	}
	return &scope{cfg: cfg, levels: map[*idc.PermissionSet]policy.Analysis{}, indexes: map[*idc.Model]*access.Index{}}
}

// index is a model's assignments and memberships, indexed once per run
// (internal/access), so per-object lookups stay cheap on large instances.
func (s *scope) index(m *idc.Model) *access.Index {
	x, ok := s.indexes[m]
	if !ok {
		x = access.NewIndex(m)
		s.indexes[m] = x
	}
	return x
}

// analysis classifies a permission set once per run.
func (s *scope) analysis(ps *idc.PermissionSet) policy.Analysis {
	if ps == nil {
		return policy.Analysis{}
	}
	if a, ok := s.levels[ps]; ok {
		return a
	}
	a := idc.Classify(ps)
	s.levels[ps] = a
	return a
}

func (s *scope) level(m *idc.Model, psARN string) (policy.Level, *idc.PermissionSet) {
	ps, ok := m.PermissionSetByARN(psARN)
	if !ok {
		return policy.LevelNone, nil
	}
	return s.analysis(ps).Level, ps
}

// sensitive: listed in sensitive_accounts, or the management account (which
// no SCP protects and which controls Identity Center itself).
func (s *scope) sensitive(m *idc.Model, acct string) bool {
	return s.cfg.IsSensitive(acct) || (acct != "" && acct == m.ManagementAccountID)
}

// privilegedGroup matches privileged_groups by id or display name.
func (s *scope) privilegedGroup(m *idc.Model, id string) bool {
	name := ""
	if g, ok := m.GroupByID(id); ok {
		name = g.DisplayName
	}
	for _, p := range s.cfg.PrivilegedGroups {
		if p == id || (name != "" && strings.EqualFold(p, name)) {
			return true
		}
	}
	return false
}

func (s *scope) largeGroup(m *idc.Model, id string) (int, bool) {
	n := m.GroupSize(id)
	return n, s.cfg.LargeGroupSize > 0 && n >= s.cfg.LargeGroupSize
}

// sensitiveAssignments lists the sensitive accounts a permission set is
// assigned in.
func (s *scope) sensitiveAssignments(m *idc.Model, psARN string) []string {
	var out []string
	for _, a := range s.index(m).PermissionSetAssignments(psARN) {
		if s.sensitive(m, a.AccountID) && !slices.Contains(out, a.AccountID) {
			out = append(out, a.AccountID)
		}
	}
	slices.Sort(out)
	return out
}

// groupReach returns the number of the group's assignments and the
// strongest permission set level among them, with the first sensitive
// account it reaches with admin.
func (s *scope) groupReach(m *idc.Model, groupID string) (n int, top policy.Level, sensitiveAdmin string) {
	ix := s.index(m)
	for _, a := range ix.GroupAssignments(groupID) {
		n++
		lv := ix.Analysis(a.PermissionSetARN).Level
		if lv > top {
			top = lv
		}
		if lv >= policy.LevelAdmin && s.sensitive(m, a.AccountID) && sensitiveAdmin == "" {
			sensitiveAdmin = a.AccountID
		}
	}
	return n, top, sensitiveAdmin
}

func (s *scope) breakGlass(ps *idc.PermissionSet) bool {
	for _, b := range s.cfg.BreakGlassPermissionSets {
		if b == ps.ARN || strings.EqualFold(b, ps.Name) {
			return true
		}
	}
	return false
}

// rating accumulates a severity and the reasons for it.
type rating struct {
	sev     finding.Severity
	reasons []string
}

func rate(base finding.Severity) *rating { return &rating{sev: base} }

// atLeast raises the severity to s and records why.
func (r *rating) atLeast(s finding.Severity, format string, args ...any) {
	if s > r.sev {
		r.sev = s
	}
	r.reasons = append(r.reasons, fmt.Sprintf(format, args...))
}

// bump raises the severity one step (capped at critical) and records why.
func (r *rating) bump(format string, args ...any) {
	if r.sev < finding.Critical {
		r.sev++
	}
	r.reasons = append(r.reasons, fmt.Sprintf(format, args...))
}

// rateLevel maps what a permission set grants to a floor severity.
func (r *rating) rateLevel(a policy.Analysis, name string) {
	switch {
	case a.Level >= policy.LevelAdmin:
		r.atLeast(finding.High, "permission set %s grants admin%s", name, because(a.Reasons))
	case a.Level >= policy.LevelPrivileged:
		r.atLeast(finding.High, "permission set %s is privileged%s", name, because(a.Reasons))
	case a.Level >= policy.LevelPrivEsc:
		r.atLeast(finding.Medium, "permission set %s allows privilege escalation%s", name, because(a.Reasons))
	}
}

func because(reasons []string) string {
	if len(reasons) == 0 {
		return ""
	}
	if len(reasons) > 3 {
		reasons = append(reasons[:3:3], "…")
	}
	return " (" + strings.Join(reasons, "; ") + ")"
}
