package idc

import "slices"

// Assignments and provisioning.

func (a *applier) provision() (bool, error) {
	typ, err := a.req("requestParameters.targetType")
	if err != nil {
		return false, err
	}
	switch typ {
	case "ALL_PROVISIONED_ACCOUNTS":
		// Re-provisions the accounts already listed: the set does not change.
		_, err := a.permissionSet("requestParameters.permissionSetArn")
		return false, err
	case "AWS_ACCOUNT":
		acct, err := a.req("requestParameters.targetId")
		if err != nil {
			return false, err
		}
		ps, err := a.permissionSet("requestParameters.permissionSetArn")
		if err != nil {
			return false, err
		}
		return a.m.provisioned(ps, acct, a.src), nil
	}
	return false, a.fail("requestParameters.targetType", "unknown target type %q", typ)
}

// provisioned records that ps is provisioned to acct.
func (m *Model) provisioned(ps *PermissionSet, acct string, src Source) bool {
	if _, ok := m.Accounts[acct]; !ok {
		m.Accounts[acct] = &Account{ID: acct, Source: src}
		m.touch(FactAccount, acct)
	}
	if slices.Contains(ps.ProvisionedTo, acct) {
		return false
	}
	ps.ProvisionedTo = append(ps.ProvisionedTo, acct)
	m.touch(FactPermissionSet, ps.ARN)
	return true
}

func (a *applier) assignment(create bool) (bool, error) {
	var x Assignment
	for _, f := range []struct {
		path string
		dst  *string
	}{
		{"requestParameters.targetId", &x.AccountID},
		{"requestParameters.permissionSetArn", &x.PermissionSetARN},
		{"requestParameters.principalType", &x.PrincipalType},
		{"requestParameters.principalId", &x.PrincipalID},
	} {
		s, err := a.req(f.path)
		if err != nil {
			return false, err
		}
		*f.dst = s
	}
	if t, err := a.opt("requestParameters.targetType"); err != nil {
		return false, err
	} else if t != "" && t != "AWS_ACCOUNT" {
		return false, a.fail("requestParameters.targetType", "unknown target type %q", t)
	}
	if x.PrincipalType != "USER" && x.PrincipalType != "GROUP" {
		return false, a.fail("requestParameters.principalType", "want USER or GROUP, got %q", x.PrincipalType)
	}
	x.Source = a.src
	ps, err := a.permissionSet("requestParameters.permissionSetArn")
	if err != nil {
		return false, err
	}
	if !create {
		return a.m.removeAssignment(x.Key()), nil
	}
	// CreateAccountAssignment provisions the permission set to the account.
	a.m.provisioned(ps, x.AccountID, a.src)
	return a.m.addAssignment(x), nil
}

func (m *Model) addAssignment(x Assignment) bool {
	ix := m.index()
	if _, ok := ix.assignment[x.Key()]; ok {
		return false
	}
	ix.assignment[x.Key()] = len(m.Assignments)
	m.Assignments = append(m.Assignments, x)
	m.touchAssignment(x)
	return true
}

// removeAssignment deletes one assignment in O(1): the last assignment
// takes its place (order carries no meaning; Write sorts).
func (m *Model) removeAssignment(key string) bool {
	ix := m.index()
	i, ok := ix.assignment[key]
	if !ok {
		return false
	}
	last := len(m.Assignments) - 1
	if i != last {
		m.Assignments[i] = m.Assignments[last]
		ix.assignment[m.Assignments[i].Key()] = i
	}
	m.Assignments = m.Assignments[:last]
	delete(ix.assignment, key)
	m.touch(FactAssignment, key)
	return true
}

// removeAssignments deletes matching assignments, keeping order, and
// returns how many went.
func (m *Model) removeAssignments(match func(Assignment) bool) int {
	n := len(m.Assignments)
	m.Assignments = slices.DeleteFunc(m.Assignments, func(x Assignment) bool {
		if match(x) {
			m.touchAssignment(x)
			return true
		}
		return false
	})
	removed := n - len(m.Assignments)
	if removed > 0 {
		ix := m.index()
		clear(ix.assignment)
		for i, x := range m.Assignments {
			ix.assignment[x.Key()] = i
		}
	}
	return removed
}
