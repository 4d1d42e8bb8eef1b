// Package drift compares two Identity Center models (Diff) and reconciles
// the current state against an authoritative baseline (Reconcile). Both are
// pure library calls: no I/O, no clock, inputs are never modified, and the
// same inputs always give the same report, so the watch daemon can call Diff
// after every change.
//
// # Identity
//
// Permission sets pair by ARN (by name when one side has no ARN, as in a
// Terraform plan); an assignment is permission set + principal + account; a
// membership is group + user. Each difference has a stable kind id
// (Kinds lists them) and a one-line summary.
//
// # Severity
//
// Severity uses the context the rule pack uses, and every difference lists
// the reasons for its severity:
//
//   - what a permission set grants (idc.Classify): admin or privileged sets
//     raise additions to high, privilege-escalation sets to medium;
//   - sensitive accounts (sensitive_accounts, plus the management account,
//     which no SCP protects): one step up for grants there;
//   - privileged groups (privileged_groups, by id or display name) and
//     large groups (members ≥ large_group_size): one step up for an admin
//     or escalation set given to a large group; a membership into a
//     privileged group or one holding admin is high, critical when that
//     admin reaches a sensitive account;
//   - break-glass permission sets: removing or weakening them is a lock-out
//     risk (medium to high).
//
// Starting points: assignment added medium, removed low; membership added
// low (medium when the group holds assignments), removed info; user or
// group added low; policy attached low (content decides), detached info;
// customer managed policy attached medium (content not analysable);
// boundary removed medium (high on privileged sets); session duration above
// max_session_duration medium (high on admin sets); delegated admin or
// identity source changed high.
//
// # Reconcile
//
// A grant is a difference that can widen access (KindInfo.Grant): an
// assignment, a membership into a group that holds assignments, a new
// permission set, a policy attached, an inline policy that adds statements
// or drops a Deny, a boundary removed or changed, a new delegated admin.
// Every grant in the current model that the baseline lacks is rogue. Given
// CloudTrail, each change is explained by the events that made it: an event
// is a cause when, applied (idc.Apply) to a model holding only the object's
// before-state, it produces the object's current state. This reuses the
// model's one reading of every write (all three identity-store front doors,
// SCIM patches). Changes are attributed to allow-listed admins, to anyone
// else (any cause outside the allow-list), or are unexplained: made out of
// band, e.g. in the IdP / SCIM, or outside the trail given.
package drift
