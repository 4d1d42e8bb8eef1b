package finding

import "strings"

// arnAccount is the account field of an ARN ("" when none).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || len(parts[4]) != 12 {
		return ""
	}
	return parts[4]
}

// resource is one Identity Center object a finding touched, with its
// CloudFormation-style type (shared by the OCSF and ASFF mappings).
type resource struct{ uid, name, typ string }

func targetResources(f Finding) []resource {
	t := f.Targets
	var out []resource
	add := func(uid, name, typ string) {
		if uid != "" {
			out = append(out, resource{uid, name, typ})
		}
	}
	add(t.PermissionSetARN, t.PermissionSetName, "AWS::SSO::PermissionSet")
	if t.PermissionSetARN == "" && t.PermissionSetName != "" {
		add(t.PermissionSetName, t.PermissionSetName, "AWS::SSO::PermissionSet")
	}
	add(t.AccountID, "", "AWS::Organizations::Account")
	switch t.PrincipalType {
	case "GROUP":
		if t.PrincipalID != t.GroupID {
			add(t.PrincipalID, "", "AWS::IdentityStore::Group")
		}
	case "USER":
		if t.PrincipalID != t.UserID {
			add(t.PrincipalID, "", "AWS::IdentityStore::User")
		}
	default:
		add(t.PrincipalID, "", "AWS::IdentityStore::Principal")
	}
	add(t.GroupID, t.GroupName, "AWS::IdentityStore::Group")
	add(t.UserID, "", "AWS::IdentityStore::User")
	add(t.PolicyARN, "", "AWS::IAM::ManagedPolicy")
	add(t.InstanceARN, "", "AWS::SSO::Instance")
	return out
}
