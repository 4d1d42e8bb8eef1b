package apply

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/portcullis-sec/portcullis/internal/respond"
)

// SSOAdminWriter is every sso-admin method the responder calls: the only
// write interface to Identity Center in portcullis (a test checks that no
// other package calls a write method). Collectors are read-only.
type SSOAdminWriter interface {
	DeleteAccountAssignment(context.Context, *ssoadmin.DeleteAccountAssignmentInput, ...func(*ssoadmin.Options)) (*ssoadmin.DeleteAccountAssignmentOutput, error)
	DescribeAccountAssignmentDeletionStatus(context.Context, *ssoadmin.DescribeAccountAssignmentDeletionStatusInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribeAccountAssignmentDeletionStatusOutput, error)
	GetInlinePolicyForPermissionSet(context.Context, *ssoadmin.GetInlinePolicyForPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error)
	PutInlinePolicyToPermissionSet(context.Context, *ssoadmin.PutInlinePolicyToPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.PutInlinePolicyToPermissionSetOutput, error)
	DeleteInlinePolicyFromPermissionSet(context.Context, *ssoadmin.DeleteInlinePolicyFromPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DeleteInlinePolicyFromPermissionSetOutput, error)
	ProvisionPermissionSet(context.Context, *ssoadmin.ProvisionPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ProvisionPermissionSetOutput, error)
	DescribePermissionSetProvisioningStatus(context.Context, *ssoadmin.DescribePermissionSetProvisioningStatusInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetProvisioningStatusOutput, error)
	DetachManagedPolicyFromPermissionSet(context.Context, *ssoadmin.DetachManagedPolicyFromPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DetachManagedPolicyFromPermissionSetOutput, error)
	UpdatePermissionSet(context.Context, *ssoadmin.UpdatePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.UpdatePermissionSetOutput, error)
	DeletePermissionSet(context.Context, *ssoadmin.DeletePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DeletePermissionSetOutput, error)
}

// IdentityStoreWriter is every identitystore method the responder calls.
type IdentityStoreWriter interface {
	GetGroupMembershipId(context.Context, *identitystore.GetGroupMembershipIdInput, ...func(*identitystore.Options)) (*identitystore.GetGroupMembershipIdOutput, error)
	DeleteGroupMembership(context.Context, *identitystore.DeleteGroupMembershipInput, ...func(*identitystore.Options)) (*identitystore.DeleteGroupMembershipOutput, error)
}

// OrganizationsWriter is every organizations method the responder calls.
type OrganizationsWriter interface {
	CreatePolicy(context.Context, *organizations.CreatePolicyInput, ...func(*organizations.Options)) (*organizations.CreatePolicyOutput, error)
	AttachPolicy(context.Context, *organizations.AttachPolicyInput, ...func(*organizations.Options)) (*organizations.AttachPolicyOutput, error)
	DetachPolicy(context.Context, *organizations.DetachPolicyInput, ...func(*organizations.Options)) (*organizations.DetachPolicyOutput, error)
	DeletePolicy(context.Context, *organizations.DeletePolicyInput, ...func(*organizations.Options)) (*organizations.DeletePolicyOutput, error)
}

// SDKExecutor runs plan calls with the AWS SDK for Go v2.
type SDKExecutor struct {
	SSOAdmin      SSOAdminWriter
	IdentityStore IdentityStoreWriter
	Organizations OrganizationsWriter
}

// NewSDKExecutor builds the three clients from cfg (credentials, region,
// retryer, app id / user agent and endpoint are the caller's choice).
func NewSDKExecutor(cfg aws.Config) *SDKExecutor {
	return &SDKExecutor{
		SSOAdmin:      ssoadmin.NewFromConfig(cfg),
		IdentityStore: identitystore.NewFromConfig(cfg),
		Organizations: organizations.NewFromConfig(cfg),
	}
}

// params reads typed values out of a call's params, remembering the first
// missing one.
type params struct {
	m   map[string]any
	err error
}

func (p *params) str(k string) *string {
	s, ok := p.m[k].(string)
	if !ok || s == "" {
		if p.err == nil {
			p.err = fmt.Errorf("param %s is missing or not a string", k)
		}
		return nil
	}
	return aws.String(s)
}

func (p *params) opt(k string) *string {
	if _, ok := p.m[k]; !ok {
		return nil
	}
	return p.str(k)
}

// userID reads MemberId {"UserId": …} (a map of strings, or of any after a
// JSON round trip through the state file).
func (p *params) userID(k string) string {
	var v string
	switch m := p.m[k].(type) {
	case map[string]string:
		v = m["UserId"]
	case map[string]any:
		v, _ = m["UserId"].(string)
	}
	if v == "" && p.err == nil {
		p.err = fmt.Errorf("param %s needs a UserId", k)
	}
	return v
}

// Execute implements Executor.
func (x *SDKExecutor) Execute(ctx context.Context, c respond.Call) (map[string]string, error) {
	if !respond.SupportsOperation(c.Service, c.Operation) {
		return nil, fmt.Errorf("operation %s %s is not part of the responder's write interface", c.Service, c.Operation)
	}
	p := &params{m: c.Params}
	switch c.Service {
	case respond.SvcSSOAdmin:
		if x.SSOAdmin == nil {
			return nil, fmt.Errorf("no sso-admin client")
		}
		return x.ssoAdmin(ctx, c.Operation, p)
	case respond.SvcIdentityStore:
		if x.IdentityStore == nil {
			return nil, fmt.Errorf("no identitystore client")
		}
		return x.identityStore(ctx, c.Operation, p)
	case respond.SvcOrganizations:
		if x.Organizations == nil {
			return nil, fmt.Errorf("no organizations client")
		}
		return x.organizations(ctx, c.Operation, p)
	}
	return nil, fmt.Errorf("unknown service %q", c.Service)
}

func (x *SDKExecutor) identityStore(ctx context.Context, op string, p *params) (map[string]string, error) {
	switch op {
	case "GetGroupMembershipId":
		in := &identitystore.GetGroupMembershipIdInput{IdentityStoreId: p.str("IdentityStoreId"), GroupId: p.str("GroupId"),
			MemberId: &istypes.MemberIdMemberUserId{Value: p.userID("MemberId")}}
		if p.err != nil {
			return nil, p.err
		}
		out, err := x.IdentityStore.GetGroupMembershipId(ctx, in)
		if err != nil {
			return nil, err
		}
		return map[string]string{"MembershipId": aws.ToString(out.MembershipId)}, nil
	case "DeleteGroupMembership":
		in := &identitystore.DeleteGroupMembershipInput{IdentityStoreId: p.str("IdentityStoreId"), MembershipId: p.str("MembershipId")}
		if p.err != nil {
			return nil, p.err
		}
		_, err := x.IdentityStore.DeleteGroupMembership(ctx, in)
		return map[string]string{}, err
	}
	return nil, fmt.Errorf("identitystore %s: not implemented", op)
}

func (x *SDKExecutor) organizations(ctx context.Context, op string, p *params) (map[string]string, error) {
	switch op {
	case "CreatePolicy":
		in := &organizations.CreatePolicyInput{Content: p.str("Content"), Description: p.str("Description"), Name: p.str("Name"),
			Type: orgtypes.PolicyType(aws.ToString(p.str("Type")))}
		if p.err != nil {
			return nil, p.err
		}
		out, err := x.Organizations.CreatePolicy(ctx, in)
		if err != nil {
			return nil, err
		}
		id := ""
		if out.Policy != nil && out.Policy.PolicySummary != nil {
			id = aws.ToString(out.Policy.PolicySummary.Id)
		}
		return map[string]string{"PolicyId": id}, nil
	case "AttachPolicy":
		in := &organizations.AttachPolicyInput{PolicyId: p.str("PolicyId"), TargetId: p.str("TargetId")}
		if p.err != nil {
			return nil, p.err
		}
		_, err := x.Organizations.AttachPolicy(ctx, in)
		return map[string]string{}, err
	case "DetachPolicy":
		in := &organizations.DetachPolicyInput{PolicyId: p.str("PolicyId"), TargetId: p.str("TargetId")}
		if p.err != nil {
			return nil, p.err
		}
		_, err := x.Organizations.DetachPolicy(ctx, in)
		return map[string]string{}, err
	case "DeletePolicy":
		in := &organizations.DeletePolicyInput{PolicyId: p.str("PolicyId")}
		if p.err != nil {
			return nil, p.err
		}
		_, err := x.Organizations.DeletePolicy(ctx, in)
		return map[string]string{}, err
	}
	return nil, fmt.Errorf("organizations %s: not implemented", op)
}

func (x *SDKExecutor) ssoAdmin(ctx context.Context, op string, p *params) (map[string]string, error) {
	inst := p.str("InstanceArn")
	var ps *string
	if !strings.HasSuffix(op, "Status") { // the status polls take a request id instead
		ps = p.str("PermissionSetArn")
	}
	c := x.SSOAdmin
	switch op {
	case "DeleteAccountAssignment":
		in := &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: inst, PermissionSetArn: ps, TargetId: p.str("TargetId"),
			TargetType: ssotypes.TargetType(aws.ToString(p.str("TargetType"))), PrincipalId: p.str("PrincipalId"),
			PrincipalType: ssotypes.PrincipalType(aws.ToString(p.str("PrincipalType")))}
		if p.err != nil {
			return nil, p.err
		}
		out, err := c.DeleteAccountAssignment(ctx, in)
		if err != nil {
			return nil, err
		}
		return assignmentStatus(out.AccountAssignmentDeletionStatus), nil
	case "DescribeAccountAssignmentDeletionStatus":
		in := &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: inst, AccountAssignmentDeletionRequestId: p.str("AccountAssignmentDeletionRequestId")}
		if p.err != nil {
			return nil, p.err
		}
		out, err := c.DescribeAccountAssignmentDeletionStatus(ctx, in)
		if err != nil {
			return nil, err
		}
		return assignmentStatus(out.AccountAssignmentDeletionStatus), nil
	case "GetInlinePolicyForPermissionSet":
		if p.err != nil {
			return nil, p.err
		}
		out, err := c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
		if err != nil {
			return nil, err
		}
		return map[string]string{"InlinePolicy": aws.ToString(out.InlinePolicy)}, nil
	case "PutInlinePolicyToPermissionSet":
		in := &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, InlinePolicy: p.str("InlinePolicy")}
		if p.err != nil {
			return nil, p.err
		}
		_, err := c.PutInlinePolicyToPermissionSet(ctx, in)
		return map[string]string{}, err
	case "DeleteInlinePolicyFromPermissionSet":
		if p.err != nil {
			return nil, p.err
		}
		_, err := c.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
		return map[string]string{}, err
	case "ProvisionPermissionSet":
		in := &ssoadmin.ProvisionPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps,
			TargetType: ssotypes.ProvisionTargetType(aws.ToString(p.str("TargetType"))), TargetId: p.opt("TargetId")}
		if p.err != nil {
			return nil, p.err
		}
		out, err := c.ProvisionPermissionSet(ctx, in)
		if err != nil {
			return nil, err
		}
		return provisioningStatus(out.PermissionSetProvisioningStatus), nil
	case "DescribePermissionSetProvisioningStatus":
		in := &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: inst, ProvisionPermissionSetRequestId: p.str("ProvisionPermissionSetRequestId")}
		if p.err != nil {
			return nil, p.err
		}
		out, err := c.DescribePermissionSetProvisioningStatus(ctx, in)
		if err != nil {
			return nil, err
		}
		return provisioningStatus(out.PermissionSetProvisioningStatus), nil
	case "DetachManagedPolicyFromPermissionSet":
		in := &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, ManagedPolicyArn: p.str("ManagedPolicyArn")}
		if p.err != nil {
			return nil, p.err
		}
		_, err := c.DetachManagedPolicyFromPermissionSet(ctx, in)
		return map[string]string{}, err
	case "UpdatePermissionSet":
		in := &ssoadmin.UpdatePermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, SessionDuration: p.str("SessionDuration")}
		if p.err != nil {
			return nil, p.err
		}
		_, err := c.UpdatePermissionSet(ctx, in)
		return map[string]string{}, err
	case "DeletePermissionSet":
		if p.err != nil {
			return nil, p.err
		}
		_, err := c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
		return map[string]string{}, err
	}
	return nil, fmt.Errorf("sso-admin %s: not implemented", op)
}

func assignmentStatus(s *ssotypes.AccountAssignmentOperationStatus) map[string]string {
	if s == nil {
		return map[string]string{}
	}
	return map[string]string{"RequestId": aws.ToString(s.RequestId), "Status": string(s.Status), "FailureReason": aws.ToString(s.FailureReason)}
}

func provisioningStatus(s *ssotypes.PermissionSetProvisioningStatus) map[string]string {
	if s == nil {
		return map[string]string{}
	}
	return map[string]string{"RequestId": aws.ToString(s.RequestId), "Status": string(s.Status), "FailureReason": aws.ToString(s.FailureReason)}
}
