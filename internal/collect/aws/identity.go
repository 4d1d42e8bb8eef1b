package awscollect

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	storetypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// identityResult is what the identity-store phase read.
type identityResult struct {
	users       map[string]*idc.User
	groups      map[string]*idc.Group
	memberships map[string][]idc.Membership
}

func (r identityResult) fill(m *idc.Model) {
	for id, u := range r.users {
		m.Users[id] = u
	}
	for id, g := range r.groups {
		m.Groups[id] = g
	}
	for id, ms := range r.memberships {
		m.Memberships[id] = ms
	}
}

func (c *collector) identities(ctx context.Context) (identityResult, error) {
	r := identityResult{users: map[string]*idc.User{}, groups: map[string]*idc.Group{}, memberships: map[string][]idc.Membership{}}
	st := c.cl.IdentityStore
	store := aws.String(c.store)

	users := identitystore.NewListUsersPaginator(st, &identitystore.ListUsersInput{IdentityStoreId: store},
		func(o *identitystore.ListUsersPaginatorOptions) { o.Limit = storePage })
	err := drain(ctx, c, users, func(out *identitystore.ListUsersOutput) {
		for _, u := range out.Users {
			r.users[aws.ToString(u.UserId)] = &idc.User{
				ID: aws.ToString(u.UserId), UserName: aws.ToString(u.UserName), DisplayName: aws.ToString(u.DisplayName),
				Email: primaryEmail(u.Emails), ExternalID: externalID(u.ExternalIds), Source: "aws:ListUsers",
			}
		}
	})
	if err != nil {
		if err := c.lost(ctx, "identitystore:ListUsers store "+c.store, err); err != nil {
			return r, err
		}
	}

	groups := identitystore.NewListGroupsPaginator(st, &identitystore.ListGroupsInput{IdentityStoreId: store},
		func(o *identitystore.ListGroupsPaginatorOptions) { o.Limit = storePage })
	err = drain(ctx, c, groups, func(out *identitystore.ListGroupsOutput) {
		for _, g := range out.Groups {
			r.groups[aws.ToString(g.GroupId)] = &idc.Group{
				ID: aws.ToString(g.GroupId), DisplayName: aws.ToString(g.DisplayName), Description: aws.ToString(g.Description),
				ExternalID: externalID(g.ExternalIds), Source: "aws:ListGroups",
			}
		}
	})
	if err != nil {
		// Without the groups there is no membership to ask for.
		return r, c.lost(ctx, "identitystore:ListGroups store "+c.store+" (groups and memberships unknown)", err)
	}

	ids := make([]string, 0, len(r.groups))
	for id := range r.groups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	members := make([][]idc.Membership, len(ids))
	gone := make([]bool, len(ids))
	g, gctx := newGroup(ctx, c.o.Concurrency)
	for i, gid := range ids {
		g.Go(func() error {
			p := identitystore.NewListGroupMembershipsPaginator(st, &identitystore.ListGroupMembershipsInput{IdentityStoreId: store, GroupId: aws.String(gid)},
				func(o *identitystore.ListGroupMembershipsPaginatorOptions) { o.Limit = storePage })
			err := drain(gctx, c, p, func(out *identitystore.ListGroupMembershipsOutput) {
				for _, ms := range out.GroupMemberships {
					// Members are users; a union member of another kind is skipped.
					if u, ok := ms.MemberId.(*storetypes.MemberIdMemberUserId); ok {
						members[i] = append(members[i], idc.Membership{UserID: u.Value, MembershipID: aws.ToString(ms.MembershipId), Source: "aws:ListGroupMemberships"})
					}
				}
			})
			switch {
			case errorCode(err) == "ResourceNotFoundException":
				// Deleted since ListGroups: the snapshot is of a moment later.
				c.o.Logf("group %s deleted during the snapshot; left out", gid)
				gone[i] = true
			case err != nil:
				return c.lost(gctx, "identitystore:ListGroupMemberships group "+gid, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return r, err
	}
	for i, gid := range ids {
		if gone[i] {
			delete(r.groups, gid)
			continue
		}
		if len(members[i]) > 0 {
			slices.SortFunc(members[i], func(a, b idc.Membership) int { return strings.Compare(a.UserID, b.UserID) })
			r.memberships[gid] = members[i]
		}
	}
	return r, nil
}

func primaryEmail(es []storetypes.Email) string {
	for _, e := range es {
		if e.Primary {
			return aws.ToString(e.Value)
		}
	}
	if len(es) > 0 {
		return aws.ToString(es[0].Value)
	}
	return ""
}

func externalID(ids []storetypes.ExternalId) string {
	if len(ids) > 0 {
		return aws.ToString(ids[0].Id)
	}
	return ""
}
