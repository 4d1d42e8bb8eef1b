package enrich

import (
	"fmt"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

const uaTerraform = "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0 aws-sdk-go-v2/1.25.3"

// pipelineCall is a call by a session of the TerraformDeploy role.
func pipelineCall(at, ip, ua, session string) string {
	return rec("sso.amazonaws.com", "CreateAccountAssignment", at, ip, ua,
		fmt.Sprintf(`,"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/TerraformDeploy/%s","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::111111111111:role/TerraformDeploy"}}}`, session))
}

func TestAllowlistedBaseline(t *testing.T) {
	learned := "admins: [\"arn:aws:iam::111111111111:role/TerraformDeploy\"]"
	declared := "admins: [{pattern: \"arn:aws:iam::111111111111:role/TerraformDeploy\", networks: [198.51.100.0/24], clients: [terraform]}]"
	netOnly := "admins: [{pattern: \"arn:aws:iam::111111111111:role/TerraformDeploy\", networks: [198.51.100.0/24]}]"
	cases := []struct {
		name, cfg string
		events    []string
		newNet    bool
		newClient bool
		reason    string // substring of portcullis.actor.unusual ("" = unset)
	}{
		{"first sighting establishes the baseline", learned, []string{
			pipelineCall("2026-11-02T10:00:00Z", "198.51.100.7", uaTerraform, "run-1"),
		}, false, false, ""},
		{"routine run from the usual address", learned, []string{
			pipelineCall("2026-11-02T10:00:00Z", "198.51.100.7", uaTerraform, "run-1"),
			pipelineCall("2026-11-02T14:00:00Z", "198.51.100.9", uaTerraform, "run-2"),
		}, false, false, ""},
		{"stolen key from elsewhere with boto3", learned, []string{
			pipelineCall("2026-11-02T10:00:00Z", "198.51.100.7", uaTerraform, "run-1"),
			pipelineCall("2026-11-02T14:00:00Z", "203.0.113.66", uaBoto, "x"),
		}, true, true, "allow-listed identity from a new network 203.0.113.0/24 (usual: 198.51.100.0/24) and with a new client family aws-sdk-python (usual: terraform), learned"},
		{"the second action from the new network is still new", learned, []string{
			pipelineCall("2026-11-02T10:00:00Z", "198.51.100.7", uaTerraform, "run-1"),
			pipelineCall("2026-11-02T14:00:00Z", "203.0.113.66", uaTerraform, "x"),
			pipelineCall("2026-11-02T14:05:00Z", "203.0.113.66", uaTerraform, "x"),
		}, true, false, "new network 203.0.113.0/24"},
		{"a new network settles after a day", learned, []string{
			pipelineCall("2026-11-02T10:00:00Z", "198.51.100.7", uaTerraform, "run-1"),
			pipelineCall("2026-11-02T14:00:00Z", "203.0.113.66", uaTerraform, "x"),
			pipelineCall("2026-11-03T14:30:00Z", "203.0.113.66", uaTerraform, "y"),
		}, false, false, ""},
		{"AWS itself is no network", learned, []string{
			pipelineCall("2026-11-02T10:00:00Z", "198.51.100.7", uaTerraform, "run-1"),
			pipelineCall("2026-11-02T14:00:00Z", "cloudformation.amazonaws.com", uaTerraform, "run-2"),
		}, false, false, ""},
		{"declared: inside", declared, []string{
			pipelineCall("2026-11-02T10:00:00Z", "198.51.100.7", uaTerraform, "run-1"),
		}, false, false, ""},
		{"declared: outside from the first call", declared, []string{
			pipelineCall("2026-11-02T10:00:00Z", "203.0.113.66", uaBoto, "x"),
		}, true, true, "(usual: 198.51.100.0/24) and with a new client family aws-sdk-python (usual: terraform), declared in the config"},
		{"declared networks only: clients are not judged", netOnly, []string{
			pipelineCall("2026-11-02T10:00:00Z", "198.51.100.7", uaBoto, "x"),
		}, false, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(c.cfg))
			if err != nil {
				t.Fatal(err)
			}
			e := New(cfg, idc.New("test"))
			var last map[string]any
			for _, js := range c.events {
				ev := decode(t, js)
				e.Enrich(ev)
				last = ev.Derived
			}
			if last["portcullis.actor.allowlisted"] != true {
				t.Fatal("pipeline not allow-listed")
			}
			if last["portcullis.actor.new_network"] != c.newNet || last["portcullis.actor.new_client"] != c.newClient {
				t.Errorf("new_network %v new_client %v, want %v %v", last["portcullis.actor.new_network"], last["portcullis.actor.new_client"], c.newNet, c.newClient)
			}
			got, _ := last["portcullis.actor.unusual"].(string)
			if (c.reason == "") != (got == "") || !strings.Contains(got, c.reason) {
				t.Errorf("unusual = %q, want %q", got, c.reason)
			}
		})
	}
}

// TestBaselineBounded: networks per identity and identities are capped.
func TestBaselineBounded(t *testing.T) {
	cfg, err := config.Parse([]byte(`admins: ["arn:aws:iam::111111111111:role/*"]`))
	if err != nil {
		t.Fatal(err)
	}
	e := New(cfg, idc.New("test"))
	e.baselines.max = 3
	for i := range 50 {
		e.Enrich(decode(t, pipelineCall(fmt.Sprintf("2026-11-02T10:%02d:00Z", i), fmt.Sprintf("198.51.%d.7", i), uaTerraform, "r")))
	}
	b, ok := e.baselines.get("arn:aws:iam::111111111111:role/TerraformDeploy")
	if !ok || len(b.Networks) != maxBaselineNetworks {
		t.Fatalf("baseline keeps %d networks, want %d", len(b.Networks), maxBaselineNetworks)
	}
	for i := range 5 {
		js := strings.ReplaceAll(pipelineCall("2026-11-02T12:00:00Z", "198.51.100.7", uaTerraform, "r"), "TerraformDeploy", fmt.Sprintf("Role%d", i))
		e.Enrich(decode(t, js))
	}
	if e.baselines.len() != 3 {
		t.Errorf("%d baselines kept, want 3", e.baselines.len())
	}
}
