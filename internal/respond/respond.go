// Package respond builds containment plans for Identity Center persistence;
// package respond/apply executes them.
//
// A plan is data: ordered steps, each an exact AWS API call (and the
// equivalent AWS CLI command), why it is there and what proves afterwards
// that it took effect. Plans render as text, JSON (portcullis.plan/v1) or a
// bash script. apply.Run runs a plan through a narrow write interface, with
// an audit log, guard rails and a resumable state file.
//
// Steps run in this order: revoke live sessions first (a deny-all statement
// in the permission set's inline policy, re-provisioned; or an SCP), then
// delete the rogue assignments, remove group memberships and delete rogue
// permission sets. Sessions go first on purpose: a live admin session could
// otherwise re-create what we delete while we work, and Identity Center
// deletes a permission set's role when its last assignment in an account
// goes, after which no deny can be provisioned to it.
//
// How `portcullis contain` maps onto this package:
//
//	--findings FILE --finding ID   LoadFindings(FILE), FindFinding(fs, ID) -> Input.Finding
//	--principal ID|NAME            Input.Principal (user or group)
//	--group ID|NAME                Input.Group (with a user: only that membership)
//	--permission-set ARN|NAME      Input.PermissionSet
//	--account ID                   Input.Account
//	--revoke auto|issued-before|user|both|none   Input.Revoke ("auto" = "")
//	--revoke-via auto|permission-set|scp         Input.Via ("auto" = "")
//	--delete-permission-set        Input.DeletePermissionSet
//	--detach-policy ARN (repeat)   Input.DetachPolicies
//	--delegated-admin              Input.DelegatedAdmin
//	--provision-per-account        Input.ProvisionPerAccount
//	--region R                     Input.Region (and the SDK clients' region)
//	--force GUARD (repeat)         Input.Force (names: GuardIDs(); CheckForce)
//	--format text|json|sh          RenderPlan(w, plan, format)
//	--apply                        apply.Options.Execute (without it apply.Run is a dry run)
//	--yes                          apply.Options.Yes; else apply.Options.Confirm = os.Stdin on a terminal
//	--audit FILE                   the audit io.Writer (append mode)
//	--state FILE                   apply.Options.StatePath (default apply.DefaultStatePath(plan))
//	--resume FILE                  apply.LoadState(FILE).Plan, applied with StatePath FILE
package respond

import (
	"fmt"
	"slices"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// PlanSchema versions the JSON form of a ContainmentPlan.
const PlanSchema = "portcullis.plan/v1"

// RevokeMode chooses the condition of the deny-all statement.
type RevokeMode string

const (
	// RevokeAuto keys on the user id when the principal is a user, else on
	// the token issue time.
	RevokeAuto RevokeMode = ""
	// RevokeIssuedBefore denies every session of the permission set issued
	// before the plan time (aws:TokenIssueTime): everyone signs in again.
	RevokeIssuedBefore RevokeMode = "issued-before"
	// RevokeUser denies the user's sessions of the permission set, now and
	// later (identitystore:userId), until the statement is removed.
	RevokeUser RevokeMode = "user"
	// RevokeBoth denies the user's sessions issued before the plan time.
	RevokeBoth RevokeMode = "both"
	// RevokeNone adds no deny (assignments and memberships only).
	RevokeNone RevokeMode = "none"
)

// RevokeVia chooses where the deny goes.
type RevokeVia string

const (
	// ViaAuto uses the permission set's inline policy, or an SCP where the
	// set cannot be changed (provisioned to the management account while we
	// act as delegated admin).
	ViaAuto RevokeVia = ""
	// ViaPermissionSet always uses the inline policy.
	ViaPermissionSet RevokeVia = "permission-set"
	// ViaSCP always uses a service control policy.
	ViaSCP RevokeVia = "scp"
)

// Input says what to contain. Give a Finding, or any of Principal,
// PermissionSet and Account (they narrow each other).
type Input struct {
	// Finding is the finding to contain (from LoadFindings + FindFinding);
	// its targets and rule fill the fields left empty below.
	Finding *finding.Finding
	// Principal is a user or group id (or user name / group display name).
	Principal string
	// PermissionSet is a permission set ARN or name.
	PermissionSet string
	// Account is a 12-digit account id.
	Account string
	// Group, with a user Principal, removes only that membership (id or name).
	Group string

	Revoke RevokeMode
	Via    RevokeVia
	// DeletePermissionSet marks the permission set as rogue: delete all its
	// assignments (within Account) and then the set itself.
	DeletePermissionSet bool
	// DetachPolicies are managed policy ARNs to detach from the permission
	// set (rogue sets lose every admin/privileged managed policy anyway).
	DetachPolicies []string
	// DelegatedAdmin says we act as Identity Center's delegated admin: sets
	// provisioned to the management account cannot be changed from here.
	DelegatedAdmin bool
	// ProvisionPerAccount provisions one account at a time instead of
	// ALL_PROVISIONED_ACCOUNTS.
	ProvisionPerAccount bool
	// Region is added to every CLI command as --region when set.
	Region string
	// Force names guards to override (see Guards, CheckForce).
	Force []string
}

func (in Input) validate() error {
	if err := CheckForce(in.Force); err != nil {
		return err
	}
	switch in.Revoke {
	case RevokeAuto, RevokeIssuedBefore, RevokeUser, RevokeBoth, RevokeNone:
	default:
		return fmt.Errorf("revoke mode %q: want issued-before, user, both or none", in.Revoke)
	}
	switch in.Via {
	case ViaAuto, ViaPermissionSet, ViaSCP:
	default:
		return fmt.Errorf("revoke via %q: want permission-set or scp", in.Via)
	}
	if in.Region != "" && !regionRe.MatchString(in.Region) {
		return fmt.Errorf("region %q: not an AWS region name", in.Region)
	}
	if in.Finding == nil && in.Principal == "" && in.PermissionSet == "" && in.Account == "" {
		return fmt.Errorf("nothing to contain: give a finding, a principal, a permission set or an account")
	}
	return nil
}

func (in Input) forced(guard string) bool { return slices.Contains(in.Force, guard) }
