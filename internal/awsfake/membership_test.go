package awsfake

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
)

func TestGetGroupMembershipId(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	store := identitystore.NewFromConfig(s.Config(), func(o *identitystore.Options) { o.RetryMaxAttempts = 1 })
	const admins = "34887428-4081-7042-c3c6-000000000a01"
	// The membership id to expect comes from the listing, not from here.
	list, err := store.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String("d-90670aa1b2"), GroupId: aws.String(admins)})
	if err != nil || len(list.GroupMemberships) == 0 {
		t.Fatalf("list memberships: %v %v", list, err)
	}
	first := list.GroupMemberships[0]
	member := first.MemberId.(*istypes.MemberIdMemberUserId).Value

	tests := []struct {
		name, store, group, user string
		wantID, wantCode         string
	}{
		{"member", "d-90670aa1b2", admins, member, aws.ToString(first.MembershipId), ""},
		{"not a member", "d-90670aa1b2", admins, "no-such-user", "", "ResourceNotFoundException"},
		{"unknown group", "d-90670aa1b2", "no-such-group", member, "", "ResourceNotFoundException"},
		{"unknown store", "d-0000000000", admins, member, "", "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := store.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{
				IdentityStoreId: aws.String(tt.store), GroupId: aws.String(tt.group),
				MemberId: &istypes.MemberIdMemberUserId{Value: tt.user}})
			if tt.wantCode != "" {
				if code(err) != tt.wantCode {
					t.Fatalf("error %v, want %s", err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.MembershipId) != tt.wantID || aws.ToString(out.IdentityStoreId) != tt.store {
				t.Errorf("got membership %q in %q, want %q in %q", aws.ToString(out.MembershipId), aws.ToString(out.IdentityStoreId), tt.wantID, tt.store)
			}
		})
	}

	// Removing the membership makes the lookup fail, as in AWS.
	if _, err := store.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String("d-90670aa1b2"), MembershipId: first.MembershipId}); err != nil {
		t.Fatal(err)
	}
	_, err = store.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: aws.String("d-90670aa1b2"),
		GroupId: aws.String(admins), MemberId: &istypes.MemberIdMemberUserId{Value: member}})
	if code(err) != "ResourceNotFoundException" {
		t.Errorf("after delete: %v", err)
	}
	if n := len(s.CallsTo("GetGroupMembershipId")); n != 5 {
		t.Errorf("server logged %d GetGroupMembershipId calls, want 5", n)
	}
}
