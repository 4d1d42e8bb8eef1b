package detect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

func pipelineAssign(at, ip, ua string) string {
	return fmt.Sprintf(`{"eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment","eventTime":%q,"eventID":"pa-%s","sourceIPAddress":%q,"userAgent":%q,
	 "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/TerraformDeploy/run","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::111111111111:role/TerraformDeploy"}}},
	 "requestParameters":{"targetId":"333333333333","targetType":"AWS_ACCOUNT","permissionSetArn":"arn:aws:sso:::permissionSet/ssoins-1/ps-1","principalType":"USER","principalId":"u-1"}}`, at, at, ip, ua)
}

// TestAllowlistedFromNewNetworkLosesCap: the pipeline's routine work from
// its usual network stays low; the same role from a network it never used
// is judged like anyone else, and the finding says why.
func TestAllowlistedFromNewNetworkLosesCap(t *testing.T) {
	const tf = "Terraform/1.7.5 terraform-provider-aws/5.40.0 aws-sdk-go-v2/1.25.3"
	e := engine(t)
	first := e.Process(decodeJSON(t, pipelineAssign("2026-11-02T08:00:00Z", "198.51.100.7", tf)))
	routine := e.Process(decodeJSON(t, pipelineAssign("2026-11-02T09:00:00Z", "198.51.100.8", tf)))
	stolen := e.Process(decodeJSON(t, pipelineAssign("2026-11-02T10:00:00Z", "203.0.113.66", tf)))
	for name, fs := range map[string][]finding.Finding{"first": first, "routine": routine} {
		if len(fs) != 1 || fs[0].Severity != finding.Low {
			t.Errorf("%s run: %+v, want one low finding", name, fs)
		}
	}
	if len(stolen) != 1 || stolen[0].Severity != finding.Medium || !stolen[0].Actor.Allowlisted {
		t.Fatalf("stolen key: %+v, want one medium finding by an allow-listed actor", stolen)
	}
	why := strings.Join(stolen[0].Reasons, "; ")
	if !strings.Contains(why, "allow-listed identity from a new network 203.0.113.0/24 (usual: 198.51.100.0/24), learned: the allow-list does not cap it") {
		t.Errorf("reasons %q do not say why", why)
	}
}
