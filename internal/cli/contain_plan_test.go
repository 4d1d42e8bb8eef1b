package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/respond"
)

const (
	developerPS6 = "arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000003"
	instance6    = "arn:aws:sso:::instance/ssoins-7223c0ffee600006"
)

// livePlan writes the JSON plan for a finding, built from the fake's live
// state, to a file and returns it parsed.
func livePlan(t *testing.T, s *awsfake.Server, dir string) (string, *respond.ContainmentPlan) {
	t.Helper()
	r := runCLI(t, "contain", "--findings", containDir.file("findings.jsonl"), "--finding", findingAssign, "--from", "aws",
		"--endpoint", s.URL, "--config", containDir.file("portcullis.yaml"), "--region", "eu-west-1", "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("plan: exit %d: %s", r.code, r.stderr)
	}
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := respond.ReadPlan(strings.NewReader(r.stdout), path)
	if err != nil {
		t.Fatal(err)
	}
	if p.State == nil || len(p.State.Objects) == 0 {
		t.Fatal("the JSON plan carries no state digest")
	}
	s.ResetCalls()
	return path, p
}

func applyPlanFile(s *awsfake.Server, dir, plan string) run56Args {
	return run56Args{"contain", "--plan", plan, "--from", "aws", "--endpoint", s.URL, "--apply", "--yes",
		"--audit", filepath.Join(dir, "audit.jsonl"), "--state", filepath.Join(dir, "state.json")}
}

type run56Args []string

// planWrites are the write operations of a plan's automated steps, in order.
func planWrites(p *respond.ContainmentPlan) []string {
	var out []string
	for _, st := range p.Steps {
		if st.Call != nil && !st.Manual {
			out = append(out, st.Call.Operation)
		}
	}
	return out
}

// TestContainReviewedPlan: a plan written by --format json is applied as
// written when the live state still matches it; it is refused, naming what
// moved, when the state changed in between; and refused when edited.
func TestContainReviewedPlan(t *testing.T) {
	awsEnv(t, "eu-west-1")

	t.Run("applies the file's steps", func(t *testing.T) {
		s := fakeFrom(t, containDir.file("snapshot.json"))
		dir := t.TempDir()
		path, p := livePlan(t, s, dir)
		r := runCLI(t, applyPlanFile(s, dir, path)...)
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if got, want := writeOps(s), planWrites(p); !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("writes %v, want the plan's %v", got, want)
		}
		audit, _ := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
		if !strings.Contains(string(audit), `"plan":"`+p.Hash+`"`) {
			t.Errorf("audit log does not carry the file's plan hash %s", p.Hash)
		}
	})

	t.Run("state moved", func(t *testing.T) {
		s := fakeFrom(t, containDir.file("snapshot.json"))
		dir := t.TempDir()
		path, _ := livePlan(t, s, dir)
		// Between review and apply, mallory gets one more assignment.
		c := ssoadmin.NewFromConfig(s.Config())
		if _, err := c.CreateAccountAssignment(context.Background(), &ssoadmin.CreateAccountAssignmentInput{
			InstanceArn: aws.String(instance6), PermissionSetArn: aws.String(developerPS6), PrincipalId: aws.String(mallory6),
			PrincipalType: ssotypes.PrincipalTypeUser, TargetId: aws.String("333333333333"), TargetType: ssotypes.TargetTypeAwsAccount,
		}); err != nil {
			t.Fatal(err)
		}
		s.ResetCalls()
		r := runCLI(t, applyPlanFile(s, dir, path)...)
		if r.code != ExitError {
			t.Fatalf("exit %d, want %d: %s", r.code, ExitError, r.stderr)
		}
		if !strings.Contains(r.stderr, "the assignments of user "+mallory6+" changed") || !strings.Contains(r.stderr, "refusing") {
			t.Errorf("stderr does not name what moved:\n%s", r.stderr)
		}
		if w := writeOps(s); len(w) != 0 {
			t.Errorf("writes reached AWS: %v", w)
		}
	})

	t.Run("edited plan", func(t *testing.T) {
		s := fakeFrom(t, containDir.file("snapshot.json"))
		dir := t.TempDir()
		path, _ := livePlan(t, s, dir)
		var doc map[string]any
		b, _ := os.ReadFile(path)
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		steps := doc["steps"].([]any)
		last := steps[len(steps)-1].(map[string]any)
		last["call"].(map[string]any)["params"].(map[string]any)["TargetId"] = "333333333333"
		b, _ = json.Marshal(doc)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, applyPlanFile(s, dir, path)...)
		if r.code != ExitError || !strings.Contains(r.stderr, "the plan was edited") {
			t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
		}
		if len(s.Calls()) != 0 {
			t.Errorf("%d calls reached AWS", len(s.Calls()))
		}
	})

	t.Run("flags that shape a plan are refused", func(t *testing.T) {
		r := runCLI(t, "contain", "--plan", "x.json", "--principal", mallory6, "--from", "aws")
		if r.code != ExitError || !strings.Contains(r.stderr, "drop --principal") {
			t.Errorf("exit %d, stderr %s", r.code, r.stderr)
		}
	})
}

// TestContainLift: after a containment, --lift removes exactly the
// PortcullisDeny… statements (the set's own statements stay), re-provisions,
// and with the run's state file detaches and deletes the SCP it created.
// Dry run by default.
func TestContainLift(t *testing.T) {
	awsEnv(t, "eu-west-1")
	s := fakeFrom(t, containDir.file("snapshot.json"))
	before := s.Model().PermissionSets[developerPS6].InlinePolicy
	dir := t.TempDir()
	contain := func(state string, args ...string) {
		t.Helper()
		all := append([]string{"contain", "--from", "aws", "--endpoint", s.URL, "--config", containDir.file("portcullis.yaml"), "--apply", "--yes",
			"--audit", filepath.Join(dir, "audit.jsonl"), "--state", state}, args...)
		if r := runCLI(t, all...); r.code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
	}
	contain(filepath.Join(dir, "dev.state.json"), "--permission-set", "Developer", "--revoke", "issued-before")
	contained := s.Model().PermissionSets[developerPS6].InlinePolicy
	if !strings.Contains(contained, "PortcullisDenyIssuedBefore") || !strings.Contains(contained, `"ReadLogs"`) {
		t.Fatalf("containment did not merge the deny: %s", contained)
	}

	s.ResetCalls()
	r := runCLI(t, "contain", "--lift", "--permission-set", "Developer", "--from", "aws", "--endpoint", s.URL)
	if r.code != ExitOK || !strings.Contains(r.stdout, "Remove PortcullisDenyIssuedBefore from the inline policy of Developer") {
		t.Fatalf("dry run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if w := writeOps(s); len(w) != 0 {
		t.Fatalf("the dry run wrote: %v", w)
	}

	r = runCLI(t, "contain", "--lift", "--permission-set", "Developer", "--from", "aws", "--endpoint", s.URL,
		"--apply", "--yes", "--audit", filepath.Join(dir, "audit.jsonl"), "--state", filepath.Join(dir, "lift1.state.json"))
	if r.code != ExitOK {
		t.Fatalf("lift: exit %d: %s", r.code, r.stderr)
	}
	if got := writeOps(s); !slices.Equal(got, []string{"PutInlinePolicyToPermissionSet", "ProvisionPermissionSet"}) {
		t.Errorf("lift writes %v", got)
	}
	if got := s.Model().PermissionSets[developerPS6].InlinePolicy; compactJSON(t, got) != compactJSON(t, before) {
		t.Errorf("after the lift the inline policy is\n%s\nwant the original\n%s", got, before)
	}

	// An SCP containment of one account, lifted from its state file.
	state := filepath.Join(dir, "acct.state.json")
	contain(state, "--account", "333333333333", "--revoke", "issued-before")
	var ours []string
	for _, p := range s.Policies() {
		if strings.HasPrefix(p.Name, "portcullis-contain-") {
			ours = append(ours, p.ID)
		}
	}
	if len(ours) != 1 {
		t.Fatalf("SCPs created: %v", ours)
	}
	s.ResetCalls()
	r = runCLI(t, "contain", "--lift", "--lift-state", state, "--from", "aws", "--endpoint", s.URL,
		"--apply", "--yes", "--audit", filepath.Join(dir, "audit.jsonl"), "--state", filepath.Join(dir, "lift2.state.json"))
	if r.code != ExitOK {
		t.Fatalf("lift SCP: exit %d: %s", r.code, r.stderr)
	}
	if got := writeOps(s); !slices.Equal(got, []string{"DetachPolicy", "DeletePolicy"}) {
		t.Errorf("lift writes %v", got)
	}
	for _, p := range s.Policies() {
		if p.ID == ours[0] {
			t.Errorf("the containment SCP %s is still there", p.ID)
		}
	}
}

func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
