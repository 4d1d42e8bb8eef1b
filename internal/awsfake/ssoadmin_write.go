package awsfake

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// asyncRequest is an accepted asynchronous request (assignment creation or
// deletion, provisioning). Its effect is applied on acceptance; Describe
// reports IN_PROGRESS for the server's AsyncPending count, then the outcome.
type asyncRequest struct {
	kind    string // create | delete | provision
	pending int
	assign  assignmentStatus
	prov    provisioningStatus
}

type assignmentStatus struct {
	Status           string
	RequestId        string
	FailureReason    string `json:",omitempty"`
	TargetId         string
	TargetType       string
	PermissionSetArn string
	PrincipalType    string
	PrincipalId      string
	CreatedDate      float64 `json:",omitempty"`
}

type provisioningStatus struct {
	Status           string
	RequestId        string
	AccountId        string `json:",omitempty"`
	PermissionSetArn string
	FailureReason    string  `json:",omitempty"`
	CreatedDate      float64 `json:",omitempty"`
}

type ssoWriteReq struct {
	InstanceArn, PermissionSetArn      string
	TargetId, TargetType               string
	PrincipalType, PrincipalId         string
	InlinePolicy, ManagedPolicyArn     string
	Description, SessionDuration       *string
	RelayState                         *string
	AccountAssignmentCreationRequestId string
	AccountAssignmentDeletionRequestId string
	ProvisionPermissionSetRequestId    string
}

func (s *Server) assignmentRequest(in *ssoWriteReq) (*idc.PermissionSet, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	if in.TargetType != "AWS_ACCOUNT" || in.TargetId == "" {
		return nil, invalid(SSOAdmin, "TargetType must be AWS_ACCOUNT with a TargetId")
	}
	if len(s.st.m.Accounts) > 0 && s.st.m.Accounts[in.TargetId] == nil {
		return nil, invalid(SSOAdmin, "TargetId "+in.TargetId+" is not an account of the organization")
	}
	switch in.PrincipalType {
	case "USER":
		if s.st.m.Users[in.PrincipalId] == nil {
			return nil, notFound("User " + in.PrincipalId + " not found")
		}
	case "GROUP":
		if s.st.m.Groups[in.PrincipalId] == nil {
			return nil, notFound("Group " + in.PrincipalId + " not found")
		}
	default:
		return nil, invalid(SSOAdmin, "PrincipalType must be USER or GROUP")
	}
	return ps, nil
}

func (s *Server) accept(kind string, st assignmentStatus, failure string) assignmentStatus {
	st.RequestId = s.st.uuid()
	st.CreatedDate = epoch(time.Now())
	final := st
	final.Status, final.FailureReason = "SUCCEEDED", failure
	if failure != "" {
		final.Status = "FAILED"
	}
	s.st.requests[st.RequestId] = &asyncRequest{kind: kind, pending: s.asyncPending, assign: final}
	st.Status = "IN_PROGRESS"
	return st
}

func statusOf(in *ssoWriteReq) assignmentStatus {
	return assignmentStatus{TargetId: in.TargetId, TargetType: in.TargetType, PermissionSetArn: in.PermissionSetArn,
		PrincipalType: in.PrincipalType, PrincipalId: in.PrincipalId}
}

// createAccountAssignment is idempotent and provisions the permission set
// to the account, as AWS does.
func (s *Server) createAccountAssignment(in *ssoWriteReq) (any, *apiError) {
	ps, aerr := s.assignmentRequest(in)
	if aerr != nil {
		return nil, aerr
	}
	a := idc.Assignment{AccountID: in.TargetId, PermissionSetARN: ps.ARN, PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalId}
	if !slices.ContainsFunc(s.st.m.Assignments, func(b idc.Assignment) bool { return b.Key() == a.Key() }) {
		s.st.m.Assignments = append(s.st.m.Assignments, a)
	}
	if !slices.Contains(ps.ProvisionedTo, a.AccountID) {
		ps.ProvisionedTo = append(ps.ProvisionedTo, a.AccountID)
		slices.Sort(ps.ProvisionedTo)
	}
	return struct{ AccountAssignmentCreationStatus assignmentStatus }{s.accept("create", statusOf(in), "")}, nil
}

// deleteAccountAssignment accepts the request even when there is nothing
// to delete; the failure shows in the deletion status.
func (s *Server) deleteAccountAssignment(in *ssoWriteReq) (any, *apiError) {
	ps, aerr := s.assignmentRequest(in)
	if aerr != nil {
		return nil, aerr
	}
	key := idc.Assignment{AccountID: in.TargetId, PermissionSetARN: ps.ARN, PrincipalType: in.PrincipalType, PrincipalID: in.PrincipalId}.Key()
	n := len(s.st.m.Assignments)
	s.st.m.Assignments = slices.DeleteFunc(s.st.m.Assignments, func(b idc.Assignment) bool { return b.Key() == key })
	failure := ""
	if len(s.st.m.Assignments) == n {
		failure = "The specified account assignment does not exist"
	}
	return struct{ AccountAssignmentDeletionStatus assignmentStatus }{s.accept("delete", statusOf(in), failure)}, nil
}

// request finds an async request and advances its IN_PROGRESS countdown.
func (s *Server) request(instanceARN, id, kind string) (*asyncRequest, bool, *apiError) {
	if aerr := s.instance(instanceARN); aerr != nil {
		return nil, false, aerr
	}
	r := s.st.requests[id]
	if r == nil || r.kind != kind {
		return nil, false, notFound("request " + id + " not found")
	}
	if r.pending > 0 {
		r.pending--
		return r, true, nil
	}
	return r, false, nil
}

func (s *Server) describeAssignment(instanceARN, id, kind string) (assignmentStatus, *apiError) {
	r, pending, aerr := s.request(instanceARN, id, kind)
	if aerr != nil {
		return assignmentStatus{}, aerr
	}
	out := r.assign
	if pending {
		out.Status, out.FailureReason = "IN_PROGRESS", ""
	}
	return out, nil
}

func (s *Server) describeAssignmentCreation(in *ssoWriteReq) (any, *apiError) {
	st, aerr := s.describeAssignment(in.InstanceArn, in.AccountAssignmentCreationRequestId, "create")
	if aerr != nil {
		return nil, aerr
	}
	return struct{ AccountAssignmentCreationStatus assignmentStatus }{st}, nil
}

func (s *Server) describeAssignmentDeletion(in *ssoWriteReq) (any, *apiError) {
	st, aerr := s.describeAssignment(in.InstanceArn, in.AccountAssignmentDeletionRequestId, "delete")
	if aerr != nil {
		return nil, aerr
	}
	return struct{ AccountAssignmentDeletionStatus assignmentStatus }{st}, nil
}

func (s *Server) provisionPermissionSet(in *ssoWriteReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	st := provisioningStatus{RequestId: s.st.uuid(), PermissionSetArn: ps.ARN, CreatedDate: epoch(time.Now())}
	switch in.TargetType {
	case "AWS_ACCOUNT":
		if in.TargetId == "" {
			return nil, invalid(SSOAdmin, "TargetId is required for AWS_ACCOUNT")
		}
		if !slices.Contains(ps.ProvisionedTo, in.TargetId) {
			ps.ProvisionedTo = append(ps.ProvisionedTo, in.TargetId)
			slices.Sort(ps.ProvisionedTo)
		}
		delete(s.st.stale[ps.ARN], in.TargetId)
		st.AccountId = in.TargetId
	case "ALL_PROVISIONED_ACCOUNTS":
		delete(s.st.stale, ps.ARN)
	default:
		return nil, invalid(SSOAdmin, "TargetType must be AWS_ACCOUNT or ALL_PROVISIONED_ACCOUNTS")
	}
	final := st
	final.Status = "SUCCEEDED"
	s.st.requests[st.RequestId] = &asyncRequest{kind: "provision", pending: s.asyncPending, prov: final}
	st.Status = "IN_PROGRESS"
	return struct{ PermissionSetProvisioningStatus provisioningStatus }{st}, nil
}

func (s *Server) describeProvisioning(in *ssoWriteReq) (any, *apiError) {
	r, pending, aerr := s.request(in.InstanceArn, in.ProvisionPermissionSetRequestId, "provision")
	if aerr != nil {
		return nil, aerr
	}
	out := r.prov
	if pending {
		out.Status = "IN_PROGRESS"
	}
	return struct{ PermissionSetProvisioningStatus provisioningStatus }{out}, nil
}

func (s *Server) putInlinePolicy(in *ssoWriteReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	if !json.Valid([]byte(in.InlinePolicy)) {
		return nil, invalid(SSOAdmin, "The inline policy is not valid JSON")
	}
	ps.InlinePolicy = in.InlinePolicy
	s.st.markStale(ps)
	return struct{}{}, nil
}

func (s *Server) detachManagedPolicy(in *ssoWriteReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	i := slices.Index(ps.ManagedPolicies, in.ManagedPolicyArn)
	if i < 0 {
		return nil, notFound("Managed policy " + in.ManagedPolicyArn + " is not attached to " + ps.ARN)
	}
	ps.ManagedPolicies = slices.Delete(ps.ManagedPolicies, i, i+1)
	s.st.markStale(ps)
	return struct{}{}, nil
}

var isoDuration = regexp.MustCompile(`^PT(?:(\d{1,2})H)?(?:(\d{1,3})M)?$`)

// validDuration accepts PT1H to PT12H, as the API does.
func validDuration(d string) bool {
	m := isoDuration.FindStringSubmatch(d)
	if m == nil || (m[1] == "" && m[2] == "") {
		return false
	}
	h, _ := strconv.Atoi(m[1])
	mins, _ := strconv.Atoi(m[2])
	total := h*60 + mins
	return total >= 60 && total <= 720
}

func (s *Server) updatePermissionSet(in *ssoWriteReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	if in.SessionDuration != nil && !validDuration(*in.SessionDuration) {
		return nil, invalid(SSOAdmin, "SessionDuration must be an ISO-8601 duration between PT1H and PT12H")
	}
	if in.Description != nil {
		ps.Description = *in.Description
	}
	if in.SessionDuration != nil {
		ps.SessionDuration = *in.SessionDuration
	}
	if in.RelayState != nil {
		ps.RelayState = *in.RelayState
	}
	s.st.markStale(ps)
	return struct{}{}, nil
}

// deletePermissionSet refuses while assignments still use the set.
func (s *Server) deletePermissionSet(in *ssoWriteReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	if slices.ContainsFunc(s.st.m.Assignments, func(a idc.Assignment) bool { return a.PermissionSetARN == ps.ARN }) {
		return nil, &apiError{code: "ConflictException", msg: "PermissionSet " + ps.ARN + " still has account assignments"}
	}
	delete(s.st.m.PermissionSets, ps.ARN)
	delete(s.st.stale, ps.ARN)
	return struct{}{}, nil
}
