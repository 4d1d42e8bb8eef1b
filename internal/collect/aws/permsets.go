package awscollect

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// permSetResult is what the permission-set phase read.
type permSetResult struct {
	sets        []*idc.PermissionSet
	assignments []idc.Assignment
}

func (r permSetResult) fill(m *idc.Model) {
	for _, ps := range r.sets {
		m.PermissionSets[ps.ARN] = ps
	}
	m.Assignments = append(m.Assignments, r.assignments...)
	slices.SortFunc(m.Assignments, func(a, b idc.Assignment) int { return strings.Compare(a.Key(), b.Key()) })
}

func (c *collector) permissionSets(ctx context.Context) (permSetResult, error) {
	var r permSetResult
	var arns []string
	p := ssoadmin.NewListPermissionSetsPaginator(c.cl.SSOAdmin, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(c.inst)},
		func(o *ssoadmin.ListPermissionSetsPaginatorOptions) { o.Limit = ssoPage })
	if err := drain(ctx, c, p, func(out *ssoadmin.ListPermissionSetsOutput) { arns = append(arns, out.PermissionSets...) }); err != nil {
		return r, c.lost(ctx, "sso:ListPermissionSets instance "+c.inst+" (permission sets and assignments unknown)", err)
	}

	sets := make([]*idc.PermissionSet, len(arns))
	g, gctx := newGroup(ctx, c.o.Concurrency)
	for i, arn := range arns {
		g.Go(func() (err error) { sets[i], err = c.permissionSet(gctx, arn); return err })
	}
	if err := g.Wait(); err != nil {
		return r, err
	}
	for _, ps := range sets {
		if ps != nil { // nil: deleted while we read
			r.sets = append(r.sets, ps)
		}
	}

	// ListAccountAssignments needs an account and a permission set; asking
	// only provisioned pairs keeps the call count near the assignment count.
	type pair struct{ ps, account string }
	var pairs []pair
	for _, ps := range r.sets {
		for _, a := range ps.ProvisionedTo {
			pairs = append(pairs, pair{ps.ARN, a})
		}
	}
	found := make([][]idc.Assignment, len(pairs))
	g, gctx = newGroup(ctx, c.o.Concurrency)
	for i, pr := range pairs {
		g.Go(func() error {
			in := &ssoadmin.ListAccountAssignmentsInput{InstanceArn: aws.String(c.inst), AccountId: aws.String(pr.account), PermissionSetArn: aws.String(pr.ps)}
			p := ssoadmin.NewListAccountAssignmentsPaginator(c.cl.SSOAdmin, in, func(o *ssoadmin.ListAccountAssignmentsPaginatorOptions) { o.Limit = ssoPage })
			err := drain(gctx, c, p, func(out *ssoadmin.ListAccountAssignmentsOutput) {
				for _, a := range out.AccountAssignments {
					found[i] = append(found[i], assignment(a))
				}
			})
			if err != nil {
				return c.lost(gctx, "sso:ListAccountAssignments permission set "+pr.ps+" account "+pr.account, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return r, err
	}
	for _, as := range found {
		r.assignments = append(r.assignments, as...)
	}
	return r, nil
}

func assignment(a ssotypes.AccountAssignment) idc.Assignment {
	return idc.Assignment{AccountID: aws.ToString(a.AccountId), PermissionSetARN: aws.ToString(a.PermissionSetArn),
		PrincipalType: string(a.PrincipalType), PrincipalID: aws.ToString(a.PrincipalId), Source: "aws:ListAccountAssignments"}
}

// permissionSet reads one permission set: its description, policies,
// boundary, tags, and the accounts it is provisioned to. A failed part
// is lost (error, or a Missing entry naming the part).
func (c *collector) permissionSet(ctx context.Context, arn string) (*idc.PermissionSet, error) {
	sso := c.cl.SSOAdmin
	inst, psArn := aws.String(c.inst), aws.String(arn)
	ps := &idc.PermissionSet{ARN: arn, Source: "aws:DescribePermissionSet"}
	what := func(op string) string { return "sso:" + op + " permission set " + arn }

	desc, err := call(ctx, c, func(ctx context.Context) (*ssoadmin.DescribePermissionSetOutput, error) {
		return sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: inst, PermissionSetArn: psArn})
	})
	if errorCode(err) == "ResourceNotFoundException" {
		// Deleted since ListPermissionSets: the snapshot is of a moment later.
		c.o.Logf("permission set %s deleted during the snapshot; left out", arn)
		return nil, nil
	}
	if err != nil {
		if err := c.lost(ctx, what("DescribePermissionSet"), err); err != nil {
			return nil, err
		}
	} else if d := desc.PermissionSet; d != nil {
		ps.Name, ps.Description = aws.ToString(d.Name), aws.ToString(d.Description)
		ps.SessionDuration, ps.RelayState = aws.ToString(d.SessionDuration), aws.ToString(d.RelayState)
		if d.CreatedDate != nil {
			ps.CreatedAt = d.CreatedDate.UTC()
		}
	}

	managed := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(sso, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: inst, PermissionSetArn: psArn},
		func(o *ssoadmin.ListManagedPoliciesInPermissionSetPaginatorOptions) { o.Limit = ssoPage })
	err = drain(ctx, c, managed, func(out *ssoadmin.ListManagedPoliciesInPermissionSetOutput) {
		for _, p := range out.AttachedManagedPolicies {
			ps.ManagedPolicies = append(ps.ManagedPolicies, aws.ToString(p.Arn))
		}
	})
	if err != nil {
		if err := c.lost(ctx, what("ListManagedPoliciesInPermissionSet"), err); err != nil {
			return nil, err
		}
	}
	slices.Sort(ps.ManagedPolicies)

	cmps := ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(sso, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: inst, PermissionSetArn: psArn},
		func(o *ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetPaginatorOptions) {
			o.Limit = ssoPage
		})
	err = drain(ctx, c, cmps, func(out *ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetOutput) {
		for _, p := range out.CustomerManagedPolicyReferences {
			ps.CustomerManagedPolicies = append(ps.CustomerManagedPolicies, idc.PolicyRef{Name: aws.ToString(p.Name), Path: aws.ToString(p.Path)})
		}
	})
	if err != nil {
		if err := c.lost(ctx, what("ListCustomerManagedPolicyReferencesInPermissionSet"), err); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(ps.CustomerManagedPolicies, func(a, b idc.PolicyRef) int { return strings.Compare(a.Path+a.Name, b.Path+b.Name) })

	inline, err := call(ctx, c, func(ctx context.Context) (*ssoadmin.GetInlinePolicyForPermissionSetOutput, error) {
		return sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: inst, PermissionSetArn: psArn})
	})
	if err != nil {
		if err := c.lost(ctx, what("GetInlinePolicyForPermissionSet"), err); err != nil {
			return nil, err
		}
	} else {
		ps.InlinePolicy = aws.ToString(inline.InlinePolicy)
	}

	if err := c.boundary(ctx, ps); err != nil {
		return nil, err
	}

	tags := ssoadmin.NewListTagsForResourcePaginator(sso, &ssoadmin.ListTagsForResourceInput{InstanceArn: inst, ResourceArn: psArn})
	err = drain(ctx, c, tags, func(out *ssoadmin.ListTagsForResourceOutput) {
		for _, t := range out.Tags {
			if ps.Tags == nil {
				ps.Tags = map[string]string{}
			}
			ps.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	})
	if err != nil {
		if err := c.lost(ctx, what("ListTagsForResource"), err); err != nil {
			return nil, err
		}
	}

	prov := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(sso, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: inst, PermissionSetArn: psArn},
		func(o *ssoadmin.ListAccountsForProvisionedPermissionSetPaginatorOptions) { o.Limit = ssoPage })
	var accounts []string
	err = drain(ctx, c, prov, func(out *ssoadmin.ListAccountsForProvisionedPermissionSetOutput) {
		accounts = append(accounts, out.AccountIds...)
	})
	if err != nil {
		// Assignments are only asked for provisioned accounts, so a partial
		// list here would hide assignments: keep none and say so.
		return ps, c.lost(ctx, what("ListAccountsForProvisionedPermissionSet")+" (its accounts and assignments unknown)", err)
	}
	slices.Sort(accounts)
	ps.ProvisionedTo = slices.Compact(accounts)
	return ps, nil
}

// boundary reads the permissions boundary; AWS answers
// ResourceNotFoundException when there is none.
func (c *collector) boundary(ctx context.Context, ps *idc.PermissionSet) error {
	out, err := call(ctx, c, func(ctx context.Context) (*ssoadmin.GetPermissionsBoundaryForPermissionSetOutput, error) {
		return c.cl.SSOAdmin.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{
			InstanceArn: aws.String(c.inst), PermissionSetArn: aws.String(ps.ARN)})
	})
	switch {
	case errorCode(err) == "ResourceNotFoundException":
		return nil
	case err != nil:
		return c.lost(ctx, "sso:GetPermissionsBoundaryForPermissionSet permission set "+ps.ARN, err)
	case out.PermissionsBoundary == nil:
		return nil
	}
	b := out.PermissionsBoundary
	ref := &idc.PolicyRef{ManagedPolicyARN: aws.ToString(b.ManagedPolicyArn)}
	if cm := b.CustomerManagedPolicyReference; cm != nil {
		ref.Name, ref.Path = aws.ToString(cm.Name), aws.ToString(cm.Path)
	}
	ps.PermissionsBoundary = ref
	return nil
}
