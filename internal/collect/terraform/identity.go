package terraform

import (
	"fmt"
	"slices"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

func (b *builder) store(a *attrs) error {
	id, err := a.str("identity_store_id")
	if err == nil && id != "" && b.m.IdentityStoreID == "" {
		b.m.IdentityStoreID = id
	}
	return err
}

// user (resource and data source): user_id, user_name, display_name,
// emails [{value, primary, type}], external_ids [{id, issuer}],
// identity_store_id.
func user(b *builder, a *attrs) error {
	if err := b.store(a); err != nil {
		return err
	}
	return userFrom(b, a, a.m, "")
}

func userFrom(b *builder, a *attrs, obj map[string]any, field string) error {
	sub := &attrs{file: a.file, addr: a.addr, m: obj, planned: a.planned}
	id, ok, err := sub.req("user_id")
	if err != nil || !ok {
		return prefixed(err, field)
	}
	u := &idc.User{ID: id, Source: a.src()}
	if u.UserName, err = sub.str("user_name"); err != nil {
		return prefixed(err, field)
	}
	if u.DisplayName, err = sub.str("display_name"); err != nil {
		return prefixed(err, field)
	}
	if u.Email, err = sub.firstOf("emails", "value"); err != nil {
		return prefixed(err, field)
	}
	if u.ExternalID, err = sub.firstOf("external_ids", "id"); err != nil {
		return prefixed(err, field)
	}
	b.m.Users[id] = u
	return nil
}

// prefixed keeps a nested reader's errors pointing at the list element.
func prefixed(err error, field string) error {
	if err == nil || field == "" {
		return err
	}
	return fmt.Errorf("%w (in %s)", err, field)
}

// users (data source): users [{user_id, user_name, display_name, …}].
func users(b *builder, a *attrs) error {
	objs, err := a.objects("users")
	if err != nil {
		return err
	}
	for i, o := range objs {
		if err := userFrom(b, a, o, fmt.Sprintf("users[%d]", i)); err != nil {
			return err
		}
	}
	return b.store(a)
}

// group (resource and data source): group_id, display_name, description,
// external_ids [{id, issuer}], identity_store_id.
func group(b *builder, a *attrs) error {
	if err := b.store(a); err != nil {
		return err
	}
	return groupFrom(b, a, a.m, "")
}

func groupFrom(b *builder, a *attrs, obj map[string]any, field string) error {
	sub := &attrs{file: a.file, addr: a.addr, m: obj, planned: a.planned}
	id, ok, err := sub.req("group_id")
	if err != nil || !ok {
		return prefixed(err, field)
	}
	g := &idc.Group{ID: id, Source: a.src()}
	if g.DisplayName, err = sub.str("display_name"); err != nil {
		return prefixed(err, field)
	}
	if g.Description, err = sub.str("description"); err != nil {
		return prefixed(err, field)
	}
	if g.ExternalID, err = sub.firstOf("external_ids", "id"); err != nil {
		return prefixed(err, field)
	}
	b.m.Groups[id] = g
	return nil
}

// groups (data source): groups [{group_id, display_name, …}].
func groups(b *builder, a *attrs) error {
	objs, err := a.objects("groups")
	if err != nil {
		return err
	}
	for i, o := range objs {
		if err := groupFrom(b, a, o, fmt.Sprintf("groups[%d]", i)); err != nil {
			return err
		}
	}
	return b.store(a)
}

func (b *builder) member(group, user, membershipID string, src idc.Source) {
	ms := b.m.Memberships[group]
	if slices.ContainsFunc(ms, func(x idc.Membership) bool { return x.UserID == user }) {
		return
	}
	b.m.Memberships[group] = append(ms, idc.Membership{UserID: user, MembershipID: membershipID, Source: src})
}

// membership: group_id, member_id (a user id), membership_id.
func membership(b *builder, a *attrs) error {
	g, ok, err := a.req("group_id")
	if err != nil || !ok {
		if err == nil {
			b.unknown(a, "group_id")
		}
		return err
	}
	u, ok, err := a.req("member_id")
	if err != nil || !ok {
		if err == nil {
			b.unknown(a, "member_id")
		}
		return err
	}
	mid, err := a.str("membership_id")
	if err != nil {
		return err
	}
	b.member(g, u, mid, a.src())
	return b.store(a)
}

// memberships (data source): group_id, group_memberships
// [{member_id [{user_id}], membership_id}].
func memberships(b *builder, a *attrs) error {
	g, ok, err := a.req("group_id")
	if err != nil || !ok {
		return err
	}
	objs, err := a.objects("group_memberships")
	if err != nil {
		return err
	}
	for i, o := range objs {
		field := fmt.Sprintf("group_memberships[%d]", i)
		ids, err := objectsIn(a, o, "member_id", field+".member_id")
		if err != nil {
			return err
		}
		mid, err := strIn(a, o, "membership_id", field+".membership_id")
		if err != nil {
			return err
		}
		for j, id := range ids {
			u, err := strIn(a, id, "user_id", fmt.Sprintf("%s.member_id[%d].user_id", field, j))
			if err != nil {
				return err
			}
			if u != "" {
				b.member(g, u, mid, a.src())
			}
		}
	}
	return nil
}
