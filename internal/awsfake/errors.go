package awsfake

import (
	"encoding/json"
	"net/http"
)

// apiError is an error answer: __type code, message, and an HTTP status
// taken from the services' Smithy models (the httpError traits the SDK
// carries in its schemas).
type apiError struct {
	code, msg string
}

// status returns the modelled HTTP status of the error code for a service.
func (e *apiError) status(service string) int {
	switch e.code {
	case "ValidationException", "InvalidInputException", "MalformedPolicyDocumentException",
		"SerializationException", "UnknownOperationException":
		return http.StatusBadRequest
	case "ServiceQuotaExceededException":
		return http.StatusPaymentRequired // 402, as modelled for sso-admin and identitystore
	case "AccessDeniedException", "MissingAuthenticationTokenException":
		return http.StatusForbidden
	case "ThrottlingException", "TooManyRequestsException":
		return http.StatusTooManyRequests
	case "ResourceNotFoundException", "AWSOrganizationsNotInUseException", "ParentNotFoundException",
		"PolicyNotFoundException", "TargetNotFoundException", "ChildNotFoundException":
		return http.StatusNotFound
	case "ConflictException", "DuplicatePolicyException", "DuplicatePolicyAttachmentException",
		"ConstraintViolationException", "ConcurrentModificationException":
		return http.StatusConflict
	case "InternalServerException", "ServiceException", "InternalFailure":
		return http.StatusInternalServerError
	case "ServiceUnavailable", "ServiceUnavailableException":
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// invalid is the service's error for a malformed request.
func invalid(service, msg string) *apiError {
	if service == Organizations {
		return &apiError{code: "InvalidInputException", msg: msg}
	}
	return &apiError{code: "ValidationException", msg: msg}
}

func notFound(msg string) *apiError { return &apiError{code: "ResourceNotFoundException", msg: msg} }

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
		},
		IdentityStore: {
			"ListUsers":             op(IdentityStore, (*Server).listUsers),
			"ListGroups":            op(IdentityStore, (*Server).listGroups),
			"ListGroupMemberships":  op(IdentityStore, (*Server).listGroupMemberships),
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
			"CreatePolicy":                     op(Organizations, (*Server).createPolicy),
			"AttachPolicy":                     op(Organizations, (*Server).attachPolicy),
		},
	}
}
