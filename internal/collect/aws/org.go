package awscollect

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// orgResult is what the organizations phase read; fill merges it.
type orgResult struct {
	management, delegated string
	// unknown are the facts a denied or absent Organizations read left
	// unknown (idc.Fact*).
	unknown  []string
	accounts map[string]*idc.Account
	paths    map[string]string // account id -> "Root/OU/OU"
}

func (r orgResult) fill(m *idc.Model) {
	m.ManagementAccountID = r.management
	m.DelegatedAdminID = r.delegated
	for _, f := range r.unknown {
		m.SetUnknown(f)
	}
	for id, a := range r.accounts {
		a.OUPath = r.paths[id]
		a.Management = id == r.management && id != ""
		a.DelegatedAdmin = id == r.delegated && id != ""
		m.Accounts[id] = a
	}
}

// denied reports errors that mean "this principal cannot read the
// organization" rather than "the read failed".
func denied(err error) bool {
	switch errorCode(err) {
	case "AccessDeniedException", "AccessDeniedForDependencyException", "AWSOrganizationsNotInUseException":
		return true
	}
	return false
}

// orgLost handles a failed organizations read: access denied is recorded
// as a gap with its consequence, whatever AllowPartial says; other
// failures go through lost.
func (c *collector) orgLost(ctx context.Context, what, consequence string, err error) error {
	if denied(err) && ctx.Err() == nil {
		c.note(what + ": " + reason(err) + " (" + consequence + ")")
		return nil
	}
	return c.lost(ctx, what, err)
}

func (c *collector) organization(ctx context.Context) (orgResult, error) {
	r := orgResult{accounts: map[string]*idc.Account{}, paths: map[string]string{}}
	org := c.cl.Organizations
	if org == nil {
		c.note("organizations: no client (account names, OU paths, management and delegated admin accounts unknown)")
		r.unknown = []string{idc.FactManagementAccount, idc.FactDelegatedAdmin}
		return r, nil
	}
	desc, err := call(ctx, c, func(ctx context.Context) (*organizations.DescribeOrganizationOutput, error) {
		return org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	})
	if err != nil {
		r.unknown = []string{idc.FactManagementAccount, idc.FactDelegatedAdmin}
		return r, c.orgLost(ctx, "organizations:DescribeOrganization", "management account, account names, OU paths and delegated admin unknown", err)
	}
	if desc.Organization != nil {
		r.management = aws.ToString(desc.Organization.MasterAccountId)
	}

	err = drain(ctx, c, organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{}, func(o *organizations.ListAccountsPaginatorOptions) { o.Limit = orgPage }),
		func(out *organizations.ListAccountsOutput) {
			for _, a := range out.Accounts {
				r.accounts[aws.ToString(a.Id)] = account(a)
			}
		})
	if err != nil {
		if err := c.orgLost(ctx, "organizations:ListAccounts", "account names and OU paths unknown", err); err != nil {
			return r, err
		}
	} else if r.paths, err = c.ouPaths(ctx); err != nil {
		if err := c.orgLost(ctx, "organizations OU tree", "OU paths unknown", err); err != nil {
			return r, err
		}
	}

	in := &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("sso.amazonaws.com")}
	err = drain(ctx, c, organizations.NewListDelegatedAdministratorsPaginator(org, in, func(o *organizations.ListDelegatedAdministratorsPaginatorOptions) { o.Limit = orgPage }),
		func(out *organizations.ListDelegatedAdministratorsOutput) {
			for _, d := range out.DelegatedAdministrators {
				r.delegated = aws.ToString(d.Id) // Identity Center allows one
			}
		})
	if err != nil {
		r.unknown = append(r.unknown, idc.FactDelegatedAdmin)
		return r, c.orgLost(ctx, "organizations:ListDelegatedAdministrators service sso.amazonaws.com", "delegated admin unknown", err)
	}
	return r, nil
}

func account(a orgtypes.Account) *idc.Account {
	status := string(a.State)
	if status == "" {
		status = string(a.Status)
	}
	return &idc.Account{ID: aws.ToString(a.Id), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email),
		Status: status, Source: "aws:ListAccounts"}
}

type ouNode struct{ id, path string }

// ouPaths walks the OU tree breadth first: per parent one listing of
// child OUs and one of accounts, so calls grow with OUs, not accounts
// (OUs nest at most five deep).
func (c *collector) ouPaths(ctx context.Context) (map[string]string, error) {
	org := c.cl.Organizations
	var level []ouNode
	err := drain(ctx, c, organizations.NewListRootsPaginator(org, &organizations.ListRootsInput{}, func(o *organizations.ListRootsPaginatorOptions) { o.Limit = orgPage }),
		func(out *organizations.ListRootsOutput) {
			for _, r := range out.Roots {
				level = append(level, ouNode{aws.ToString(r.Id), aws.ToString(r.Name)})
			}
		})
	if err != nil {
		return nil, fmt.Errorf("organizations:ListRoots: %w", err)
	}
	paths := map[string]string{}
	for len(level) > 0 {
		kids := make([][]ouNode, len(level))
		accts := make([][]string, len(level))
		g, gctx := newGroup(ctx, c.o.Concurrency)
		for i, n := range level {
			g.Go(func() error {
				ous := organizations.NewListOrganizationalUnitsForParentPaginator(org, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(n.id)},
					func(o *organizations.ListOrganizationalUnitsForParentPaginatorOptions) { o.Limit = orgPage })
				err := drain(gctx, c, ous, func(out *organizations.ListOrganizationalUnitsForParentOutput) {
					for _, ou := range out.OrganizationalUnits {
						kids[i] = append(kids[i], ouNode{aws.ToString(ou.Id), n.path + "/" + aws.ToString(ou.Name)})
					}
				})
				if err != nil {
					return fmt.Errorf("organizations:ListOrganizationalUnitsForParent parent %s: %w", n.id, err)
				}
				as := organizations.NewListAccountsForParentPaginator(org, &organizations.ListAccountsForParentInput{ParentId: aws.String(n.id)},
					func(o *organizations.ListAccountsForParentPaginatorOptions) { o.Limit = orgPage })
				err = drain(gctx, c, as, func(out *organizations.ListAccountsForParentOutput) {
					for _, a := range out.Accounts {
						accts[i] = append(accts[i], aws.ToString(a.Id))
					}
				})
				if err != nil {
					return fmt.Errorf("organizations:ListAccountsForParent parent %s: %w", n.id, err)
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		var next []ouNode
		for i, n := range level {
			for _, id := range accts[i] {
				paths[id] = n.path
			}
			next = append(next, kids[i]...)
		}
		level = next
	}
	return paths, nil
}
