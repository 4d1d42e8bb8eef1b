package awsfake

import "slices"

// The calls `contain --lift` makes to undo a containment: delete the inline
// policy a deny was added to, detach and delete the SCP it created.

func (s *Server) deleteInlinePolicy(in *ssoWriteReq) (any, *apiError) {
	ps, aerr := s.permissionSet(in.InstanceArn, in.PermissionSetArn)
	if aerr != nil {
		return nil, aerr
	}
	ps.InlinePolicy = ""
	s.st.markStale(ps)
	return struct{}{}, nil
}

func (s *Server) detachPolicy(in *orgReq) (any, *apiError) {
	p, aerr := s.policy(in.PolicyId)
	if aerr != nil {
		return nil, aerr
	}
	i := slices.Index(p.Targets, in.TargetId)
	if i < 0 {
		return nil, &apiError{code: "PolicyNotAttachedException", msg: "The policy isn't attached to the specified target in the specified root."}
	}
	p.Targets = slices.Delete(p.Targets, i, i+1)
	return struct{}{}, nil
}

func (s *Server) deletePolicy(in *orgReq) (any, *apiError) {
	p, aerr := s.policy(in.PolicyId)
	if aerr != nil {
		return nil, aerr
	}
	if len(p.Targets) > 0 {
		return nil, &apiError{code: "PolicyInUseException", msg: "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation."}
	}
	s.st.policies = slices.DeleteFunc(s.st.policies, func(x *OrgPolicy) bool { return x.ID == p.ID })
	return struct{}{}, nil
}
