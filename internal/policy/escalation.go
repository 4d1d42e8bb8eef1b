package policy

import "strings"

// Escalation is one known way to gain more privilege than a policy grants directly.
type Escalation struct {
	// Label is what Analysis.PrivEsc lists: the action, or the actions joined by "+" when
	// only their combination escalates ("iam:PassRole+ec2:RunInstances"). Set by Escalations.
	Label   string
	Actions []string
	// AllRoles: the first action escalates only when granted on every role (sts:AssumeRole).
	AllRoles bool
	Why      string
}

// escalations is the documented list. Sources: Rhino Security Labs' AWS privilege escalation
// methods (2018, and the pathfinding work that followed), the IAM and Identity Center API
// references, and this project's threat model (DESIGN.md). Compiled from knowledge, not
// generated. Combinations are simplified to their two defining actions (a Lambda also needs a
// trigger or invoke; those are rarely withheld). Read-only.
var escalations = []Escalation{
	{Actions: []string{"iam:CreatePolicyVersion"}, Why: "rewrite a managed policy (for example one attached to yourself) and make the new version the default"},
	{Actions: []string{"iam:SetDefaultPolicyVersion"}, Why: "switch a managed policy to a more permissive earlier version"},
	{Actions: []string{"iam:AttachUserPolicy"}, Why: "attach AdministratorAccess to a user"},
	{Actions: []string{"iam:AttachGroupPolicy"}, Why: "attach AdministratorAccess to a group"},
	{Actions: []string{"iam:AttachRolePolicy"}, Why: "attach AdministratorAccess to a role you can use"},
	{Actions: []string{"iam:PutUserPolicy"}, Why: "write an admin inline policy on a user"},
	{Actions: []string{"iam:PutGroupPolicy"}, Why: "write an admin inline policy on a group"},
	{Actions: []string{"iam:PutRolePolicy"}, Why: "write an admin inline policy on a role you can use"},
	{Actions: []string{"iam:AddUserToGroup"}, Why: "join a more privileged IAM group"},
	{Actions: []string{"iam:CreateAccessKey"}, Why: "mint access keys for another, more privileged user"},
	{Actions: []string{"iam:CreateLoginProfile"}, Why: "give a console password to a user that has none"},
	{Actions: []string{"iam:UpdateLoginProfile"}, Why: "reset another user's console password"},
	{Actions: []string{"iam:UpdateAssumeRolePolicy"}, Why: "make a privileged role trust you"},
	{Actions: []string{"iam:PutRolePermissionsBoundary"}, Why: "replace a role's permissions boundary with a looser one"},
	{Actions: []string{"iam:DeleteRolePermissionsBoundary"}, Why: "remove a role's permissions boundary"},
	{Actions: []string{"iam:PutUserPermissionsBoundary"}, Why: "replace a user's permissions boundary with a looser one"},
	{Actions: []string{"iam:DeleteUserPermissionsBoundary"}, Why: "remove a user's permissions boundary"},
	{Actions: []string{"iam:PassRole", "ec2:RunInstances"}, Why: "launch an instance with a privileged role and use its credentials"},
	{Actions: []string{"iam:PassRole", "lambda:CreateFunction"}, Why: "create a function that runs as a privileged role"},
	{Actions: []string{"iam:PassRole", "cloudformation:CreateStack"}, Why: "have CloudFormation create resources as a privileged role"},
	{Actions: []string{"iam:PassRole", "glue:CreateDevEndpoint"}, Why: "open a Glue dev endpoint running as a privileged role"},
	{Actions: []string{"iam:PassRole", "datapipeline:CreatePipeline"}, Why: "run a pipeline as a privileged role"},
	{Actions: []string{"iam:PassRole", "codebuild:CreateProject"}, Why: "run a build as a privileged role"},
	{Actions: []string{"iam:PassRole", "sagemaker:CreateNotebookInstance"}, Why: "open a notebook running as a privileged role"},
	{Actions: []string{"lambda:UpdateFunctionCode"}, Why: "replace the code of a function that runs as a privileged role"},
	{Actions: []string{"glue:UpdateDevEndpoint"}, Why: "add your SSH key to a dev endpoint that runs as a privileged role"},
	{Actions: []string{"sts:AssumeRole"}, AllRoles: true, Why: "assume any role that trusts the account"},
	{Actions: []string{"sso:CreateAccountAssignment"}, Why: "assign yourself any permission set in any account"},
	{Actions: []string{"sso:AttachManagedPolicyToPermissionSet"}, Why: "attach AdministratorAccess to a permission set you hold"},
	{Actions: []string{"sso:PutInlinePolicyToPermissionSet"}, Why: "write an admin inline policy on a permission set you hold"},
	{Actions: []string{"sso:AttachCustomerManagedPolicyReferenceToPermissionSet"}, Why: "reference a permissive customer managed policy from a permission set you hold"},
	{Actions: []string{"sso:PutPermissionsBoundaryToPermissionSet"}, Why: "replace a permission set's boundary with a looser one"},
	{Actions: []string{"sso:DeletePermissionsBoundaryFromPermissionSet"}, Why: "remove a permission set's boundary"},
	{Actions: []string{"identitystore:CreateGroupMembership"}, Why: "join a group that holds privileged assignments"},
	{Actions: []string{"sso-directory:AddMemberToGroup"}, Why: "join a privileged group (console API of the identity store)"},
	{Actions: []string{"organizations:RegisterDelegatedAdministrator"}, Why: "make an account you control a delegated administrator (of Identity Center, for example)"},
	{Actions: []string{"organizations:DetachPolicy"}, Why: "detach a service control policy that restrains you"},
}

func (e Escalation) label() string { return strings.Join(e.Actions, "+") }

// Escalations returns the documented list of privilege-escalation actions Analyze looks for.
func Escalations() []Escalation {
	out := make([]Escalation, len(escalations))
	for i, e := range escalations {
		e.Actions = append([]string(nil), e.Actions...)
		e.Label = e.label()
		out[i] = e
	}
	return out
}

// isEscalationAction reports whether a lower-cased exact action name is part of any
// escalation. Excluding such an action is a real restriction; excluding others is not.
func isEscalationAction(lower string) bool {
	for _, e := range escalations {
		for _, a := range e.Actions {
			if strings.EqualFold(a, lower) {
				return true
			}
		}
	}
	return false
}
