package idc

import "slices"

// Facts a source may be unable to show at all. Unlike Partial (a read that
// failed), an unknown fact is a limit of the source: Terraform state does
// not say whether a delegated administrator is registered, nor who is in a
// group the IdP manages. Consumers must not read the zero value of an
// unknown fact as "none" (posture skips the checks that need it).
const (
	// FactDelegatedAdmin: DelegatedAdminID is "" because none is registered.
	FactDelegatedAdmin = "delegated_admin"
	// FactManagementAccount: ManagementAccountID names the management account.
	FactManagementAccount = "management_account"
	// FactMemberships: every group's members are in Memberships.
	FactMemberships = "group_memberships"
	// FactPermissionSets: each permission set's policies, boundary and
	// session duration are complete (not stubs from a replay).
	FactPermissionSets = "permission_set_contents"
)

// Knows reports whether the model's source can show fact.
func (m *Model) Knows(fact string) bool { return !slices.Contains(m.Unknown, fact) }

// SetUnknown records that the source cannot show fact.
func (m *Model) SetUnknown(fact string) {
	if m.Knows(fact) {
		m.Unknown = append(m.Unknown, fact)
		slices.Sort(m.Unknown)
		m.touch(FactMeta, "")
	}
}

// LearnFact records that fact became known (an event showed it).
func (m *Model) LearnFact(fact string) {
	if m.Knows(fact) {
		return
	}
	m.touch(FactMeta, "")
	m.Unknown = slices.DeleteFunc(m.Unknown, func(f string) bool { return f == fact })
	if len(m.Unknown) == 0 {
		m.Unknown = nil
	}
}
