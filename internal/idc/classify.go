package idc

import (
	"fmt"

	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Classify ranks what a permission set grants: the strongest of its AWS
// managed policies and its inline policy. What cannot be read is said in
// Reasons rather than guessed: an AWS managed policy portcullis does not
// know, an inline policy that does not parse, customer managed policies
// (their content lives in each member account). A permissions boundary that
// is a known AWS managed policy caps the level, since effective permissions
// are the intersection of the two.
func Classify(ps *PermissionSet) policy.Analysis {
	var a policy.Analysis
	if ps == nil {
		return a
	}
	for _, arn := range ps.ManagedPolicies {
		if ma, ok := policy.ManagedPolicy(arn); ok {
			a = a.Union(ma)
			continue
		}
		a.Reasons = append(a.Reasons, fmt.Sprintf("managed policy %s is not known to portcullis: its content was not analysed", arn))
	}
	if ps.InlinePolicy != "" {
		ia, err := policy.Analyze([]byte(ps.InlinePolicy))
		if err != nil {
			a.Reasons = append(a.Reasons, fmt.Sprintf("inline policy does not parse (%v): its content was not analysed", err))
		} else {
			for i, r := range ia.Reasons {
				ia.Reasons[i] = "inline policy: " + r
			}
			a = a.Union(ia)
		}
	}
	for _, ref := range ps.CustomerManagedPolicies {
		a.Reasons = append(a.Reasons, fmt.Sprintf("customer managed policy %s%s: content lives in each account and was not analysed", normPath(ref.Path), ref.Name))
	}
	if b := ps.PermissionsBoundary; b != nil {
		if b.ManagedPolicyARN == "" {
			a.Reasons = append(a.Reasons, fmt.Sprintf("permissions boundary %s%s (customer managed) may limit this; not analysed", normPath(b.Path), b.Name))
		} else if ba, ok := policy.ManagedPolicy(b.ManagedPolicyARN); ok && ba.Level < a.Level {
			a.Reasons = append(a.Reasons, fmt.Sprintf("permissions boundary %s caps the level from %s to %s", b.ManagedPolicyARN, a.Level, ba.Level))
			a.Level = ba.Level
		}
	}
	return a
}
