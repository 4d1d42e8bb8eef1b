package awsfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// AddPolicy seeds a service control policy, as if created and attached
// before the test. Targets are ids: the root (RootID), an OU (OUID) or an
// account. It fails on a duplicate id or name, content that is not JSON,
// or an unknown target, so a test cannot seed what AWS would refuse.
func (s *Server) AddPolicy(id, name, content string, targets ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.HasPrefix(id, "p-") || name == "" {
		return fmt.Errorf("awsfake: AddPolicy(%q, %q): want an id p-… and a name", id, name)
	}
	if slices.ContainsFunc(s.st.policies, func(p *OrgPolicy) bool { return p.ID == id || p.Name == name }) {
		return fmt.Errorf("awsfake: AddPolicy(%q, %q): a policy with this id or name exists", id, name)
	}
	if !json.Valid([]byte(content)) {
		return fmt.Errorf("awsfake: AddPolicy(%q): content is not JSON", id)
	}
	for _, t := range targets {
		if !s.isTarget(t) {
			return fmt.Errorf("awsfake: AddPolicy(%q): unknown target %q", id, t)
		}
	}
	typ := "SERVICE_CONTROL_POLICY"
	s.st.policies = append(s.st.policies, &OrgPolicy{ID: id, ARN: s.policyARN(id, typ), Name: name,
		Description: name, Type: typ, Content: content, Targets: slices.Clone(targets)})
	return nil
}

// RootID is the id of the organization's root.
func (s *Server) RootID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.rootID
}

// OUID is the id of the OU at an account OUPath ("Root/Workloads/Prod").
func (s *Server) OUID(path string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	segs := strings.Split(strings.TrimPrefix(strings.TrimPrefix(path, "Root"), "/"), "/")
	parent := s.st.rootID
	for _, name := range segs {
		found := ""
		for _, id := range slices.Sorted(maps.Keys(s.st.ous)) {
			if ou := s.st.ous[id]; ou.Parent == parent && ou.Name == name {
				found = id
			}
		}
		if found == "" {
			return "", false
		}
		parent = found
	}
	if parent == s.st.rootID {
		return "", false
	}
	return parent, true
}

func (s *Server) isTarget(id string) bool {
	return id == s.st.rootID || s.st.ous[id] != nil || s.st.m.Accounts[id] != nil
}

// policyARN follows AWS: the policy type, lower-cased, is a path segment.
func (s *Server) policyARN(id, typ string) string {
	return fmt.Sprintf("arn:%s:organizations::%s:policy/%s/%s/%s", s.st.partition, s.st.m.ManagementAccountID,
		s.st.orgID, strings.ToLower(typ), id)
}

// policyTypes are the types ListPolicies accepts as Filter.
var policyTypes = []string{"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "DECLARATIVE_POLICY_EC2",
	"BACKUP_POLICY", "TAG_POLICY", "CHATBOT_POLICY", "AISERVICES_OPT_OUT_POLICY", "SECURITYHUB_POLICY"}

type policySummary struct {
	Id, Arn, Name, Description, Type string
	AwsManaged                       bool
}

func summary(p *OrgPolicy) policySummary {
	return policySummary{Id: p.ID, Arn: p.ARN, Name: p.Name, Description: p.Description, Type: p.Type}
}

func (s *Server) listPolicies(in *orgReq) (any, *apiError) {
	if aerr := s.inOrg(); aerr != nil {
		return nil, aerr
	}
	if !slices.Contains(policyTypes, in.Filter) {
		return nil, invalid(Organizations, fmt.Sprintf("Filter must be a policy type, got %q", in.Filter))
	}
	var all []policySummary
	for _, p := range s.st.policies {
		if p.Type == in.Filter {
			all = append(all, summary(p))
		}
	}
	items, next, aerr := pageOf(s, Organizations, "ListPolicies", in.Filter, all, in.MaxResults, orgMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Policies  []policySummary
		NextToken *string `json:",omitempty"`
	}{items, next}, nil
}

func (s *Server) policy(id string) (*OrgPolicy, *apiError) {
	if aerr := s.inOrg(); aerr != nil {
		return nil, aerr
	}
	i := slices.IndexFunc(s.st.policies, func(p *OrgPolicy) bool { return p.ID == id })
	if i < 0 {
		return nil, &apiError{code: "PolicyNotFoundException", msg: "We can't find a policy with the PolicyId " + id}
	}
	return s.st.policies[i], nil
}

func (s *Server) describePolicy(in *orgReq) (any, *apiError) {
	p, aerr := s.policy(in.PolicyId)
	if aerr != nil {
		return nil, aerr
	}
	type policyOut struct {
		PolicySummary policySummary
		Content       string
	}
	return struct{ Policy policyOut }{policyOut{summary(p), p.Content}}, nil
}

type targetOut struct{ TargetId, Arn, Name, Type string }

func (s *Server) target(id string) targetOut {
	switch {
	case id == s.st.rootID:
		return targetOut{id, s.orgARN("root", id), "Root", "ROOT"}
	case s.st.ous[id] != nil:
		return targetOut{id, s.orgARN("ou", id), s.st.ous[id].Name, "ORGANIZATIONAL_UNIT"}
	}
	name := ""
	if a := s.st.m.Accounts[id]; a != nil {
		name = a.Name
	}
	return targetOut{id, s.orgARN("account", id), name, "ACCOUNT"}
}

func (s *Server) listTargetsForPolicy(in *orgReq) (any, *apiError) {
	p, aerr := s.policy(in.PolicyId)
	if aerr != nil {
		return nil, aerr
	}
	all := make([]targetOut, 0, len(p.Targets))
	for _, t := range p.Targets {
		all = append(all, s.target(t))
	}
	items, next, aerr := pageOf(s, Organizations, "ListTargetsForPolicy", p.ID, all, in.MaxResults, orgMax, in.NextToken)
	if aerr != nil {
		return nil, aerr
	}
	return struct {
		Targets   []targetOut
		NextToken *string `json:",omitempty"`
	}{items, next}, nil
}
