package drift

// Kind is a stable, dotted id for one sort of difference. Renaming one is a
// breaking change (pipelines and suppressions key on it).
type Kind string

// The kinds of difference Diff reports.
const (
	PermissionSetAdded       Kind = "drift.permission-set.added"
	PermissionSetRemoved     Kind = "drift.permission-set.removed"
	ManagedPolicyAttached    Kind = "drift.permission-set.managed-policy-attached"
	ManagedPolicyDetached    Kind = "drift.permission-set.managed-policy-detached"
	CustomerPolicyAttached   Kind = "drift.permission-set.customer-policy-attached"
	CustomerPolicyDetached   Kind = "drift.permission-set.customer-policy-detached"
	InlinePolicyChanged      Kind = "drift.permission-set.inline-policy-changed"
	BoundaryAdded            Kind = "drift.permission-set.boundary-added"
	BoundaryRemoved          Kind = "drift.permission-set.boundary-removed"
	BoundaryChanged          Kind = "drift.permission-set.boundary-changed"
	SessionDurationChanged   Kind = "drift.permission-set.session-duration-changed"
	DescriptionChanged       Kind = "drift.permission-set.description-changed"
	ProvisioningChanged      Kind = "drift.permission-set.provisioning-changed"
	AssignmentAdded          Kind = "drift.assignment.added"
	AssignmentRemoved        Kind = "drift.assignment.removed"
	AssignmentNotProvisioned Kind = "drift.assignment.not-provisioned"
	MembershipAdded          Kind = "drift.membership.added"
	MembershipRemoved        Kind = "drift.membership.removed"
	UserAdded                Kind = "drift.user.added"
	UserRemoved              Kind = "drift.user.removed"
	GroupAdded               Kind = "drift.group.added"
	GroupRemoved             Kind = "drift.group.removed"
	DelegatedAdminChanged    Kind = "drift.instance.delegated-admin-changed"
	IdentitySourceChanged    Kind = "drift.instance.identity-source-changed"
)

// KindInfo documents a kind; Kinds lists them all in a stable order.
type KindInfo struct {
	Kind  Kind   `json:"kind"`
	Title string `json:"title"`
	// Grant is true when the difference can widen someone's access; such
	// differences found outside a baseline are rogue in Reconcile.
	Grant bool `json:"grant"`
}

// Kinds is the registry of difference kinds (docs and tests read it).
func Kinds() []KindInfo {
	return []KindInfo{
		{PermissionSetAdded, "Permission set added", true},
		{PermissionSetRemoved, "Permission set removed", false},
		{ManagedPolicyAttached, "AWS managed policy attached to a permission set", true},
		{ManagedPolicyDetached, "AWS managed policy detached from a permission set", false},
		{CustomerPolicyAttached, "Customer managed policy reference attached", true},
		{CustomerPolicyDetached, "Customer managed policy reference detached", false},
		{InlinePolicyChanged, "Inline policy changed", true},
		{BoundaryAdded, "Permissions boundary added", false},
		{BoundaryRemoved, "Permissions boundary removed", true},
		{BoundaryChanged, "Permissions boundary changed", true},
		{SessionDurationChanged, "Session duration changed", false},
		{DescriptionChanged, "Description changed", false},
		{ProvisioningChanged, "Provisioned accounts changed", false},
		{AssignmentAdded, "Account assignment added", true},
		{AssignmentRemoved, "Account assignment removed", false},
		{AssignmentNotProvisioned, "Assignment in an account the permission set is not provisioned to", false},
		{MembershipAdded, "Group membership added", true},
		{MembershipRemoved, "Group membership removed", false},
		{UserAdded, "User added", false},
		{UserRemoved, "User removed", false},
		{GroupAdded, "Group added", false},
		{GroupRemoved, "Group removed", false},
		{DelegatedAdminChanged, "Delegated administrator changed", true},
		{IdentitySourceChanged, "Identity source changed", true},
	}
}

// IsGrant reports whether a kind can widen access.
func (k Kind) IsGrant() bool {
	for _, ki := range Kinds() {
		if ki.Kind == k {
			return ki.Grant
		}
	}
	return false
}
