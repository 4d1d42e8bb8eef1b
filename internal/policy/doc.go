// Package policy decides what an IAM policy document grants.
//
// It is pure: no I/O, no package-level mutable state. Detection rules use it to judge an
// inline policy put on a permission set, the effective-access model to rank permission sets,
// posture checks to find admin sets, and containment to merge a deny statement into an
// existing inline policy (MergeStatements).
//
// # Levels
//
// Analyze ranks a document on an ordered scale:
//
//   - LevelAdmin: every action on every resource. Either an Allow whose Action covers every
//     action ("*", "*:*", …) or an Allow with NotAction, on all resources, and — after
//     unconditional Denies — every sensitive service (iam, sso, identitystore, organizations,
//     sts) still fully granted. Exclusions that leave those five services intact (NotAction
//     ["s3:*"], Deny "ec2:*", or exact action names that are not escalation actions) do not
//     bound an administrator: with iam:* the holder re-grants whatever was excluded, so such a
//     policy is classified admin-equivalent. This is the rule for "NotAction that leaves
//     everything".
//   - LevelPrivileged: at least one sensitive service fully granted on all of its resources
//     (Services lists which). Allow NotAction ["iam:*"] on "*" lands here: it fully grants sso,
//     identitystore, organizations and sts.
//   - LevelPrivEsc: at least one known privilege-escalation action (see Escalations) granted
//     on some resource. iam:* limited to a narrow resource (a role path, one user) is at most
//     this level: the holder controls part of IAM, not all of it.
//   - LevelNone: nothing of the above.
//
// # Conservative choices (a detector would rather over-report than miss)
//
//   - An Allow with a Condition counts as granting; Reasons says so.
//   - A Deny with a Condition (any operator) does not subtract; neither does a Deny that does
//     not cover every resource of the service, nor one whose NotResource spares some of them.
//   - A statement built in code with an Effect other than "Allow" or "Deny" is ignored.
//   - An Allow with NotResource counts as granting on all resources unless NotResource
//     excludes every resource of the service.
//   - An account id inside a resource ARN is not treated as a narrowing: a permission set's
//     policy acts in one account at a time, so "arn:aws:iam::123456789012:*" is all of IAM.
//   - Policy element names are matched case-insensitively and a repeated element (two
//     "Effect" keys, "Action" and "action") is a parse error rather than a silent pick: an
//     analyzer that read a different copy than AWS would be blind. Callers should treat a
//     ParseError on a policy that AWS accepted as suspicious in itself.
//
// Wildcard reasoning is symbolic (glob containment and intersection), with fixed probe ARNs
// per service to decide whether a Resource list covers "all resources of that service". Its
// cost does not grow with how long a hostile pattern is, and documents over MaxDocumentBytes
// are refused, so Analyze is safe on the event path.
//
// Escalations lists the privilege-escalation actions looked for; ManagedPolicy knows a few
// AWS managed policies by condensed documents analysed the same way; MergeStatements adds
// statements (a containment deny) to an inline policy without touching the others.
package policy
