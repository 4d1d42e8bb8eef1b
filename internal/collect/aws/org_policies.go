package awscollect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

// maxOUDepth bounds a parent walk: OUs nest at most five deep under the
// root, so a longer chain means a loop in a broken answer.
const maxOUDepth = 8

// CollectOrganization reads the service control policies, their targets
// and each account's parent chain: the same Organization an export file
// gives idc.ReadOrganization. Unlike the snapshot, nothing is partial: a
// guardrail check on half the policies would pass falsely, so any read
// that fails after retries, and any policy that does not parse, is an
// error.
func CollectOrganization(ctx context.Context, cl Clients, o Options) (*idc.Organization, error) {
	if cl.Organizations == nil {
		return nil, errors.New("read service control policies: no organizations client")
	}
	c := &collector{cl: cl, o: o.withDefaults()}
	c.sem = make(chan struct{}, c.o.Concurrency)
	org := cl.Organizations

	var sums []orgtypes.PolicySummary
	in := &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy}
	err := drain(ctx, c, organizations.NewListPoliciesPaginator(org, in, func(o *organizations.ListPoliciesPaginatorOptions) { o.Limit = orgPage }),
		func(out *organizations.ListPoliciesOutput) { sums = append(sums, out.Policies...) })
	if err != nil {
		return nil, scpError("organizations:ListPolicies", err)
	}

	out := &idc.Organization{Policies: make([]idc.SCP, len(sums))}
	g, gctx := newGroup(ctx, c.o.Concurrency)
	for i, s := range sums {
		g.Go(func() (err error) {
			out.Policies[i], err = c.scp(gctx, aws.ToString(s.Id))
			return err
		})
	}
	g.Go(func() (err error) {
		out.Accounts, err = c.orgAccounts(gctx)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}

	c.o.Logf("organization: %d service control policies, %d accounts", len(out.Policies), len(out.Accounts))
	return out, nil
}

// scp reads one policy's content and targets.
func (c *collector) scp(ctx context.Context, id string) (idc.SCP, error) {
	org := c.cl.Organizations
	d, err := call(ctx, c, func(ctx context.Context) (*organizations.DescribePolicyOutput, error) {
		return org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
	})
	if err != nil {
		return idc.SCP{}, scpError("organizations:DescribePolicy policy "+id, err)
	}
	if d.Policy == nil || d.Policy.Content == nil {
		return idc.SCP{}, fmt.Errorf("read service control policies: organizations:DescribePolicy policy %s: answer has no Content", id)
	}
	doc, err := policy.Parse([]byte(aws.ToString(d.Policy.Content)))
	if err != nil {
		return idc.SCP{}, fmt.Errorf("read service control policies: organizations:DescribePolicy policy %s: Content: %w", id, err)
	}
	p := idc.SCP{ID: id, Document: doc, Targets: []idc.PolicyTarget{}}
	if d.Policy.PolicySummary != nil {
		p.Name = aws.ToString(d.Policy.PolicySummary.Name)
	}
	tin := &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(id)}
	err = drain(ctx, c, organizations.NewListTargetsForPolicyPaginator(org, tin, func(o *organizations.ListTargetsForPolicyPaginatorOptions) { o.Limit = orgPage }),
		func(out *organizations.ListTargetsForPolicyOutput) {
			for _, t := range out.Targets {
				p.Targets = append(p.Targets, idc.PolicyTarget{ID: aws.ToString(t.TargetId), Type: string(t.Type), Name: aws.ToString(t.Name)})
			}
		})
	if err != nil {
		return idc.SCP{}, scpError("organizations:ListTargetsForPolicy policy "+id, err)
	}
	for j, t := range p.Targets {
		if t.ID == "" {
			return idc.SCP{}, fmt.Errorf("read service control policies: organizations:ListTargetsForPolicy policy %s: Targets[%d]: no TargetId", id, j)
		}
	}
	return p, nil
}

// orgAccounts lists the accounts and walks each one's parents up to the
// root. OU parents are remembered, so calls grow with accounts plus OUs.
func (c *collector) orgAccounts(ctx context.Context) ([]idc.OrgAccount, error) {
	org := c.cl.Organizations
	var accts []idc.OrgAccount
	err := drain(ctx, c, organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{}, func(o *organizations.ListAccountsPaginatorOptions) { o.Limit = orgPage }),
		func(out *organizations.ListAccountsOutput) {
			for _, a := range out.Accounts {
				accts = append(accts, idc.OrgAccount{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name)})
			}
		})
	if err != nil {
		return nil, scpError("organizations:ListAccounts", err)
	}
	for i, a := range accts {
		if a.ID == "" {
			return nil, fmt.Errorf("read service control policies: organizations:ListAccounts: Accounts[%d]: no Id", i)
		}
	}
	slices.SortFunc(accts, func(a, b idc.OrgAccount) int { return strings.Compare(a.ID, b.ID) })

	w := parentWalk{c: c, up: map[string]orgtypes.Parent{}}
	g, gctx := newGroup(ctx, c.o.Concurrency)
	for i := range accts {
		g.Go(func() (err error) {
			accts[i].Parents, err = w.chain(gctx, accts[i].ID)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return accts, nil
}

// parentWalk caches each child's parent across the accounts' walks.
type parentWalk struct {
	c  *collector
	mu sync.Mutex
	up map[string]orgtypes.Parent
}

// chain returns the parents of child, nearest first, ending at the root.
func (w *parentWalk) chain(ctx context.Context, child string) ([]string, error) {
	var out []string
	for id := child; len(out) < maxOUDepth; {
		p, err := w.parent(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, aws.ToString(p.Id))
		if p.Type == orgtypes.ParentTypeRoot {
			return out, nil
		}
		id = aws.ToString(p.Id)
	}
	return nil, fmt.Errorf("read service control policies: organizations:ListParents child %s: no root within %d levels (%s)", child, maxOUDepth, strings.Join(out, " > "))
}

func (w *parentWalk) parent(ctx context.Context, child string) (orgtypes.Parent, error) {
	w.mu.Lock()
	p, ok := w.up[child]
	w.mu.Unlock()
	if ok {
		return p, nil
	}
	var ps []orgtypes.Parent
	in := &organizations.ListParentsInput{ChildId: aws.String(child)}
	err := drain(ctx, w.c, organizations.NewListParentsPaginator(w.c.cl.Organizations, in, func(o *organizations.ListParentsPaginatorOptions) { o.Limit = orgPage }),
		func(out *organizations.ListParentsOutput) { ps = append(ps, out.Parents...) })
	if err != nil {
		return orgtypes.Parent{}, scpError("organizations:ListParents child "+child, err)
	}
	if len(ps) != 1 || aws.ToString(ps[0].Id) == "" {
		return orgtypes.Parent{}, fmt.Errorf("read service control policies: organizations:ListParents child %s: %d parents, want 1", child, len(ps))
	}
	w.mu.Lock()
	w.up[child] = ps[0]
	w.mu.Unlock()
	return ps[0], nil
}

// scpError names the call and, when the principal may not read policies,
// what access is needed: SCPs are visible only from the management
// account or an Organizations delegated administrator.
func scpError(what string, err error) error {
	switch errorCode(err) {
	case "AccessDeniedException", "AccessDeniedForDependencyException":
		return fmt.Errorf("read service control policies: %s: %s: SCPs need management-account or delegated Organizations administrator read access "+
			"(organizations:ListPolicies, DescribePolicy, ListTargetsForPolicy, ListAccounts, ListParents): %w", what, reason(err), err)
	case "AWSOrganizationsNotInUseException":
		return fmt.Errorf("read service control policies: %s: this account is not in an organization, so no SCP applies: %w", what, err)
	}
	return fmt.Errorf("read service control policies: %s: %w", what, err)
}
