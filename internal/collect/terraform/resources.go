package terraform

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// builder turns resources into a model. Resources come in any order, so a
// permission set may be seen first through an attachment: it is created as
// a stub and filled when its own resource arrives.
type builder struct {
	m        *idc.Model
	file     string
	planned  bool
	parents  map[string]string // account id -> parent OU or root id
	ous      map[string]ou     // OU id -> name and parent
	roots    map[string]bool
	assigned map[string]bool
}

type ou struct{ name, parent string }

type handler func(b *builder, a *attrs) error

// handlers maps resource types to readers. Attribute names are the AWS
// provider's (registry.terraform.io/hashicorp/aws); each reader lists the
// ones it uses. Data sources of the same type share the reader where their
// attributes carry the same ids.
var handlers = map[string]handler{
	"aws_ssoadmin_permission_set":                       permissionSet,
	"aws_ssoadmin_managed_policy_attachment":            managedPolicyAttachment,
	"aws_ssoadmin_managed_policy_attachments_exclusive": managedPolicyAttachmentsExclusive,
	"aws_ssoadmin_customer_managed_policy_attachment":   customerPolicyAttachment,
	"aws_ssoadmin_permission_set_inline_policy":         inlinePolicy,
	"aws_ssoadmin_permissions_boundary_attachment":      boundaryAttachment,
	"aws_ssoadmin_account_assignment":                   accountAssignment,
	"aws_ssoadmin_instances":                            instances,
	"aws_identitystore_user":                            user,
	"aws_identitystore_users":                           users,
	"aws_identitystore_group":                           group,
	"aws_identitystore_groups":                          groups,
	"aws_identitystore_group_membership":                membership,
	"aws_identitystore_group_memberships":               memberships,
	"aws_organizations_account":                         orgAccount,
	"aws_organizations_organizational_unit":             orgUnit,
	"aws_organizations_organization":                    organization,
	"aws_organizations_delegated_administrator":         delegatedAdmin,
}

func build(rs []resource, file string, planned bool) (*idc.Model, error) {
	b := &builder{m: idc.New("terraform"), file: file, planned: planned,
		parents: map[string]string{}, ous: map[string]ou{}, roots: map[string]bool{}, assigned: map[string]bool{}}
	for _, r := range rs {
		h, ok := handlers[r.typ]
		if !ok {
			continue
		}
		if r.attrs == nil {
			if planned {
				continue // a planned resource may carry no values yet
			}
			return nil, fmt.Errorf("terraform %s: %s: no attributes", file, r.addr)
		}
		if err := h(b, &attrs{file: file, addr: r.addr, m: r.attrs, planned: planned}); err != nil {
			return nil, err
		}
	}
	b.ouPaths()
	b.unknownFacts()
	slices.Sort(b.m.Missing)
	b.m.Missing = slices.Compact(b.m.Missing)
	b.m.Index()
	return b.m, nil
}

// unknownFacts marks what the state cannot show: Terraform only holds
// what it manages, so an absent delegated administrator or management
// account, or a group with no membership resource (its members come from
// the IdP), says nothing.
func (b *builder) unknownFacts() {
	if b.m.DelegatedAdminID == "" {
		b.m.SetUnknown(idc.FactDelegatedAdmin)
	}
	if b.m.ManagementAccountID == "" {
		b.m.SetUnknown(idc.FactManagementAccount)
	}
	for _, a := range b.m.Assignments {
		if _, ok := b.m.Memberships[a.PrincipalID]; a.PrincipalType == "GROUP" && !ok {
			b.m.SetUnknown(idc.FactMemberships)
			break
		}
	}
}

// unknown records a reference Terraform will only know after apply.
func (b *builder) unknown(a *attrs, key string) {
	b.m.Missing = append(b.m.Missing, fmt.Sprintf("%s: %s known after apply", a.addr, key))
}

// ps returns the permission set named by attribute key, creating a stub.
func (b *builder) ps(a *attrs, key string) (*idc.PermissionSet, error) {
	arn, ok, err := a.req(key)
	if err != nil || !ok {
		if err == nil {
			b.unknown(a, key)
		}
		return nil, err
	}
	ps, found := b.m.PermissionSets[arn]
	if !found {
		ps = &idc.PermissionSet{ARN: arn, Source: a.src()}
		b.m.PermissionSets[arn] = ps
	}
	return ps, nil
}

func (b *builder) account(id string, src idc.Source) *idc.Account {
	acct, ok := b.m.Accounts[id]
	if !ok {
		acct = &idc.Account{ID: id, Source: src}
		b.m.Accounts[id] = acct
	}
	return acct
}

func (b *builder) instance(a *attrs) error {
	inst, err := a.str("instance_arn")
	if err == nil && inst != "" && b.m.InstanceARN == "" {
		b.m.InstanceARN = inst
	}
	return err
}

// permissionSet: arn, name, description, session_duration, relay_state,
// tags, instance_arn, created_date (RFC 3339).
func permissionSet(b *builder, a *attrs) error {
	arn, ok, err := a.req("arn")
	if err != nil {
		return err
	}
	if !ok {
		arn = "unknown:" + a.addr
	}
	if err := b.instance(a); err != nil {
		return err
	}
	ps, found := b.m.PermissionSets[arn]
	if !found {
		ps = &idc.PermissionSet{ARN: arn}
		b.m.PermissionSets[arn] = ps
	}
	ps.Source = a.src()
	for _, f := range []field{{"name", &ps.Name}, {"description", &ps.Description},
		{"session_duration", &ps.SessionDuration}, {"relay_state", &ps.RelayState}} {
		s, err := a.str(f.key)
		if err != nil {
			return err
		}
		*f.dst = s
	}
	if ps.Name == "" && !b.planned {
		return a.errf("name", "missing")
	}
	if ps.Tags, err = a.stringMap("tags"); err != nil {
		return err
	}
	if s, err := a.str("created_date"); err != nil {
		return err
	} else if s != "" {
		if err := ps.CreatedAt.UnmarshalText([]byte(s)); err != nil {
			return a.errf("created_date", "%v", err)
		}
	}
	return nil
}

// managedPolicyAttachment: permission_set_arn, managed_policy_arn.
func managedPolicyAttachment(b *builder, a *attrs) error {
	ps, err := b.ps(a, "permission_set_arn")
	if err != nil || ps == nil {
		return err
	}
	pol, ok, err := a.req("managed_policy_arn")
	if err != nil || !ok {
		return err
	}
	if !slices.Contains(ps.ManagedPolicies, pol) {
		ps.ManagedPolicies = append(ps.ManagedPolicies, pol)
	}
	return nil
}

// managedPolicyAttachmentsExclusive: permission_set_arn, managed_policy_arns.
func managedPolicyAttachmentsExclusive(b *builder, a *attrs) error {
	ps, err := b.ps(a, "permission_set_arn")
	if err != nil || ps == nil {
		return err
	}
	pols, err := a.strings("managed_policy_arns")
	for _, p := range pols {
		if !slices.Contains(ps.ManagedPolicies, p) {
			ps.ManagedPolicies = append(ps.ManagedPolicies, p)
		}
	}
	return err
}

// policyRef reads customer_managed_policy_reference {name, path} inside obj.
func policyRef(a *attrs, obj map[string]any, field string) (*idc.PolicyRef, error) {
	refs, err := objectsIn(a, obj, "customer_managed_policy_reference", field)
	if err != nil || len(refs) == 0 {
		return nil, err
	}
	name, err := strIn(a, refs[0], "name", field+"[0].name")
	if err != nil {
		return nil, err
	}
	path, err := strIn(a, refs[0], "path", field+"[0].path")
	if err != nil {
		return nil, err
	}
	if name == "" && !a.planned {
		return nil, a.errf(field+"[0].name", "missing")
	}
	if path == "" {
		path = "/"
	}
	return &idc.PolicyRef{Name: name, Path: path}, nil
}

// customerPolicyAttachment: permission_set_arn,
// customer_managed_policy_reference {name, path}.
func customerPolicyAttachment(b *builder, a *attrs) error {
	ps, err := b.ps(a, "permission_set_arn")
	if err != nil || ps == nil {
		return err
	}
	ref, err := policyRef(a, a.m, "customer_managed_policy_reference")
	if err != nil {
		return err
	}
	if ref == nil {
		if a.planned {
			return nil
		}
		return a.errf("customer_managed_policy_reference", "missing")
	}
	if !slices.Contains(ps.CustomerManagedPolicies, *ref) {
		ps.CustomerManagedPolicies = append(ps.CustomerManagedPolicies, *ref)
	}
	return nil
}

// inlinePolicy: permission_set_arn, inline_policy (JSON text).
func inlinePolicy(b *builder, a *attrs) error {
	ps, err := b.ps(a, "permission_set_arn")
	if err != nil || ps == nil {
		return err
	}
	doc, _, err := a.req("inline_policy")
	ps.InlinePolicy = doc
	return err
}

// boundaryAttachment: permission_set_arn, permissions_boundary
// {managed_policy_arn, customer_managed_policy_reference {name, path}}.
func boundaryAttachment(b *builder, a *attrs) error {
	ps, err := b.ps(a, "permission_set_arn")
	if err != nil || ps == nil {
		return err
	}
	pbs, err := a.objects("permissions_boundary")
	if err != nil {
		return err
	}
	if len(pbs) == 0 {
		if a.planned {
			return nil
		}
		return a.errf("permissions_boundary", "missing")
	}
	arn, err := strIn(a, pbs[0], "managed_policy_arn", "permissions_boundary[0].managed_policy_arn")
	if err != nil {
		return err
	}
	if arn != "" {
		ps.PermissionsBoundary = &idc.PolicyRef{ManagedPolicyARN: arn}
		return nil
	}
	ref, err := policyRef(a, pbs[0], "permissions_boundary[0].customer_managed_policy_reference")
	if err != nil {
		return err
	}
	if ref == nil && !a.planned {
		return a.errf("permissions_boundary[0]", "neither managed_policy_arn nor customer_managed_policy_reference")
	}
	ps.PermissionsBoundary = ref
	return nil
}

// accountAssignment: target_id, target_type (AWS_ACCOUNT),
// permission_set_arn, principal_id, principal_type (USER | GROUP).
func accountAssignment(b *builder, a *attrs) error {
	x := idc.Assignment{Source: a.src()}
	for _, f := range []field{{"target_id", &x.AccountID}, {"permission_set_arn", &x.PermissionSetARN},
		{"principal_id", &x.PrincipalID}, {"principal_type", &x.PrincipalType}} {
		s, ok, err := a.req(f.key)
		if err != nil {
			return err
		}
		if !ok {
			b.unknown(a, f.key)
			return nil
		}
		*f.dst = s
	}
	if t, err := a.str("target_type"); err != nil {
		return err
	} else if t != "" && t != "AWS_ACCOUNT" {
		return a.errf("target_type", "unknown target type %q", t)
	}
	x.PrincipalType = strings.ToUpper(x.PrincipalType)
	if x.PrincipalType != "USER" && x.PrincipalType != "GROUP" {
		return a.errf("principal_type", "want USER or GROUP, got %q", x.PrincipalType)
	}
	if err := b.instance(a); err != nil {
		return err
	}
	ps, err := b.ps(a, "permission_set_arn")
	if err != nil {
		return err
	}
	b.account(x.AccountID, a.src())
	if !slices.Contains(ps.ProvisionedTo, x.AccountID) {
		ps.ProvisionedTo = append(ps.ProvisionedTo, x.AccountID)
	}
	if !b.assigned[x.Key()] {
		b.assigned[x.Key()] = true
		b.m.Assignments = append(b.m.Assignments, x)
	}
	return nil
}

// instances (data source): arns, identity_store_ids.
func instances(b *builder, a *attrs) error {
	arns, err := a.strings("arns")
	if err != nil {
		return err
	}
	ids, err := a.strings("identity_store_ids")
	if err != nil {
		return err
	}
	if len(arns) > 0 && b.m.InstanceARN == "" {
		b.m.InstanceARN = arns[0]
	}
	if len(ids) > 0 && b.m.IdentityStoreID == "" {
		b.m.IdentityStoreID = ids[0]
	}
	return nil
}
