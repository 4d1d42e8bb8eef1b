package awsfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

type orgReq struct {
	ParentId         string
	ChildId          string
	ServicePrincipal string
	PolicyId         string
	TargetId         string
	Filter           string
	Content          string
	Description      string
	Name             string
	Type             string
	MaxResults       *int32
	NextToken        *string
}

const orgMax = 20 // organizations pages hold at most 20

// inOrg fails like AWS when the seed has no management account.
func (s *Server) inOrg() *apiError {
	if s.st.m.ManagementAccountID == "" {
		return &apiError{code: "AWSOrganizationsNotInUseException", msg: "Your account is not a member of an organization."}
	}
	return nil
}

func (s *Server) orgARN(kind, id string) string {
	p, mgmt := s.st.partition, s.st.m.ManagementAccountID
	switch kind {
	case "organization":
		return fmt.Sprintf("arn:%s:organizations::%s:organization/%s", p, mgmt, s.st.orgID)
	case "root":
		return fmt.Sprintf("arn:%s:organizations::%s:root/%s/%s", p, mgmt, s.st.orgID, id)
	}
	return fmt.Sprintf("arn:%s:organizations::%s:%s/%s/%s", p, mgmt, kind, s.st.orgID, id)
}

func (s *Server) describeOrganization(*orgReq) (any, *apiError) {
	if aerr := s.inOrg(); aerr != nil {
		return nil, aerr
	}
	mgmt := s.st.m.ManagementAccountID
	org := map[string]any{
		"Id": s.st.orgID, "Arn": s.orgARN("organization", ""), "FeatureSet": "ALL",
		"MasterAccountId": mgmt, "MasterAccountArn": s.orgARN("account", mgmt),
	}
	if a := s.st.m.Accounts[mgmt]; a != nil && a.Email != "" {
		org["MasterAccountEmail"] = a.Email
	}
	return map[string]any{"Organization": org}, nil
}

type accountOut struct {
	Id, Arn, Name, Email string
	Status, State        string
	JoinedMethod         string
	JoinedTimestamp      float64
}

func (s *Server) account(a *idc.Account) accountOut {
	state := a.Status
	if state == "" {
		state = "ACTIVE"
	}
	// Status is the deprecated field; it has no CLOSED or PENDING_ACTIVATION.
	status := state
	if state == "CLOSED" || state == "PENDING_ACTIVATION" {
		status = "SUSPENDED"
	}
	return accountOut{Id: a.ID, Arn: s.orgARN("account", a.ID), Name: a.Name, Email: a.Email,
		Status: status, State: state, JoinedMethod: "CREATED", JoinedTimestamp: epoch(s.st.created)}
}

func (s *Server) accountsUnder(parent string) []accountOut {
	var out []accountOut
	for _, id := range slices.Sorted(maps.Keys(s.st.m.Accounts)) {
		if parent == "" || s.st.parentOf[id] == parent {
			out = append(out, s.account(s.st.m.Accounts[id]))
		}
	}
	return out
}

func (s *Server) listAccounts(in *orgReq) (any, *apiError) {
	if aerr := s.inOrg(); aerr != nil {
		return nil, aerr
	}
	items, next, aerr := pageOf(s, Organizations, "ListAccounts", "", s.accountsUnder(""), in.MaxResults, orgMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Accounts  []accountOut
		NextToken *string `json:",omitempty"`
	}{items, next}, nil
}

func (s *Server) parent(id string) *apiError {
	if aerr := s.inOrg(); aerr != nil {
		return aerr
	}
	if id != s.st.rootID && s.st.ous[id] == nil {
		return &apiError{code: "ParentNotFoundException", msg: "We can't find a root or OU with the ParentId " + id}
	}
	return nil
}

func (s *Server) listAccountsForParent(in *orgReq) (any, *apiError) {
	if aerr := s.parent(in.ParentId); aerr != nil {
		return nil, aerr
	}
	items, next, aerr := pageOf(s, Organizations, "ListAccountsForParent", in.ParentId, s.accountsUnder(in.ParentId), in.MaxResults, orgMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Accounts  []accountOut
		NextToken *string `json:",omitempty"`
	}{items, next}, nil
}

type rootOut struct {
	Id, Arn, Name string
	PolicyTypes   []struct{} `json:"PolicyTypes"`
}

func (s *Server) listRoots(in *orgReq) (any, *apiError) {
	if aerr := s.inOrg(); aerr != nil {
		return nil, aerr
	}
	roots := []rootOut{{Id: s.st.rootID, Arn: s.orgARN("root", s.st.rootID), Name: "Root", PolicyTypes: []struct{}{}}}
	items, next, aerr := pageOf(s, Organizations, "ListRoots", "", roots, in.MaxResults, orgMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Roots     []rootOut
		NextToken *string `json:",omitempty"`
	}{items, next}, nil
}

type ouOut struct{ Id, Arn, Name string }

func (s *Server) listOUsForParent(in *orgReq) (any, *apiError) {
	if aerr := s.parent(in.ParentId); aerr != nil {
		return nil, aerr
	}
	var all []ouOut
	for _, id := range slices.Sorted(maps.Keys(s.st.ous)) {
		if ou := s.st.ous[id]; ou.Parent == in.ParentId {
			all = append(all, ouOut{Id: ou.ID, Arn: s.orgARN("ou", ou.ID), Name: ou.Name})
		}
	}
	items, next, aerr := pageOf(s, Organizations, "ListOrganizationalUnitsForParent", in.ParentId, all, in.MaxResults, orgMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		OrganizationalUnits []ouOut
		NextToken           *string `json:",omitempty"`
	}{items, next}, nil
}

func (s *Server) listParents(in *orgReq) (any, *apiError) {
	if aerr := s.inOrg(); aerr != nil {
		return nil, aerr
	}
	p, ok := s.st.parentOf[in.ChildId]
	if !ok {
		return nil, &apiError{code: "ChildNotFoundException", msg: "We can't find an organizational unit (OU) or AWS account with the ChildId " + in.ChildId}
	}
	typ := "ORGANIZATIONAL_UNIT"
	if p == s.st.rootID {
		typ = "ROOT"
	}
	type parent struct{ Id, Type string }
	items, next, aerr := pageOf(s, Organizations, "ListParents", in.ChildId, []parent{{p, typ}}, in.MaxResults, orgMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Parents   []parent
		NextToken *string `json:",omitempty"`
	}{items, next}, nil
}

func (s *Server) listDelegatedAdministrators(in *orgReq) (any, *apiError) {
	if aerr := s.inOrg(); aerr != nil {
		return nil, aerr
	}
	type delegated struct {
		accountOut
		DelegationEnabledDate float64
	}
	var all []delegated
	id := s.st.m.DelegatedAdminID
	if a := s.st.m.Accounts[id]; id != "" && (in.ServicePrincipal == "" || in.ServicePrincipal == "sso.amazonaws.com") {
		if a == nil {
			a = &idc.Account{ID: id}
		}
		all = append(all, delegated{s.account(a), epoch(s.st.created)})
	}
	items, next, aerr := pageOf(s, Organizations, "ListDelegatedAdministrators", in.ServicePrincipal, all, in.MaxResults, orgMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		DelegatedAdministrators []delegated
		NextToken               *string `json:",omitempty"`
	}{items, next}, nil
}

// Policies returns the organizations policies created through the server.
func (s *Server) Policies() []OrgPolicy {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]OrgPolicy, 0, len(s.st.policies))
	for _, p := range s.st.policies {
		c := *p
		c.Targets = slices.Clone(p.Targets)
		out = append(out, c)
	}
	return out
}

func (s *Server) createPolicy(in *orgReq) (any, *apiError) {
	if aerr := s.inOrg(); aerr != nil {
		return nil, aerr
	}
	if in.Name == "" || in.Content == "" || in.Description == "" {
		return nil, invalid(Organizations, "Name, Content and Description are required")
	}
	switch in.Type {
	case "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY":
	default:
		return nil, invalid(Organizations, "unsupported policy Type "+in.Type)
	}
	if !json.Valid([]byte(in.Content)) {
		return nil, &apiError{code: "MalformedPolicyDocumentException", msg: "The provided policy document doesn't meet the requirements of the specified policy type."}
	}
	if slices.ContainsFunc(s.st.policies, func(p *OrgPolicy) bool { return p.Name == in.Name }) {
		return nil, &apiError{code: "DuplicatePolicyException", msg: "A policy with the same name already exists."}
	}
	id := fmt.Sprintf("p-%08x", s.st.next())
	p := &OrgPolicy{ID: id, ARN: s.policyARN(id, in.Type), Name: in.Name, Description: in.Description, Type: in.Type, Content: in.Content}
	s.st.policies = append(s.st.policies, p)
	summary := map[string]any{"Id": p.ID, "Arn": p.ARN, "Name": p.Name, "Description": p.Description, "Type": p.Type, "AwsManaged": false}
	return map[string]any{"Policy": map[string]any{"PolicySummary": summary, "Content": p.Content}}, nil
}

func (s *Server) attachPolicy(in *orgReq) (any, *apiError) {
	if aerr := s.inOrg(); aerr != nil {
		return nil, aerr
	}
	i := slices.IndexFunc(s.st.policies, func(p *OrgPolicy) bool { return p.ID == in.PolicyId })
	if i < 0 {
		return nil, &apiError{code: "PolicyNotFoundException", msg: "We can't find a policy with the PolicyId " + in.PolicyId}
	}
	t := in.TargetId
	if t != s.st.rootID && s.st.ous[t] == nil && s.st.m.Accounts[t] == nil {
		return nil, &apiError{code: "TargetNotFoundException", msg: "We can't find a root, OU, account, or policy with the TargetId " + t}
	}
	p := s.st.policies[i]
	if slices.Contains(p.Targets, t) {
		return nil, &apiError{code: "DuplicatePolicyAttachmentException", msg: "The selected policy is already attached to the specified target."}
	}
	p.Targets = append(p.Targets, t)
	return struct{}{}, nil
}
