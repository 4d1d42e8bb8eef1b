package awsfake

import "encoding/json"

// handler answers one operation; it runs with the server lock held.
type handler func(s *Server, body []byte) (any, *apiError)

// op adapts a typed handler: it decodes the request into In.
func op[In any](service string, fn func(s *Server, in *In) (any, *apiError)) handler {
	return func(s *Server, body []byte) (any, *apiError) {
		var in In
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, invalid(service, "cannot decode request: "+err.Error())
		}
		return fn(s, &in)
	}
}

// routes is the operation table, built per server so nothing is shared.
func routes() map[string]map[string]handler {
	return map[string]map[string]handler{
		SSOAdmin: {
			"ListInstances":                                      op(SSOAdmin, (*Server).listInstances),
			"ListPermissionSets":                                 op(SSOAdmin, (*Server).listPermissionSets),
			"DescribePermissionSet":                              op(SSOAdmin, (*Server).describePermissionSet),
			"ListManagedPoliciesInPermissionSet":                 op(SSOAdmin, (*Server).listManagedPolicies),
			"ListCustomerManagedPolicyReferencesInPermissionSet": op(SSOAdmin, (*Server).listCustomerManagedPolicies),
			"GetInlinePolicyForPermissionSet":                    op(SSOAdmin, (*Server).getInlinePolicy),
			"GetPermissionsBoundaryForPermissionSet":             op(SSOAdmin, (*Server).getPermissionsBoundary),
			"ListTagsForResource":                                op(SSOAdmin, (*Server).listTags),
			"ListAccountsForProvisionedPermissionSet":            op(SSOAdmin, (*Server).listProvisionedAccounts),
			"ListAccountAssignments":                             op(SSOAdmin, (*Server).listAccountAssignments),

			"CreateAccountAssignment":                 op(SSOAdmin, (*Server).createAccountAssignment),
			"DeleteAccountAssignment":                 op(SSOAdmin, (*Server).deleteAccountAssignment),
			"DescribeAccountAssignmentCreationStatus": op(SSOAdmin, (*Server).describeAssignmentCreation),
			"DescribeAccountAssignmentDeletionStatus": op(SSOAdmin, (*Server).describeAssignmentDeletion),
			"PutInlinePolicyToPermissionSet":          op(SSOAdmin, (*Server).putInlinePolicy),
			"ProvisionPermissionSet":                  op(SSOAdmin, (*Server).provisionPermissionSet),
			"DescribePermissionSetProvisioningStatus": op(SSOAdmin, (*Server).describeProvisioning),
			"DetachManagedPolicyFromPermissionSet":    op(SSOAdmin, (*Server).detachManagedPolicy),
			"UpdatePermissionSet":                     op(SSOAdmin, (*Server).updatePermissionSet),
			"DeletePermissionSet":                     op(SSOAdmin, (*Server).deletePermissionSet),
			"DeleteInlinePolicyFromPermissionSet":     op(SSOAdmin, (*Server).deleteInlinePolicy),
		},
		IdentityStore: {
			"ListUsers":             op(IdentityStore, (*Server).listUsers),
			"ListGroups":            op(IdentityStore, (*Server).listGroups),
			"ListGroupMemberships":  op(IdentityStore, (*Server).listGroupMemberships),
			"GetGroupMembershipId":  op(IdentityStore, (*Server).getGroupMembershipId),
			"DeleteGroupMembership": op(IdentityStore, (*Server).deleteGroupMembership),
		},
		Organizations: {
			"DescribeOrganization":             op(Organizations, (*Server).describeOrganization),
			"ListAccounts":                     op(Organizations, (*Server).listAccounts),
			"ListRoots":                        op(Organizations, (*Server).listRoots),
			"ListOrganizationalUnitsForParent": op(Organizations, (*Server).listOUsForParent),
			"ListAccountsForParent":            op(Organizations, (*Server).listAccountsForParent),
			"ListParents":                      op(Organizations, (*Server).listParents),
			"ListDelegatedAdministrators":      op(Organizations, (*Server).listDelegatedAdministrators),
			"ListPolicies":                     op(Organizations, (*Server).listPolicies),
			"DescribePolicy":                   op(Organizations, (*Server).describePolicy),
			"ListTargetsForPolicy":             op(Organizations, (*Server).listTargetsForPolicy),
			"CreatePolicy":                     op(Organizations, (*Server).createPolicy),
			"AttachPolicy":                     op(Organizations, (*Server).attachPolicy),
			"DetachPolicy":                     op(Organizations, (*Server).detachPolicy),
			"DeletePolicy":                     op(Organizations, (*Server).deletePolicy),
		},
		CloudTrail: {
			"LookupEvents": op(CloudTrail, (*Server).lookupEvents),
		},
	}
}
