package idc

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// The identity store is written through three front doors that name the
// same effect differently: the public API (identitystore), the console
// (sso-directory) and SCIM provisioning (identitystore-scim).

func (a *applier) identityStore() (bool, error) {
	switch a.ev.Name {
	case "CreateUser":
		id, err := a.req("responseElements.userId")
		if err != nil {
			return false, err
		}
		return a.createUser(id, "requestParameters.userName", "requestParameters.displayName", "requestParameters.emails.0.value", "")
	case "UpdateUser":
		return a.updateOps("requestParameters.userId", true)
	case "DeleteUser":
		return a.deleteUser("requestParameters.userId")
	case "CreateGroup":
		id, err := a.req("responseElements.groupId")
		if err != nil {
			return false, err
		}
		return a.createGroup(id, "requestParameters.displayName", "requestParameters.description", "")
	case "UpdateGroup":
		return a.updateOps("requestParameters.groupId", false)
	case "DeleteGroup":
		return a.deleteGroup("requestParameters.groupId")
	case "CreateGroupMembership":
		g, err := a.req("requestParameters.groupId")
		if err != nil {
			return false, err
		}
		u, err := a.req("requestParameters.memberId.userId")
		if err != nil {
			return false, err
		}
		mid, err := a.opt("responseElements.membershipId")
		if err != nil {
			return false, err
		}
		return a.m.addMember(g, u, mid, a.src), nil
	case "DeleteGroupMembership":
		mid, err := a.req("requestParameters.membershipId")
		if err != nil {
			return false, err
		}
		ref, ok := a.m.index().membership[mid]
		if !ok {
			return false, nil // membership made before the model's history
		}
		return a.m.removeMember(ref.group, ref.user), nil
	}
	return false, nil
}

func (a *applier) directory() (bool, error) {
	switch a.ev.Name {
	case "CreateUser":
		id, err := a.first("responseElements.user.userId", "responseElements.user.id", "responseElements.userId")
		if err != nil {
			return false, err
		}
		return a.createUser(id, "requestParameters.userName", "requestParameters.displayName", "requestParameters.emails.0.value", "")
	case "DeleteUser":
		return a.deleteUser("requestParameters.userId")
	case "CreateGroup":
		id, err := a.first("responseElements.group.groupId", "responseElements.groupId")
		if err != nil {
			return false, err
		}
		return a.createGroup(id, "requestParameters.displayName", "requestParameters.description", "")
	case "DeleteGroup":
		return a.deleteGroup("requestParameters.groupId")
	case "AddMemberToGroup", "RemoveMemberFromGroup":
		g, err := a.req("requestParameters.groupId")
		if err != nil {
			return false, err
		}
		u, err := a.req("requestParameters.member.memberId")
		if err != nil {
			return false, err
		}
		if a.ev.Name == "AddMemberToGroup" {
			return a.m.addMember(g, u, "", a.src), nil
		}
		return a.m.removeMember(g, u), nil
	}
	return false, nil
}

func (a *applier) scim() (bool, error) {
	const body = "requestParameters.httpBody."
	switch a.ev.Name {
	case "CreateUser":
		id, err := a.req("responseElements.id")
		if err != nil {
			return false, err
		}
		return a.createUser(id, body+"userName", body+"displayName", body+"emails.0.value", body+"externalId")
	case "CreateGroup":
		id, err := a.req("responseElements.id")
		if err != nil {
			return false, err
		}
		return a.createGroup(id, body+"displayName", "", body+"externalId")
	case "DeleteUser":
		return a.deleteUser("requestParameters.userId", "requestParameters.id")
	case "DeleteGroup":
		return a.deleteGroup("requestParameters.groupId", "requestParameters.id")
	case "PatchGroup":
		return a.patchGroup()
	}
	return false, nil
}

func (a *applier) organizations() (bool, error) {
	if a.ev.Name != "RegisterDelegatedAdministrator" && a.ev.Name != "DeregisterDelegatedAdministrator" {
		return false, nil
	}
	sp, err := a.req("requestParameters.servicePrincipal")
	if err != nil || sp != "sso.amazonaws.com" {
		return false, err
	}
	acct, err := a.req("requestParameters.accountId")
	if err != nil {
		return false, err
	}
	// After either call the delegated admin is known, whatever the source
	// could show before.
	learned := !a.m.Knows(FactDelegatedAdmin)
	a.m.LearnFact(FactDelegatedAdmin)
	if a.ev.Name == "DeregisterDelegatedAdministrator" {
		if a.m.DelegatedAdminID != acct {
			return learned, nil
		}
		a.m.DelegatedAdminID = ""
		a.m.touch(FactMeta, "")
		if ac, ok := a.m.Accounts[acct]; ok {
			ac.DelegatedAdmin = false
			ac.Source = a.src
			a.m.touch(FactAccount, acct)
		}
		return true, nil
	}
	if old, ok := a.m.Accounts[a.m.DelegatedAdminID]; ok && a.m.DelegatedAdminID != acct {
		old.DelegatedAdmin = false // Identity Center has one delegated admin
		a.m.touch(FactAccount, old.ID)
	}
	ac, ok := a.m.Accounts[acct]
	if !ok {
		ac = &Account{ID: acct}
		a.m.Accounts[acct] = ac
	}
	changed := learned || a.m.DelegatedAdminID != acct || !ac.DelegatedAdmin
	a.m.DelegatedAdminID = acct
	ac.DelegatedAdmin = true
	ac.Source = a.src
	a.m.touch(FactMeta, "")
	a.m.touch(FactAccount, acct)
	return changed, nil
}

// known reports whether a name from an event may overwrite what the model
// holds: redacted and empty values never do.
func known(s string) bool { return s != "" && s != cloudtrail.Hidden }

func (a *applier) createUser(id, userNamePath, displayPath, emailPath, externalPath string) (bool, error) {
	var vals [4]string
	for i, p := range []string{userNamePath, displayPath, emailPath, externalPath} {
		if p == "" {
			continue
		}
		s, err := a.opt(p)
		if err != nil {
			return false, err
		}
		vals[i] = s
	}
	ix := a.m.index()
	u, ok := a.m.Users[id]
	if ok {
		ix.dropUser(u)
	} else {
		u = &User{ID: id}
		a.m.Users[id] = u
	}
	for i, dst := range []*string{&u.UserName, &u.DisplayName, &u.Email, &u.ExternalID} {
		if known(vals[i]) {
			*dst = vals[i]
		}
	}
	u.Source = a.src
	ix.addUser(u)
	a.m.touch(FactUser, id)
	return true, nil
}

func (a *applier) createGroup(id, displayPath, descPath, externalPath string) (bool, error) {
	var vals [3]string
	for i, p := range []string{displayPath, descPath, externalPath} {
		if p == "" {
			continue
		}
		s, err := a.opt(p)
		if err != nil {
			return false, err
		}
		vals[i] = s
	}
	ix := a.m.index()
	g, ok := a.m.Groups[id]
	if ok {
		ix.dropGroup(g)
	} else {
		g = &Group{ID: id}
		a.m.Groups[id] = g
	}
	for i, dst := range []*string{&g.DisplayName, &g.Description, &g.ExternalID} {
		if known(vals[i]) {
			*dst = vals[i]
		}
	}
	g.Source = a.src
	ix.addGroup(g)
	a.m.touch(FactGroup, id)
	return true, nil
}

// updateOps applies identitystore UpdateUser/UpdateGroup operations
// ([{attributePath, attributeValue}]) to the names the model keeps.
func (a *applier) updateOps(idPath string, user bool) (bool, error) {
	id, err := a.req(idPath)
	if err != nil {
		return false, err
	}
	v, _ := a.ev.Get("requestParameters.operations")
	ops, ok := v.([]any)
	if !ok {
		return false, a.fail("requestParameters.operations", "want a list, got %T", v)
	}
	ix := a.m.index()
	changed := false
	for i, o := range ops {
		op, ok := o.(map[string]any)
		if !ok {
			return false, a.fail(fmt.Sprintf("requestParameters.operations.%d", i), "want an object, got %T", o)
		}
		path, _ := op["attributePath"].(string)
		val, _ := op["attributeValue"].(string)
		if !known(val) {
			continue
		}
		if user {
			u, ok := a.m.Users[id]
			if !ok {
				u = &User{ID: id}
				a.m.Users[id] = u
			}
			ix.dropUser(u)
			switch strings.ToLower(path) {
			case "username":
				u.UserName, changed = val, true
			case "displayname":
				u.DisplayName, changed = val, true
			}
			u.Source = a.src
			ix.addUser(u)
			a.m.touch(FactUser, id)
			continue
		}
		g, ok := a.m.Groups[id]
		if !ok {
			g = &Group{ID: id}
			a.m.Groups[id] = g
		}
		ix.dropGroup(g)
		switch strings.ToLower(path) {
		case "displayname":
			g.DisplayName, changed = val, true
		case "description":
			g.Description, changed = val, true
		}
		g.Source = a.src
		ix.addGroup(g)
		a.m.touch(FactGroup, id)
	}
	return changed, nil
}

// deleteUser removes the user, its memberships and its direct assignments:
// the model holds effective state, and a deleted user reaches nothing.
func (a *applier) deleteUser(paths ...string) (bool, error) {
	id, err := a.first(paths...)
	if err != nil {
		return false, err
	}
	changed := false
	if u, ok := a.m.Users[id]; ok {
		a.m.index().dropUser(u)
		delete(a.m.Users, id)
		a.m.touch(FactUser, id)
		changed = true
	}
	for g := range a.m.Memberships {
		if a.m.removeMember(g, id) {
			changed = true
		}
	}
	n := a.m.removeAssignments(func(x Assignment) bool { return x.PrincipalType == "USER" && x.PrincipalID == id })
	return changed || n > 0, nil
}

func (a *applier) deleteGroup(paths ...string) (bool, error) {
	id, err := a.first(paths...)
	if err != nil {
		return false, err
	}
	changed := false
	ix := a.m.index()
	if g, ok := a.m.Groups[id]; ok {
		ix.dropGroup(g)
		delete(a.m.Groups, id)
		a.m.touch(FactGroup, id)
		changed = true
	}
	if ms, ok := a.m.Memberships[id]; ok {
		for _, mb := range ms {
			delete(ix.membership, mb.MembershipID)
			a.m.touch(FactMember, memberKey(id, mb.UserID))
		}
		delete(a.m.Memberships, id)
		changed = true
	}
	n := a.m.removeAssignments(func(x Assignment) bool { return x.PrincipalType == "GROUP" && x.PrincipalID == id })
	return changed || n > 0, nil
}

func (m *Model) addMember(group, user, membershipID string, src Source) bool {
	ix := m.index()
	ms := m.Memberships[group]
	if i := slices.IndexFunc(ms, func(x Membership) bool { return x.UserID == user }); i >= 0 {
		if membershipID != "" && ms[i].MembershipID == "" {
			ms[i].MembershipID = membershipID
			ix.membership[membershipID] = memberRef{group, user}
			m.touch(FactMember, memberKey(group, user))
		}
		return false
	}
	m.Memberships[group] = append(ms, Membership{UserID: user, MembershipID: membershipID, Source: src})
	m.touch(FactMember, memberKey(group, user))
	if membershipID != "" {
		ix.membership[membershipID] = memberRef{group, user}
	}
	return true
}

func (m *Model) removeMember(group, user string) bool {
	ms := m.Memberships[group]
	i := slices.IndexFunc(ms, func(x Membership) bool { return x.UserID == user })
	if i < 0 {
		return false
	}
	if id := ms[i].MembershipID; id != "" {
		delete(m.index().membership, id)
	}
	ms = slices.Delete(ms, i, i+1)
	m.touch(FactMember, memberKey(group, user))
	if len(ms) == 0 {
		delete(m.Memberships, group)
	} else {
		m.Memberships[group] = ms
	}
	return true
}
