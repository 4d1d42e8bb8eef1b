package awsfake

import (
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// ssoReq holds the request members the sso-admin operations use; JSON
// member names are the API's (PascalCase).
type ssoReq struct {
	InstanceArn        string
	PermissionSetArn   string
	AccountId          string
	ProvisioningStatus string
	ResourceArn        string
	MaxResults         *int32
	NextToken          *string
}

const ssoMax = 100 // sso-admin pages hold at most 100

func (s *Server) instance(arn string) *apiError {
	if arn == "" {
		return invalid(SSOAdmin, "InstanceArn is required")
	}
	if arn != s.st.m.InstanceARN {
		return notFound("Instance " + arn + " not found")
	}
	return nil
}

func (s *Server) permissionSet(instanceARN, arn string) (*idc.PermissionSet, *apiError) {
	if aerr := s.instance(instanceARN); aerr != nil {
		return nil, aerr
	}
	if arn == "" {
		return nil, invalid(SSOAdmin, "PermissionSetArn is required")
	}
	ps := s.st.m.PermissionSets[arn]
	if ps == nil {
		return nil, notFound("PermissionSet " + arn + " not found")
	}
	return ps, nil
}

type instanceMetadata struct {
	InstanceArn      string
	IdentityStoreId  string
	IdentityStoreArn string `json:",omitempty"`
	OwnerAccountId   string `json:",omitempty"`
	Name             string `json:",omitempty"`
	Status           string
	CreatedDate      float64 `json:",omitempty"`
}

func (s *Server) listInstances(in *ssoReq) (any, *apiError) {
	m := s.st.m
	inst := []instanceMetadata{{
		InstanceArn:     m.InstanceARN,
		IdentityStoreId: m.IdentityStoreID,
		OwnerAccountId:  m.ManagementAccountID,
		Status:          "ACTIVE",
		CreatedDate:     epoch(s.st.created),
	}}
	items, next, aerr := pageOf(s, SSOAdmin, "ListInstances", "", inst, in.MaxResults, ssoMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Instances []instanceMetadata
		NextToken *string `json:",omitempty"`
	}{items, next}, nil
}

func (s *Server) listPermissionSets(in *ssoReq) (any, *apiError) {
	if aerr := s.instance(in.InstanceArn); aerr != nil {
		return nil, aerr
	}
	items, next, aerr := pageOf(s, SSOAdmin, "ListPermissionSets", in.InstanceArn, slices.Sorted(maps.Keys(s.st.m.PermissionSets)), in.MaxResults, ssoMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		PermissionSets []string
		NextToken      *string `json:",omitempty"`
	}{items, next}, nil
}

type permissionSetOut struct {
	Name             string
	PermissionSetArn string
	Description      string  `json:",omitempty"`
	CreatedDate      float64 `json:",omitempty"`
	SessionDuration  string
	RelayState       string `json:",omitempty"`
}

func (s *Server) describePermissionSet(in *ssoReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	dur := ps.SessionDuration
	if dur == "" {
		dur = "PT1H" // AWS always answers the effective duration
	}
	return struct{ PermissionSet permissionSetOut }{permissionSetOut{
		Name: ps.Name, PermissionSetArn: ps.ARN, Description: ps.Description,
		CreatedDate: epoch(ps.CreatedAt), SessionDuration: dur, RelayState: ps.RelayState,
	}}, nil
}

type attachedManagedPolicy struct{ Name, Arn string }

func (s *Server) listManagedPolicies(in *ssoReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	all := make([]attachedManagedPolicy, 0, len(ps.ManagedPolicies))
	for _, arn := range ps.ManagedPolicies {
		all = append(all, attachedManagedPolicy{Name: path.Base(arn), Arn: arn})
	}
	items, next, aerr := pageOf(s, SSOAdmin, "ListManagedPoliciesInPermissionSet", ps.ARN, all, in.MaxResults, ssoMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		AttachedManagedPolicies []attachedManagedPolicy
		NextToken               *string `json:",omitempty"`
	}{items, next}, nil
}

type policyRef struct{ Name, Path string }

func ref(p idc.PolicyRef) policyRef {
	if p.Path == "" {
		p.Path = "/" // the API default, and what AWS answers
	}
	return policyRef{Name: p.Name, Path: p.Path}
}

func (s *Server) listCustomerManagedPolicies(in *ssoReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	all := make([]policyRef, 0, len(ps.CustomerManagedPolicies))
	for _, p := range ps.CustomerManagedPolicies {
		all = append(all, ref(p))
	}
	items, next, aerr := pageOf(s, SSOAdmin, "ListCustomerManagedPolicyReferencesInPermissionSet", ps.ARN, all, in.MaxResults, ssoMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		CustomerManagedPolicyReferences []policyRef
		NextToken                       *string `json:",omitempty"`
	}{items, next}, nil
}

func (s *Server) getInlinePolicy(in *ssoReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	return struct{ InlinePolicy string }{ps.InlinePolicy}, nil
}

// getPermissionsBoundary answers ResourceNotFoundException when the
// permission set has no boundary, as AWS does.
func (s *Server) getPermissionsBoundary(in *ssoReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	b := ps.PermissionsBoundary
	if b == nil {
		return nil, notFound("Could not find PermissionsBoundary for PermissionSet " + ps.ARN)
	}
	type boundary struct {
		CustomerManagedPolicyReference *policyRef `json:",omitempty"`
		ManagedPolicyArn               string     `json:",omitempty"`
	}
	out := boundary{ManagedPolicyArn: b.ManagedPolicyARN}
	if b.ManagedPolicyARN == "" {
		r := ref(*b)
		out.CustomerManagedPolicyReference = &r
	}
	return struct{ PermissionsBoundary boundary }{out}, nil
}

type tag struct{ Key, Value string }

func (s *Server) listTags(in *ssoReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.ResourceArn)
	if aerr != nil {
		return nil, aerr
	}
	keys := slices.Sorted(maps.Keys(ps.Tags))
	all := make([]tag, 0, len(keys))
	for _, k := range keys {
		all = append(all, tag{Key: k, Value: ps.Tags[k]})
	}
	items, next, aerr := pageOf(s, SSOAdmin, "ListTagsForResource", ps.ARN, all, nil, ssoMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Tags      []tag
		NextToken *string `json:",omitempty"`
	}{items, next}, nil
}

func (s *Server) listProvisionedAccounts(in *ssoReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	want := in.ProvisioningStatus
	if want != "" && want != "LATEST_PERMISSION_SET_PROVISIONED" && want != "LATEST_PERMISSION_SET_NOT_PROVISIONED" {
		return nil, invalid(SSOAdmin, "invalid ProvisioningStatus "+want)
	}
	var ids []string
	for _, a := range ps.ProvisionedTo {
		stale := s.st.stale[ps.ARN][a]
		if want == "" || (want == "LATEST_PERMISSION_SET_NOT_PROVISIONED") == stale {
			ids = append(ids, a)
		}
	}
	items, next, aerr := pageOf(s, SSOAdmin, "ListAccountsForProvisionedPermissionSet", ps.ARN+"|"+in.ProvisioningStatus, ids, in.MaxResults, ssoMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		AccountIds []string
		NextToken  *string `json:",omitempty"`
	}{items, next}, nil
}

type accountAssignment struct {
	AccountId, PermissionSetArn, PrincipalType, PrincipalId string
}

func (s *Server) listAccountAssignments(in *ssoReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	if in.AccountId == "" {
		return nil, invalid(SSOAdmin, "AccountId is required")
	}
	var all []accountAssignment
	for _, a := range s.st.m.Assignments {
		if a.PermissionSetARN == ps.ARN && a.AccountID == in.AccountId {
			all = append(all, accountAssignment{a.AccountID, a.PermissionSetARN, a.PrincipalType, a.PrincipalID})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		return all[i].PrincipalType+all[i].PrincipalId < all[j].PrincipalType+all[j].PrincipalId
	})
	items, next, aerr := pageOf(s, SSOAdmin, "ListAccountAssignments", ps.ARN+"|"+in.AccountId, all, in.MaxResults, ssoMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		AccountAssignments []accountAssignment
		NextToken          *string `json:",omitempty"`
	}{items, next}, nil
}

// psARN builds a permission set ARN under the instance (used by tests and
// the sample model).
func psARN(instanceARN, id string) string {
	return strings.Replace(instanceARN, ":instance/", ":permissionSet/", 1) + "/" + id
}
