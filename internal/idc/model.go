// Package idc is the one typed model of an IAM Identity Center instance.
// Every source (live API, Terraform state, a snapshot file, replayed
// CloudTrail) fills the same Model, so access, drift, posture and
// containment never care where it came from.
package idc

import (
	"sync"
	"time"
)

// SnapshotSchema versions the JSON form of a Model.
const SnapshotSchema = "portcullis.snapshot/v1"

// Source records where a fact came from: "aws:ListAccountAssignments",
// "terraform:module.sso.aws_ssoadmin_account_assignment.this[\"x\"]",
// "event:<eventID>".
type Source string

// Model is one Identity Center instance and the organization around it.
type Model struct {
	Schema          string    `json:"schema"`
	CapturedAt      time.Time `json:"captured_at,omitzero"`
	From            string    `json:"from"` // aws | terraform | events | file
	InstanceARN     string    `json:"instance_arn,omitempty"`
	IdentityStoreID string    `json:"identity_store_id,omitempty"`
	// IdentitySource is "identity_center", "external_idp" or
	// "active_directory" when known.
	IdentitySource      string `json:"identity_source,omitempty"`
	ManagementAccountID string `json:"management_account_id,omitempty"`
	DelegatedAdminID    string `json:"delegated_admin_account_id,omitempty"`

	Accounts       map[string]*Account       `json:"accounts"`        // by account id
	Users          map[string]*User          `json:"users"`           // by user id
	Groups         map[string]*Group         `json:"groups"`          // by group id
	PermissionSets map[string]*PermissionSet `json:"permission_sets"` // by ARN
	Assignments    []Assignment              `json:"assignments"`
	// Memberships are group id -> member user ids.
	Memberships map[string][]Membership `json:"memberships"`

	// Partial is true when the source could not be read completely; Missing
	// says what is absent. Consumers must surface it.
	Partial bool     `json:"partial,omitempty"`
	Missing []string `json:"missing,omitempty"`
	// Unknown lists the facts (Fact*) the source cannot show at all.
	Unknown []string `json:"unknown,omitempty"`

	// mu guards the lazy build of idx. idx is kept current by Apply; code
	// that fills the maps directly calls Index when done (see index.go).
	mu  sync.Mutex
	idx *index
	// changed records the facts moved since the last TakeChanges, when
	// change tracking is on (facts.go); nil when off.
	changed map[FactKey]struct{}
}

// Account is an AWS account of the organization.
type Account struct {
	ID             string `json:"id"`
	Name           string `json:"name,omitempty"`
	Email          string `json:"email,omitempty"`
	OUPath         string `json:"ou_path,omitempty"` // "Root/Workloads/Prod"
	Status         string `json:"status,omitempty"`
	Management     bool   `json:"management,omitempty"`
	DelegatedAdmin bool   `json:"delegated_admin,omitempty"`
	Source         Source `json:"source,omitempty"`
}

// User is an identity-store user.
type User struct {
	ID          string `json:"id"`
	UserName    string `json:"user_name,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	Email       string `json:"email,omitempty"`
	ExternalID  string `json:"external_id,omitempty"` // set when provisioned by SCIM
	Source      Source `json:"source,omitempty"`
}

// Group is an identity-store group.
type Group struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name,omitempty"`
	Description string `json:"description,omitempty"`
	ExternalID  string `json:"external_id,omitempty"`
	Source      Source `json:"source,omitempty"`
}

// Membership is one user in one group.
type Membership struct {
	UserID       string `json:"user_id"`
	MembershipID string `json:"membership_id,omitempty"`
	Source       Source `json:"source,omitempty"`
}

// PolicyRef names a customer managed policy or a permissions boundary.
type PolicyRef struct {
	Name string `json:"name,omitempty"`
	Path string `json:"path,omitempty"`
	// ManagedPolicyARN is set for a boundary that is an AWS managed policy.
	ManagedPolicyARN string `json:"managed_policy_arn,omitempty"`
}

// PermissionSet is a permission set and what it grants.
type PermissionSet struct {
	ARN                     string            `json:"arn"`
	Name                    string            `json:"name"`
	Description             string            `json:"description,omitempty"`
	SessionDuration         string            `json:"session_duration,omitempty"` // ISO-8601, "" = PT1H
	RelayState              string            `json:"relay_state,omitempty"`
	ManagedPolicies         []string          `json:"managed_policies,omitempty"` // ARNs
	CustomerManagedPolicies []PolicyRef       `json:"customer_managed_policies,omitempty"`
	InlinePolicy            string            `json:"inline_policy,omitempty"` // JSON text
	PermissionsBoundary     *PolicyRef        `json:"permissions_boundary,omitempty"`
	Tags                    map[string]string `json:"tags,omitempty"`
	// ProvisionedTo lists the accounts the permission set is provisioned to.
	ProvisionedTo []string  `json:"provisioned_to,omitempty"`
	CreatedAt     time.Time `json:"created_at,omitzero"`
	Source        Source    `json:"source,omitempty"`
}

// Assignment binds a principal to a permission set in an account. Its
// identity is (PermissionSetARN, PrincipalType, PrincipalID, AccountID).
type Assignment struct {
	AccountID        string `json:"account_id"`
	PermissionSetARN string `json:"permission_set_arn"`
	PrincipalType    string `json:"principal_type"` // USER | GROUP
	PrincipalID      string `json:"principal_id"`
	Source           Source `json:"source,omitempty"`
}

// Key is the assignment's identity.
func (a Assignment) Key() string {
	return a.PermissionSetARN + "|" + a.PrincipalType + "|" + a.PrincipalID + "|" + a.AccountID
}

// New returns an empty model ready to fill.
func New(from string) *Model {
	return &Model{
		Schema:         SnapshotSchema,
		From:           from,
		Accounts:       map[string]*Account{},
		Users:          map[string]*User{},
		Groups:         map[string]*Group{},
		PermissionSets: map[string]*PermissionSet{},
		Memberships:    map[string][]Membership{},
	}
}
