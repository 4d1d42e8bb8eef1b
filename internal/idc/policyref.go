package idc

import (
	"slices"
	"strings"
)

// Customer managed policies and permissions boundaries are referenced by
// name and path: the document lives in each member account, so whoever can
// rewrite the policy there changes what the permission set's role does in
// that account, with no Identity Center event. PolicyUsers answers "which
// permission sets does this member-account policy feed?".

// PolicyUse is a permission set that references a member-account policy.
type PolicyUse struct {
	PermissionSet *PermissionSet
	// Boundary: the reference is the permission set's permissions boundary
	// (else one of its customer managed policies).
	Boundary bool
	// Provisioned: the permission set is known to be provisioned to the
	// account asked about. False with ProvisioningKnown false means the
	// model has never seen where it is provisioned.
	Provisioned, ProvisioningKnown bool
}

// policyRefKey is the identity of a reference: the path as written (IAM
// paths are case-sensitive) and the name folded (IAM policy names are
// unique regardless of case).
func policyRefKey(path, name string) string { return normPath(path) + strings.ToLower(name) }

// addPolicyRefs records ps's references in the index. The index holds
// permission set ARNs and may keep stale ones (a detached reference, a
// deleted permission set): PolicyUsers checks each against the model, so
// only additions need keeping current.
func (ix *index) addPolicyRefs(ps *PermissionSet) {
	add := func(r PolicyRef) {
		if r.Name == "" {
			return
		}
		k := policyRefKey(r.Path, r.Name)
		if !slices.Contains(ix.policyRefs[k], ps.ARN) {
			ix.policyRefs[k] = append(ix.policyRefs[k], ps.ARN)
		}
	}
	for _, r := range ps.CustomerManagedPolicies {
		add(r)
	}
	if b := ps.PermissionsBoundary; b != nil {
		add(*b)
	}
}

// PolicyUsers returns the permission sets that reference the customer
// managed policy path+name (as a policy or as their boundary) and are
// provisioned to account, or whose provisioning the model does not know
// (a replay that never saw it): those are returned with ProvisioningKnown
// false. Permission sets known to be provisioned only elsewhere are left
// out. The result is sorted by permission set name.
func (m *Model) PolicyUsers(account, path, name string) []PolicyUse {
	ix := m.index()
	key := policyRefKey(path, name)
	var out []PolicyUse
	for _, arn := range ix.policyRefs[key] {
		ps, ok := m.PermissionSets[arn]
		if !ok {
			continue
		}
		use := PolicyUse{PermissionSet: ps, ProvisioningKnown: len(ps.ProvisionedTo) > 0}
		use.Provisioned = slices.Contains(ps.ProvisionedTo, account)
		if use.ProvisioningKnown && !use.Provisioned {
			continue
		}
		cmp := slices.ContainsFunc(ps.CustomerManagedPolicies, func(r PolicyRef) bool { return policyRefKey(r.Path, r.Name) == key })
		boundary := ps.PermissionsBoundary != nil && ps.PermissionsBoundary.Name != "" &&
			policyRefKey(ps.PermissionsBoundary.Path, ps.PermissionsBoundary.Name) == key
		if !cmp && !boundary {
			continue // a stale index entry: the reference was removed
		}
		use.Boundary = boundary && !cmp
		out = append(out, use)
	}
	slices.SortFunc(out, func(a, b PolicyUse) int {
		return strings.Compare(a.PermissionSet.Name+a.PermissionSet.ARN, b.PermissionSet.Name+b.PermissionSet.ARN)
	})
	return out
}

// ParsePolicyARN splits a customer managed policy ARN
// (arn:aws:iam::111111111111:policy/path/name) into account, path ("/" or
// "/a/b/") and name. AWS managed policies (account "aws") and anything
// else are not customer managed: ok is false.
func ParsePolicyARN(arn string) (account, path, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || len(parts[4]) != 12 || !strings.HasPrefix(parts[5], "policy/") {
		return "", "", "", false
	}
	rest := strings.TrimPrefix(parts[5], "policy")
	i := strings.LastIndexByte(rest, '/')
	if i < 0 || i == len(rest)-1 {
		return "", "", "", false
	}
	return parts[4], rest[:i+1], rest[i+1:], true
}
