package awscollect

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/smithy-go/middleware"
)

// SSOAdmin is the read-only slice of the sso-admin client the collector
// uses. Every method has a row in actions(); a test keeps them in step.
type SSOAdmin interface {
	ListInstances(context.Context, *ssoadmin.ListInstancesInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListInstancesOutput, error)
	ListPermissionSets(context.Context, *ssoadmin.ListPermissionSetsInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListPermissionSetsOutput, error)
	DescribePermissionSet(context.Context, *ssoadmin.DescribePermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.DescribePermissionSetOutput, error)
	ListManagedPoliciesInPermissionSet(context.Context, *ssoadmin.ListManagedPoliciesInPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListManagedPoliciesInPermissionSetOutput, error)
	ListCustomerManagedPolicyReferencesInPermissionSet(context.Context, *ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetOutput, error)
	GetInlinePolicyForPermissionSet(context.Context, *ssoadmin.GetInlinePolicyForPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error)
	GetPermissionsBoundaryForPermissionSet(context.Context, *ssoadmin.GetPermissionsBoundaryForPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.GetPermissionsBoundaryForPermissionSetOutput, error)
	ListTagsForResource(context.Context, *ssoadmin.ListTagsForResourceInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListTagsForResourceOutput, error)
	ListAccountsForProvisionedPermissionSet(context.Context, *ssoadmin.ListAccountsForProvisionedPermissionSetInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountsForProvisionedPermissionSetOutput, error)
	ListAccountAssignments(context.Context, *ssoadmin.ListAccountAssignmentsInput, ...func(*ssoadmin.Options)) (*ssoadmin.ListAccountAssignmentsOutput, error)
}

// IdentityStore is the read-only slice of the identitystore client.
type IdentityStore interface {
	ListUsers(context.Context, *identitystore.ListUsersInput, ...func(*identitystore.Options)) (*identitystore.ListUsersOutput, error)
	ListGroups(context.Context, *identitystore.ListGroupsInput, ...func(*identitystore.Options)) (*identitystore.ListGroupsOutput, error)
	ListGroupMemberships(context.Context, *identitystore.ListGroupMembershipsInput, ...func(*identitystore.Options)) (*identitystore.ListGroupMembershipsOutput, error)
}

// Organizations is the read-only slice of the organizations client.
type Organizations interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	ListAccounts(context.Context, *organizations.ListAccountsInput, ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListOrganizationalUnitsForParent(context.Context, *organizations.ListOrganizationalUnitsForParentInput, ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
	ListAccountsForParent(context.Context, *organizations.ListAccountsForParentInput, ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error)
	ListDelegatedAdministrators(context.Context, *organizations.ListDelegatedAdministratorsInput, ...func(*organizations.Options)) (*organizations.ListDelegatedAdministratorsOutput, error)

	// Service control policies, for CollectOrganization.
	ListPolicies(context.Context, *organizations.ListPoliciesInput, ...func(*organizations.Options)) (*organizations.ListPoliciesOutput, error)
	DescribePolicy(context.Context, *organizations.DescribePolicyInput, ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
	ListTargetsForPolicy(context.Context, *organizations.ListTargetsForPolicyInput, ...func(*organizations.Options)) (*organizations.ListTargetsForPolicyOutput, error)
	ListParents(context.Context, *organizations.ListParentsInput, ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
}

// Clients are the three read-only clients. A nil Organizations is allowed:
// the snapshot is then partial (no account names, OU paths or management
// account).
type Clients struct {
	SSOAdmin      SSOAdmin
	IdentityStore IdentityStore
	Organizations Organizations
}

// Action tags a client method with the IAM action it needs.
type Action struct {
	Service string // sso-admin | identitystore | organizations
	Method  string // client method = API operation
	IAM     string // e.g. "sso:ListPermissionSets"
}

// Actions is the table Policy() is generated from: one row per method of
// the read-only interfaces above.
func Actions() []Action {
	return []Action{
		{"sso-admin", "ListInstances", "sso:ListInstances"},
		{"sso-admin", "ListPermissionSets", "sso:ListPermissionSets"},
		{"sso-admin", "DescribePermissionSet", "sso:DescribePermissionSet"},
		{"sso-admin", "ListManagedPoliciesInPermissionSet", "sso:ListManagedPoliciesInPermissionSet"},
		{"sso-admin", "ListCustomerManagedPolicyReferencesInPermissionSet", "sso:ListCustomerManagedPolicyReferencesInPermissionSet"},
		{"sso-admin", "GetInlinePolicyForPermissionSet", "sso:GetInlinePolicyForPermissionSet"},
		{"sso-admin", "GetPermissionsBoundaryForPermissionSet", "sso:GetPermissionsBoundaryForPermissionSet"},
		{"sso-admin", "ListTagsForResource", "sso:ListTagsForResource"},
		{"sso-admin", "ListAccountsForProvisionedPermissionSet", "sso:ListAccountsForProvisionedPermissionSet"},
		{"sso-admin", "ListAccountAssignments", "sso:ListAccountAssignments"},
		{"identitystore", "ListUsers", "identitystore:ListUsers"},
		{"identitystore", "ListGroups", "identitystore:ListGroups"},
		{"identitystore", "ListGroupMemberships", "identitystore:ListGroupMemberships"},
		{"organizations", "DescribeOrganization", "organizations:DescribeOrganization"},
		{"organizations", "ListAccounts", "organizations:ListAccounts"},
		{"organizations", "ListRoots", "organizations:ListRoots"},
		{"organizations", "ListOrganizationalUnitsForParent", "organizations:ListOrganizationalUnitsForParent"},
		{"organizations", "ListAccountsForParent", "organizations:ListAccountsForParent"},
		{"organizations", "ListDelegatedAdministrators", "organizations:ListDelegatedAdministrators"},
		{"organizations", "ListPolicies", "organizations:ListPolicies"},
		{"organizations", "DescribePolicy", "organizations:DescribePolicy"},
		{"organizations", "ListTargetsForPolicy", "organizations:ListTargetsForPolicy"},
		{"organizations", "ListParents", "organizations:ListParents"},
	}
}

// NewClients builds the three clients from the default credential chain
// (profiles, SSO, env, instance roles) with LoadConfig.
func NewClients(ctx context.Context, o Options) (Clients, error) {
	cfg, err := LoadConfig(ctx, o)
	if err != nil {
		return Clients{}, err
	}
	// Identity Center answers are small JSON pages: a body past the cap is
	// refused while it is read, so a hostile endpoint cannot fill memory.
	o = o.withDefaults()
	hc := &capBodyClient{next: cfg.HTTPClient, max: o.MaxResponseBytes}
	if hc.next == nil {
		hc.next = awshttp.NewBuildableClient()
	}
	return Clients{
		SSOAdmin:      ssoadmin.NewFromConfig(cfg, func(so *ssoadmin.Options) { so.HTTPClient = hc }),
		IdentityStore: identitystore.NewFromConfig(cfg, func(so *identitystore.Options) { so.HTTPClient = hc }),
		Organizations: organizations.NewFromConfig(cfg, func(so *organizations.Options) { so.HTTPClient = hc }),
	}, nil
}

// LoadConfig is the aws.Config every portcullis AWS client uses: region,
// profile, endpoint override, a `portcullis/<version>` user agent, and the
// standard retryer with jittered exponential backoff, more attempts and no
// client-side retry quota, because Identity Center throttling is normal
// and a quota would turn it into failures.
func LoadConfig(ctx context.Context, o Options) (aws.Config, error) {
	o = o.withDefaults()
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = o.MaxAttempts
				so.RateLimiter = ratelimit.None
				if o.MaxBackoff > 0 {
					so.MaxBackoff = o.MaxBackoff
				}
			})
		}),
		config.WithAPIOptions([]func(*middleware.Stack) error{
			awsmiddleware.AddUserAgentKeyValue("portcullis", o.UserAgentVersion),
		}),
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(o.Endpoint))
	}
	if o.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(o.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration (profile %q): %w", o.Profile, err)
	}
	if cfg.Region == "" {
		flag := o.RegionFlag
		if flag == "" {
			flag = "--region"
		}
		return aws.Config{}, fmt.Errorf("no AWS region: pass %s or set AWS_REGION", flag)
	}
	return cfg, nil
}
