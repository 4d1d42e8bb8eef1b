package awsfake

import "net/http"

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
