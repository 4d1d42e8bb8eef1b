// Package actor turns every CloudTrail userIdentity shape into one Actor and
// decides whether an actor is on the admins allow-list.
package actor

import (
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// Kinds of actor, normalised across userIdentity shapes.
const (
	KindIAMUser      = "IAMUser"
	KindAssumedRole  = "AssumedRole"
	KindSSOSession   = "IdentityCenterSession" // AssumedRole of an AWSReservedSSO_* role
	KindIDCUser      = "IdentityCenterUser"    // portal / sign-in / OIDC events
	KindSAMLUser     = "SAMLUser"
	KindRoot         = "Root"
	KindAWSService   = "AWSService"
	KindAWSAccount   = "AWSAccount"
	KindUnknown      = "Unknown"
	KindWebIdentity  = "WebIdentityUser"
	KindFederated    = "FederatedUser"
	ssoRolePrefix    = "AWSReservedSSO_"
	ssoServiceDomain = "sso.amazonaws.com"
)

// Actor is who made a call.
type Actor struct {
	ARN     string // session ARN (or user / root ARN); "" when the record has none
	Type    string // one of the Kind constants
	Name    string // human name where one exists (user name, session name)
	UserID  string // Identity Center user id, when known
	RoleARN string // the role behind an assumed-role session
	Account string
	// PermissionSet is the permission set name behind an AWSReservedSSO_* session.
	PermissionSet string
	// Service is set for AWS services acting on their own (invokedBy, service
	// roles): Identity Center's provisioning side effects are never attacks.
	Service string
}

// FromEvent normalises the record's userIdentity.
func FromEvent(e *cloudtrail.Event) Actor {
	s := func(p string) string { return e.String("userIdentity." + p) }
	a := Actor{
		ARN:     s("arn"),
		Type:    s("type"),
		Account: s("accountId"),
	}
	invokedBy := s("invokedBy")
	switch a.Type {
	case "IAMUser":
		a.Name = s("userName")
		if a.Name == "" {
			a.Name = lastSegment(a.ARN)
		}
	case "AssumedRole":
		a.Name = lastSegment(a.ARN)
		a.RoleARN = s("sessionContext.sessionIssuer.arn")
		if a.RoleARN == "" {
			a.RoleARN = roleARNFromSession(a.ARN)
		}
	case "IdentityCenterUser":
		a.UserID = s("onBehalfOf.userId")
		a.Name = e.String("additionalEventData.UserName")
	case "Unknown":
		a.Name = s("userName")
		if a.Name == "" {
			a.Name = e.String("additionalEventData.UserName")
		}
		a.UserID = s("onBehalfOf.userId")
	case "SAMLUser", "WebIdentityUser":
		a.Name = s("userName")
	case "Root":
		a.Name = "root"
	case "AWSService":
		a.Service = invokedBy
		a.Name = invokedBy
	case "AWSAccount":
		a.Name = s("principalId")
	case "FederatedUser":
		a.Name = lastSegment(a.ARN)
		a.RoleARN = s("sessionContext.sessionIssuer.arn")
	case "":
		a.Type = inferType(a.ARN, s("userName"), invokedBy)
		a.Name = s("userName")
		if a.Name == "" {
			a.Name = lastSegment(a.ARN)
		}
		if a.Name == "" {
			a.Name = invokedBy
		}
		if a.Type == KindAssumedRole {
			a.RoleARN = roleARNFromSession(a.ARN)
		}
	default:
		a.Name = s("userName")
	}
	if role := roleName(a.RoleARN, a.ARN); strings.HasPrefix(role, ssoRolePrefix) {
		a.Type = KindSSOSession
		a.PermissionSet = PermissionSetFromRole(role)
	}
	if invokedBy != "" && a.Service == "" && !strings.Contains(invokedBy, " ") && strings.HasSuffix(invokedBy, ".amazonaws.com") {
		// A service acting on a caller's behalf (CloudFormation, Identity Center
		// provisioning) — the caller stays the actor, but it is marked.
		a.Service = invokedBy
	}
	if strings.Contains(a.RoleARN, "/AWSServiceRoleForSSO") || strings.Contains(a.ARN, "/AWSServiceRoleForSSO/") {
		a.Service = ssoServiceDomain
	}
	return a
}

// IsProvisioningSideEffect reports whether the call was made by Identity
// Center itself (provisioning roles in member accounts, cleaning up).
func (a Actor) IsProvisioningSideEffect() bool { return a.Service == ssoServiceDomain }

func inferType(arn, userName, invokedBy string) string {
	switch {
	case strings.Contains(arn, ":assumed-role/"):
		return KindAssumedRole
	case strings.Contains(arn, ":user/"):
		return KindIAMUser
	case strings.HasSuffix(arn, ":root"):
		return KindRoot
	case strings.Contains(arn, ":federated-user/"):
		return KindFederated
	case invokedBy != "" && arn == "" && userName == "":
		return KindAWSService
	}
	return KindUnknown
}

func lastSegment(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return ""
}

// roleARNFromSession rebuilds arn:PART:iam::ACCT:role/NAME from
// arn:PART:sts::ACCT:assumed-role/NAME/SESSION (the path is not in the
// session ARN, so the result carries none).
func roleARNFromSession(sess string) string {
	parts := strings.SplitN(sess, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[5], "assumed-role/") {
		return ""
	}
	rest := strings.TrimPrefix(parts[5], "assumed-role/")
	name, _, _ := strings.Cut(rest, "/")
	return parts[0] + ":" + parts[1] + ":iam::" + parts[4] + ":role/" + name
}

// roleName extracts the role name from a role ARN or a session ARN.
func roleName(roleARN, sessionARN string) string {
	if roleARN != "" {
		return lastSegment(roleARN)
	}
	if i := strings.Index(sessionARN, ":assumed-role/"); i >= 0 {
		name, _, _ := strings.Cut(sessionARN[i+len(":assumed-role/"):], "/")
		return name
	}
	return ""
}

// PermissionSetFromRole returns the permission set name inside
// AWSReservedSSO_<Name>_<16 hex>, or "" for other roles. It accepts a role
// name or a role ARN (with or without the region path segment).
func PermissionSetFromRole(role string) string {
	role = lastSegment("/" + role)
	if !strings.HasPrefix(role, ssoRolePrefix) {
		return ""
	}
	rest := role[len(ssoRolePrefix):]
	i := strings.LastIndexByte(rest, '_')
	if i <= 0 {
		return ""
	}
	return rest[:i]
}
