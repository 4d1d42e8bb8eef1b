package awsfake

import (
	"maps"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

type storeReq struct {
	IdentityStoreId string
	GroupId         string
	MembershipId    string
	MemberId        *memberID // GetGroupMembershipId: a union, only UserId exists
	MaxResults      *int32
	NextToken       *string
}

const storeMax = 100

func (s *Server) store(id string) *apiError {
	if id == "" {
		return invalid(IdentityStore, "IdentityStoreId is required")
	}
	if id != s.st.m.IdentityStoreID {
		return notFound("IdentityStore " + id + " not found")
	}
	return nil
}

type externalID struct{ Issuer, Id string }

type email struct {
	Value   string
	Type    string
	Primary bool
}

type userOut struct {
	IdentityStoreId string
	UserId          string
	UserName        string       `json:",omitempty"`
	DisplayName     string       `json:",omitempty"`
	Emails          []email      `json:",omitempty"`
	ExternalIds     []externalID `json:",omitempty"`
}

// scimIssuer is the issuer AWS records for SCIM-provisioned identities.
const scimIssuer = "https://scim.aws.com/"

func externalIDs(id string) []externalID {
	if id == "" {
		return nil
	}
	return []externalID{{Issuer: scimIssuer, Id: id}}
}

func (s *Server) listUsers(in *storeReq) (any, *apiError) {
	if aerr := s.store(in.IdentityStoreId); aerr != nil {
		return nil, aerr
	}
	var all []userOut
	for _, id := range slices.Sorted(maps.Keys(s.st.m.Users)) {
		u := s.st.m.Users[id]
		out := userOut{IdentityStoreId: s.st.m.IdentityStoreID, UserId: u.ID, UserName: u.UserName,
			DisplayName: u.DisplayName, ExternalIds: externalIDs(u.ExternalID)}
		if u.Email != "" {
			out.Emails = []email{{Value: u.Email, Type: "work", Primary: true}}
		}
		all = append(all, out)
	}
	items, next, aerr := pageOf(s, IdentityStore, "ListUsers", in.IdentityStoreId, all, in.MaxResults, storeMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Users     []userOut
		NextToken *string `json:",omitempty"`
	}{items, next}, nil
}

type groupOut struct {
	IdentityStoreId string
	GroupId         string
	DisplayName     string       `json:",omitempty"`
	Description     string       `json:",omitempty"`
	ExternalIds     []externalID `json:",omitempty"`
}

func (s *Server) listGroups(in *storeReq) (any, *apiError) {
	if aerr := s.store(in.IdentityStoreId); aerr != nil {
		return nil, aerr
	}
	var all []groupOut
	for _, id := range slices.Sorted(maps.Keys(s.st.m.Groups)) {
		g := s.st.m.Groups[id]
		all = append(all, groupOut{IdentityStoreId: s.st.m.IdentityStoreID, GroupId: g.ID,
			DisplayName: g.DisplayName, Description: g.Description, ExternalIds: externalIDs(g.ExternalID)})
	}
	items, next, aerr := pageOf(s, IdentityStore, "ListGroups", in.IdentityStoreId, all, in.MaxResults, storeMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Groups    []groupOut
		NextToken *string `json:",omitempty"`
	}{items, next}, nil
}

type membershipOut struct {
	IdentityStoreId string
	MembershipId    string
	GroupId         string
	MemberId        struct{ UserId string }
}

func (s *Server) listGroupMemberships(in *storeReq) (any, *apiError) {
	if aerr := s.store(in.IdentityStoreId); aerr != nil {
		return nil, aerr
	}
	if s.st.m.Groups[in.GroupId] == nil {
		return nil, notFound("Group " + in.GroupId + " not found")
	}
	ms := slices.Clone(s.st.m.Memberships[in.GroupId])
	slices.SortFunc(ms, func(a, b idc.Membership) int { return strings.Compare(a.MembershipID, b.MembershipID) })
	all := make([]membershipOut, 0, len(ms))
	for _, m := range ms {
		out := membershipOut{IdentityStoreId: s.st.m.IdentityStoreID, MembershipId: m.MembershipID, GroupId: in.GroupId}
		out.MemberId.UserId = m.UserID
		all = append(all, out)
	}
	items, next, aerr := pageOf(s, IdentityStore, "ListGroupMemberships", in.GroupId, all, in.MaxResults, storeMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		GroupMemberships []membershipOut
		NextToken        *string `json:",omitempty"`
	}{items, next}, nil
}

func (s *Server) deleteGroupMembership(in *storeReq) (any, *apiError) {
	if aerr := s.store(in.IdentityStoreId); aerr != nil {
		return nil, aerr
	}
	for g, ms := range s.st.m.Memberships {
		i := slices.IndexFunc(ms, func(m idc.Membership) bool { return m.MembershipID == in.MembershipId })
		if i >= 0 {
			s.st.m.Memberships[g] = slices.Delete(ms, i, i+1)
			return struct{}{}, nil
		}
	}
	return nil, notFound("Membership " + in.MembershipId + " not found")
}

type memberID struct{ UserId string }

// getGroupMembershipId finds the membership of a user in a group: the id
// DeleteGroupMembership needs, which snapshots built from events lack.
func (s *Server) getGroupMembershipId(in *storeReq) (any, *apiError) {
	if aerr := s.store(in.IdentityStoreId); aerr != nil {
		return nil, aerr
	}
	if in.GroupId == "" || in.MemberId == nil || in.MemberId.UserId == "" {
		return nil, invalid(IdentityStore, "GroupId and MemberId.UserId are required")
	}
	if s.st.m.Groups[in.GroupId] == nil {
		return nil, notFound("Group " + in.GroupId + " not found")
	}
	for _, m := range s.st.m.Memberships[in.GroupId] {
		if m.UserID == in.MemberId.UserId {
			return struct{ MembershipId, IdentityStoreId string }{m.MembershipID, s.st.m.IdentityStoreID}, nil
		}
	}
	return nil, notFound("Member " + in.MemberId.UserId + " is not in group " + in.GroupId)
}
