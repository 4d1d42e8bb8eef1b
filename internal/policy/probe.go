package policy

import (
	"maps"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/wildcard"
)

// Does a Resource list cover "all resources of a service"? Proving glob containment against
// the ARN grammar is overkill; instead each service has probe ARNs, one per resource type that
// matters for privilege, and a list covers the service when it matches every probe (in one
// partition). "*", "arn:*", "arn:aws:*:*:*:*" and "arn:aws:iam::*:*" (for iam) pass;
// "arn:aws:iam::*:role/app-*" does not.

var partitions = [...]string{"aws", "aws-cn", "aws-us-gov"}

// probeSuffixes follow "arn:<partition>". Read-only.
var probeSuffixes = map[string][]string{
	"iam": {
		":iam::111122223333:role/probe",
		":iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Probe_0123456789abcdef",
		":iam::111122223333:user/probe",
		":iam::111122223333:group/probe",
		":iam::111122223333:policy/probe",
	},
	// sts:AssumeRole acts on roles; GetFederationToken on federated users.
	"sts": {
		":iam::111122223333:role/probe",
		":iam::444455556666:role/path/probe",
		":sts::111122223333:federated-user/probe",
	},
	// The roles sts:AssumeRole "on *" must reach, in any account.
	"role": {
		":iam::111122223333:role/probe",
		":iam::444455556666:role/path/probe",
	},
	"sso": {
		":sso:::instance/ssoins-0123456789abcdef",
		":sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef",
		":sso:::account/111122223333",
	},
	"identitystore": {
		":identitystore::111122223333:identitystore/d-0123456789",
		":identitystore:::user/0123abcd-0123-0123-0123-0123456789ab",
		":identitystore:::group/0123abcd-0123-0123-0123-0123456789ab",
		":identitystore:::membership/0123abcd-0123-0123-0123-0123456789ab",
	},
	"organizations": {
		":organizations::111122223333:organization/o-a1b2c3d4e5",
		":organizations::111122223333:root/o-a1b2c3d4e5/r-a1b2",
		":organizations::111122223333:ou/o-a1b2c3d4e5/ou-a1b2-c3d4e5f6",
		":organizations::111122223333:account/o-a1b2c3d4e5/444455556666",
		":organizations::111122223333:policy/o-a1b2c3d4e5/service_control_policy/p-a1b2c3d4",
	},
	"s3": {
		":s3:::probe-bucket",
		":s3:::probe-bucket/key",
	},
}

// allKey names the probe set for "every resource" (the admin test).
const allKey = "*"

// probeTable holds the probes of every listed key, per partition, built once. Read-only.
var probeTable = func() map[string][len(partitions)][]string {
	t := map[string][len(partitions)][]string{}
	for _, key := range append([]string{allKey, "ec2", "lambda", "cloudformation", "glue", "datapipeline", "codebuild", "sagemaker", "sso-directory"}, slices.Collect(maps.Keys(probeSuffixes))...) {
		var per [len(partitions)][]string
		for i, part := range partitions {
			per[i] = buildProbes(key, part)
		}
		t[key] = per
	}
	return t
}()

// probesFor returns the probe ARNs of key in partition number i.
func probesFor(key string, i int) []string {
	if per, ok := probeTable[key]; ok {
		return per[i]
	}
	return buildProbes(key, partitions[i])
}

// buildProbes makes the probe ARNs of a service in one partition. A service without its own
// list gets regional ARNs of its own namespace.
func buildProbes(key, partition string) []string {
	var suffixes []string
	switch key {
	case allKey:
		for _, k := range [...]string{"iam", "sts", "sso", "identitystore", "organizations", "s3"} {
			suffixes = append(suffixes, probeSuffixes[k]...)
		}
		suffixes = append(suffixes,
			":ec2:us-east-1:111122223333:instance/i-0123456789abcdef0",
			":lambda:eu-west-1:111122223333:function:probe",
			":kms:ap-southeast-2:111122223333:key/0123abcd-0123-0123-0123-0123456789ab",
			":zzprobe:us-gov-west-1:111122223333:thing/probe")
	default:
		suffixes = probeSuffixes[key]
		if suffixes == nil {
			suffixes = []string{
				":" + key + ":us-east-1:111122223333:probe/probe",
				":" + key + ":eu-west-1:444455556666:probe:probe",
			}
		}
	}
	out := make([]string, len(suffixes))
	for i, s := range suffixes {
		out[i] = "arn:" + partition + s
	}
	return out
}

// coversAll reports whether the (normalized) patterns match every probe of key in some
// partition.
func coversAll(patterns []string, key string) bool {
	for i := range partitions {
		if matchesEvery(patterns, probesFor(key, i)) {
			return true
		}
	}
	return false
}

// matchesNone reports whether, in some partition, no pattern matches any probe of key.
func matchesNone(patterns []string, key string) bool {
	for i := range partitions {
		hit := false
		for _, pr := range probesFor(key, i) {
			if anyGlob(patterns, pr) {
				hit = true
				break
			}
		}
		if !hit {
			return true
		}
	}
	return false
}

func matchesEvery(patterns, probes []string) bool {
	for _, pr := range probes {
		if !anyGlob(patterns, pr) {
			return false
		}
	}
	return true
}

func anyGlob(patterns []string, s string) bool {
	for _, p := range patterns {
		if wildcard.Match(p, s) {
			return true
		}
	}
	return false
}

// touchesService reports whether some pattern can match an ARN of the service's namespace
// (any partition). Used for escalation actions, where any resource of the right kind counts.
func touchesService(patterns []string, service string) bool {
	for _, part := range partitions {
		prefix := "arn:" + part + ":" + service + ":"
		for _, p := range patterns {
			if intersectsPrefix(p, prefix) {
				return true
			}
		}
	}
	return false
}

// resourceService maps an action's service to the namespace of the ARNs it acts on.
func resourceService(actionSvc string) string {
	switch actionSvc {
	case "sts":
		return "iam" // AssumeRole targets roles
	}
	return strings.ToLower(actionSvc)
}
