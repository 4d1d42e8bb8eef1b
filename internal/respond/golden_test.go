package respond

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/golden"
)

// scenario is one persistence technique and the plan that contains it.
type scenario struct {
	name    string
	input   func(t *testing.T) Input
	wantOps []string // operations in order; "!" marks a manual step
}

func scenarios() []scenario {
	return []scenario{
		{
			name:    "rogue-assignment-user",
			input:   func(t *testing.T) Input { return Input{Finding: loadFinding(t, findAssignment)} },
			wantOps: []string{"PutInlinePolicyToPermissionSet", "ProvisionPermissionSet", "DeleteAccountAssignment"},
		},
		{
			name:    "rogue-group-membership",
			input:   func(t *testing.T) Input { return Input{Finding: loadFinding(t, findMembership)} },
			wantOps: []string{"PutInlinePolicyToPermissionSet", "ProvisionPermissionSet", "DeleteGroupMembership"},
		},
		{
			name:  "backdoor-permission-set",
			input: func(t *testing.T) Input { return Input{Finding: loadFinding(t, findBackdoor)} },
			wantOps: []string{"PutInlinePolicyToPermissionSet", "DetachManagedPolicyFromPermissionSet", "DetachManagedPolicyFromPermissionSet",
				"UpdatePermissionSet", "ProvisionPermissionSet", "DeleteAccountAssignment", "DeleteAccountAssignment", "DeletePermissionSet"},
		},
		{
			name:    "backdoored-existing-set",
			input:   func(t *testing.T) Input { return Input{Finding: loadFinding(t, findAttached)} },
			wantOps: []string{"PutInlinePolicyToPermissionSet", "DetachManagedPolicyFromPermissionSet", "UpdatePermissionSet", "ProvisionPermissionSet"},
		},
		{
			name:  "scim-external-user",
			input: func(t *testing.T) Input { return Input{Principal: "eve@example.com"} },
			wantOps: []string{"PutInlinePolicyToPermissionSet", "ProvisionPermissionSet", "PutInlinePolicyToPermissionSet", "ProvisionPermissionSet",
				"PutInlinePolicyToPermissionSet", "ProvisionPermissionSet", "DeleteAccountAssignment",
				"GetGroupMembershipId", "DeleteGroupMembership", "DeleteGroupMembership", "!", "!"},
		},
		{
			name: "delegated-admin-scp",
			input: func(t *testing.T) Input {
				return Input{Finding: loadFinding(t, findAssignment), DelegatedAdmin: true, Revoke: RevokeBoth, Region: "eu-west-1"}
			},
			wantOps: []string{"!PutInlinePolicyToPermissionSet", "!ProvisionPermissionSet", "CreatePolicy", "AttachPolicy", "AttachPolicy", "DeleteAccountAssignment"},
		},
		{
			name:    "account-scp",
			input:   func(t *testing.T) Input { return Input{Account: "444444444444"} },
			wantOps: []string{"CreatePolicy", "AttachPolicy"},
		},
	}
}

func stepOps(p *ContainmentPlan) []string {
	var out []string
	for _, s := range p.Steps {
		op := ""
		if s.Call != nil {
			op = s.Call.Operation
		}
		if s.Manual {
			op = "!" + op
		}
		out = append(out, op)
	}
	return out
}

func TestGoldenPlans(t *testing.T) {
	m, cfg := loadModel(t), loadConfig(t)
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			p, err := Plan(sc.input(t), m, cfg, planTime)
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if got := stepOps(p); !slices.Equal(got, sc.wantOps) {
				t.Errorf("steps\n got %q\nwant %q", got, sc.wantOps)
			}
			if err := p.VerifyHash(); err != nil {
				t.Error(err)
			}
			for _, f := range []struct{ format, ext string }{{FormatText, "txt"}, {FormatJSON, "json"}, {FormatShell, "sh"}} {
				var buf bytes.Buffer
				if err := RenderPlan(&buf, p, f.format); err != nil {
					t.Fatalf("render %s: %v", f.format, err)
				}
				golden.Check(t, filepath.Join("testdata", "golden", sc.name+"."+f.ext), buf.Bytes())
				if f.format == FormatShell {
					bashSyntax(t, buf.Bytes())
				}
				if f.format == FormatJSON {
					back, err := ReadPlan(&buf, sc.name)
					if err != nil {
						t.Fatalf("ReadPlan: %v", err)
					}
					if back.Hash != p.Hash || len(back.Steps) != len(p.Steps) {
						t.Errorf("JSON round trip changed the plan")
					}
				}
			}
		})
	}
}

// bashSyntax runs bash -n on a script when bash is installed.
func bashSyntax(t *testing.T, script []byte) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Log("bash not installed: syntax not checked")
		return
	}
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = bytes.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
}

func TestPlanDetails(t *testing.T) {
	m, cfg := loadModel(t), loadConfig(t)
	t.Run("rogue assignment denies the user by id and deletes only that assignment", func(t *testing.T) {
		p, err := Plan(Input{Finding: loadFinding(t, findAssignment)}, m, cfg, planTime)
		if err != nil {
			t.Fatal(err)
		}
		put := p.Steps[0].Call.Params["InlinePolicy"].(string)
		if !strings.Contains(put, `"identitystore:userId":"`+userMallory+`"`) || strings.Contains(put, "TokenIssueTime") {
			t.Errorf("deny statement: %s", put)
		}
		del := p.Steps[2].Call.Params
		if del["TargetId"] != "333333333333" || del["PrincipalId"] != userMallory || del["PermissionSetArn"] != psAdmin {
			t.Errorf("delete params: %v", del)
		}
		if !slices.Contains(p.Notes, "The change was made by trent@example.com (Identity Center user "+userTrent+"). If that identity is compromised, contain it too: portcullis contain --principal "+userTrent) {
			t.Errorf("notes miss the actor hint: %q", p.Notes)
		}
	})
	t.Run("SCP denies both role path shapes and keys on the issue time", func(t *testing.T) {
		p, err := Plan(Input{Finding: loadFinding(t, findAssignment), DelegatedAdmin: true, Revoke: RevokeBoth}, m, cfg, planTime)
		if err != nil {
			t.Fatal(err)
		}
		content := p.Steps[2].Call.Params["Content"].(string)
		for _, want := range []string{
			`"aws:TokenIssueTime":"2026-03-02T09:30:00Z"`,
			`arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_????????????????`,
			`arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_AdministratorAccess_????????????????`,
		} {
			if !strings.Contains(content, want) {
				t.Errorf("SCP lacks %s: %s", want, content)
			}
		}
		for _, s := range p.Steps[3:5] {
			if s.Call.Refs["PolicyId"].Step != p.Steps[2].ID || slices.Contains([]any{"111111111111"}, s.Call.Params["TargetId"]) {
				t.Errorf("attach step %s: %+v", s.ID, s.Call)
			}
		}
	})
	t.Run("finding that records a removal has nothing to contain", func(t *testing.T) {
		_, err := Plan(Input{Finding: loadFinding(t, findDeleted)}, m, cfg, planTime)
		if err == nil || !strings.Contains(err.Error(), "records a removal") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("management account cannot be contained by SCP", func(t *testing.T) {
		_, err := Plan(Input{Account: "111111111111"}, m, cfg, planTime)
		if err == nil || !strings.Contains(err.Error(), "management account") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("user-keyed revocation needs a user", func(t *testing.T) {
		_, err := Plan(Input{PermissionSet: "DevAccess", Revoke: RevokeUser}, m, cfg, planTime)
		if err == nil || !strings.Contains(err.Error(), "needs a user principal") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("unknown principal is an error", func(t *testing.T) {
		_, err := Plan(Input{Principal: "nobody@example.com"}, m, cfg, planTime)
		if err == nil || !strings.Contains(err.Error(), "neither a user nor a group") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("per-account provisioning", func(t *testing.T) {
		p, err := Plan(Input{Finding: loadFinding(t, findMembership), ProvisionPerAccount: true}, m, cfg, planTime)
		if err != nil {
			t.Fatal(err)
		}
		var targets []string
		for _, s := range p.Steps {
			if s.Call.Operation == "ProvisionPermissionSet" {
				targets = append(targets, s.Call.Params["TargetType"].(string)+":"+s.Call.Params["TargetId"].(string))
			}
		}
		want := []string{"AWS_ACCOUNT:111111111111", "AWS_ACCOUNT:333333333333", "AWS_ACCOUNT:444444444444"}
		if !slices.Equal(targets, want) {
			t.Errorf("provisioning targets %q, want %q", targets, want)
		}
	})
	t.Run("a group principal loses its assignments; everyone's sessions are cut", func(t *testing.T) {
		p, err := Plan(Input{Principal: "Developers"}, m, cfg, planTime)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := stepOps(p), []string{"PutInlinePolicyToPermissionSet", "ProvisionPermissionSet", "DeleteAccountAssignment"}; !slices.Equal(got, want) {
			t.Errorf("steps %q, want %q", got, want)
		}
		if p.Options.Revoke != RevokeIssuedBefore || p.Steps[2].Call.Params["PrincipalType"] != "GROUP" {
			t.Errorf("plan %+v", p.Options)
		}
	})
	t.Run("revoke none keeps only the removals", func(t *testing.T) {
		p, err := Plan(Input{Finding: loadFinding(t, findAssignment), Revoke: RevokeNone}, m, cfg, planTime)
		if err != nil {
			t.Fatal(err)
		}
		if got := stepOps(p); !slices.Equal(got, []string{"DeleteAccountAssignment"}) {
			t.Errorf("steps %q", got)
		}
	})
	t.Run("same input, same plan", func(t *testing.T) {
		a, err := Plan(Input{Finding: loadFinding(t, findBackdoor)}, m, cfg, planTime)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Plan(Input{Finding: loadFinding(t, findBackdoor)}, m, cfg, planTime)
		if err != nil {
			t.Fatal(err)
		}
		if a.Hash != b.Hash {
			t.Errorf("hash differs across runs: %s vs %s", a.Hash, b.Hash)
		}
	})
}
