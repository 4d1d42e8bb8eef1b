package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/respond"
	"github.com/portcullis-sec/portcullis/internal/respond/apply"
)

const (
	// Findings in testdata/contain/findings.jsonl.
	findingAssign     = "pf-6a0000000000000000000001" // mallory given Admin in prod
	findingMembership = "pf-6a0000000000000000000002" // trent (SCIM) added to Admins
	findingPermSet    = "pf-6a0000000000000000000003" // rogue permission set Backdoor

	adminPS6 = "arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000001"
	mallory6 = "9067c0ff06-aaaa0002-0000-4000-8000-000000000002"
	trent6   = "9067c0ff06-aaaa0003-0000-4000-8000-000000000003"
	admins6  = "9067c0ff06-bbbb0001-0000-4000-8000-000000000001"
)

// containArgs plans a finding against the snapshot of testdata/contain.
func containArgs(id string, extra ...string) []string {
	return append([]string{"contain", "--findings", containDir.file("findings.jsonl"), "--finding", id,
		"--snapshot", containDir.file("snapshot.json"), "--config", containDir.file("portcullis.yaml"), "--region", "eu-west-1"}, extra...)
}

// applyArgs adds --apply with the fake's endpoint and files in a temp dir.
func applyArgs(s *awsfake.Server, dir string, args []string, extra ...string) []string {
	return append(append(args, "--apply", "--endpoint", s.URL,
		"--audit", filepath.Join(dir, "audit.jsonl"), "--state", filepath.Join(dir, "state.json")), extra...)
}

// writeOps lists the operations that change state, in order.
func writeOps(s *awsfake.Server) []string {
	var ops []string
	for _, c := range s.Calls() {
		if !strings.HasPrefix(c.Operation, "List") && !strings.HasPrefix(c.Operation, "Describe") && !strings.HasPrefix(c.Operation, "Get") {
			ops = append(ops, c.Operation)
		}
	}
	return ops
}

func TestContainPlanGolden(t *testing.T) {
	tests := []struct{ name, id, format string }{
		{"assignment.text", findingAssign, "text"},
		{"assignment.json", findingAssign, "json"},
		{"assignment.sh", findingAssign, "sh"},
		{"membership.text", findingMembership, "text"},
		{"permission-set.sh", findingPermSet, "sh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := session{now: driftNow}.run(t, containArgs(tt.id, "--format", tt.format)...)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			containDir.check(t, "plan-"+tt.name, []byte(r.stdout))
		})
	}
}

// TestContainDryRunIsDefault: without --apply nothing reaches AWS, even
// with an endpoint given.
func TestContainDryRunIsDefault(t *testing.T) {
	awsEnv(t, "eu-west-1")
	s := fakeFrom(t, containDir.file("snapshot.json"))
	r := session{now: driftNow}.run(t, containArgs(findingAssign, "--endpoint", s.URL)...)
	if r.code != ExitOK || len(s.Calls()) != 0 {
		t.Errorf("exit %d, %d calls reached the fake", r.code, len(s.Calls()))
	}
}

// TestContainApply runs a plan against the loopback fake with the real SDK:
// the deny is merged and provisioned before the assignment is deleted, and
// every call carries the portcullis user agent and lands in the audit log.
func TestContainApply(t *testing.T) {
	awsEnv(t, "eu-west-1")
	s := fakeFrom(t, containDir.file("snapshot.json"))
	dir := t.TempDir()
	r := session{now: driftNow}.run(t, applyArgs(s, dir, containArgs(findingAssign), "--yes")...)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := []string{"PutInlinePolicyToPermissionSet", "ProvisionPermissionSet", "DeleteAccountAssignment"}
	if got := writeOps(s); !slices.Equal(got, want) {
		t.Errorf("writes %v, want %v", got, want)
	}
	for _, op := range []string{"GetInlinePolicyForPermissionSet", "DescribePermissionSetProvisioningStatus", "DescribeAccountAssignmentDeletionStatus"} {
		if len(s.CallsTo(op)) == 0 {
			t.Errorf("no %s: the merge read or the wait was skipped", op)
		}
	}
	for _, c := range s.Calls() {
		if !strings.Contains(c.UserAgent, "portcullis/") || c.Error != "" {
			t.Errorf("%s: user agent %q, error %q", c.Operation, c.UserAgent, c.Error)
		}
	}
	m := s.Model()
	if slices.ContainsFunc(m.Assignments, func(a idc.Assignment) bool { return a.PrincipalID == mallory6 && a.PermissionSetARN == adminPS6 }) {
		t.Error("mallory's Admin assignment is still there")
	}
	if !strings.Contains(m.PermissionSets[adminPS6].InlinePolicy, mallory6) {
		t.Errorf("Admin's inline policy has no deny for mallory: %s", m.PermissionSets[adminPS6].InlinePolicy)
	}
	audit, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(audit), `"event":"call"`); n != len(want) {
		t.Errorf("audit log records %d calls, want %d:\n%s", n, len(want), audit)
	}
	st, err := apply.LoadState(filepath.Join(dir, "state.json"))
	if err != nil || len(st.Completed()) != len(st.Plan.Steps) {
		t.Errorf("state: %v, completed %v", err, st)
	}
}

// TestContainApplyManualSteps: trent comes from SCIM, so after the API
// steps the IdP and the SCIM token are left for a person: exit 3. The
// membership id is looked up (GetGroupMembershipId) because the state has none.
func TestContainApplyManualSteps(t *testing.T) {
	awsEnv(t, "eu-west-1")
	s := fakeFrom(t, containDir.file("snapshot.json"))
	r := session{now: driftNow}.run(t, applyArgs(s, t.TempDir(), containArgs(findingMembership), "--yes")...)
	if r.code != ExitFindings || !strings.Contains(r.stderr, "manual step(s) remain") {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	if len(s.CallsTo("GetGroupMembershipId")) != 1 || len(s.CallsTo("DeleteGroupMembership")) != 1 {
		t.Errorf("calls %v", writeOps(s))
	}
	for _, mb := range s.Model().Memberships[admins6] {
		if mb.UserID == trent6 {
			t.Error("trent is still in Admins")
		}
	}
}

// TestContainApplyFailureAndResume: a step fails half-way; the state file
// lets a second run finish without repeating the steps already done.
func TestContainApplyFailureAndResume(t *testing.T) {
	awsEnv(t, "eu-west-1")
	s := fakeFrom(t, containDir.file("snapshot.json"))
	dir := t.TempDir()
	var broken atomic.Bool
	broken.Store(true)
	s.FailWhen("DeleteAccountAssignment", "AccessDeniedException", func(awsfake.Call) bool { return broken.Load() })
	r := session{now: driftNow}.run(t, applyArgs(s, dir, containArgs(findingAssign), "--yes")...)
	state := filepath.Join(dir, "state.json")
	if r.code != ExitError || !strings.Contains(r.stderr, "s03") || !strings.Contains(r.stderr, state) {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	broken.Store(false)
	r = session{now: driftNow}.run(t, "contain", "--resume", state, "--apply", "--yes", "--endpoint", s.URL, "--audit", filepath.Join(dir, "audit.jsonl"))
	if r.code != ExitOK {
		t.Fatalf("resume: exit %d, stderr %s", r.code, r.stderr)
	}
	want := []string{"PutInlinePolicyToPermissionSet", "ProvisionPermissionSet", "DeleteAccountAssignment", "DeleteAccountAssignment"}
	if got := writeOps(s); !slices.Equal(got, want) {
		t.Errorf("writes %v, want %v (the failed delete once, then only it again)", got, want)
	}
}

func TestContainGuardRefusal(t *testing.T) {
	awsEnv(t, "eu-west-1")
	snap := []string{"contain", "--snapshot", containDir.file("snapshot.json"), "--config", containDir.file("portcullis.yaml")}
	tests := []struct {
		name           string
		args           []string
		want           int
		stdout, stderr string
	}{
		{"break-glass set", append(snap, "--permission-set", "BreakGlass"), ExitError, "REFUSED by: break-glass", "[break-glass]"},
		{"last admin path", append(snap, "--principal", "alice@example.com"), ExitError, "REFUSED", "[last-admin-path]"},
		{"refused script is not written", append(snap, "--permission-set", "BreakGlass", "--format", "sh"), ExitError, "", "REFUSED by guard rails"},
		{"one guard forced, another still refuses", append(snap, "--permission-set", "BreakGlass", "--force", "break-glass"), ExitError, "forced     break-glass", "[management-account]"},
		{"every guard forced", append(snap, "--permission-set", "BreakGlass", "--force", "break-glass", "--force", "management-account"), ExitOK, "forced     break-glass, management-account", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeFrom(t, containDir.file("snapshot.json"))
			r := session{now: driftNow}.run(t, applyArgs(s, t.TempDir(), tt.args, "--yes")...)
			if r.code != tt.want || !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", r.code, tt.want, r.stdout, tt.stdout, r.stderr, tt.stderr)
			}
			if tt.stdout == "" && r.stdout != "" {
				t.Errorf("a refused plan wrote a script: %s", r.stdout)
			}
			if n := len(writeOps(s)); tt.want != ExitOK && n != 0 {
				t.Errorf("a refused plan made %d writes", n)
			}
		})
	}
}

// TestContainConfirmation: --apply asks on a terminal unless --yes, and
// refuses outright when nobody can answer.
func TestContainConfirmation(t *testing.T) {
	awsEnv(t, "eu-west-1")
	tests := []struct {
		name       string
		tty        bool
		stdin      string
		want       int
		wantWrites bool
		stderr     string
	}{
		{"no terminal, no --yes", false, "yes\n", ExitError, false, "run on a terminal or pass --yes"},
		{"declined", true, "no\n", ExitError, false, "not confirmed"},
		{"confirmed", true, "yes\n", ExitOK, true, "Type yes to continue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeFrom(t, containDir.file("snapshot.json"))
			dir := t.TempDir()
			r := session{stdin: tt.stdin, stdinTTY: tt.tty, now: driftNow}.run(t, applyArgs(s, dir, containArgs(findingAssign))...)
			if r.code != tt.want || !strings.Contains(r.stderr, tt.stderr) || (len(writeOps(s)) > 0) != tt.wantWrites {
				t.Errorf("exit %d (want %d), writes %v, stderr %s", r.code, tt.want, writeOps(s), r.stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "audit.jsonl")); !tt.tty && err == nil {
				t.Error("an audit log was opened although nothing could run")
			}
		})
	}
}

func TestContainBadInput(t *testing.T) {
	snap := []string{"contain", "--snapshot", containDir.file("snapshot.json")}
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"finding without file", append(snap, "--finding", findingAssign), "--finding ID and --findings FILE go together"},
		{"unknown finding", containArgs("pf-ffffffffffffffff"), "pf-ffffffffffffffff"},
		{"unknown guard", append(snap, "--principal", mallory6, "--force", "everything"), "unknown guard"},
		{"bad revoke", append(snap, "--principal", mallory6, "--revoke", "all"), "--revoke"},
		{"bad revoke-via", append(snap, "--principal", mallory6, "--revoke-via", "iam"), "--revoke-via"},
		{"bad format", append(snap, "--principal", mallory6, "--format", "yaml"), "--format"},
		{"no state", []string{"contain", "--principal", mallory6}, "no state"},
		{"two states", append(snap, "--from", "aws", "--principal", mallory6), "not both"},
		{"nothing to contain", snap, "contain:"},
		{"resume with a new subject", []string{"contain", "--resume", containDir.file("none.state.json"), "--principal", mallory6}, "drop --principal"},
		{"resume a missing state", []string{"contain", "--resume", containDir.file("none.state.json")}, "none.state.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := session{now: driftNow}.run(t, tt.args...)
			if r.code != ExitError || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q (want %q)", r.code, r.stderr, tt.stderr)
			}
		})
	}
}

// TestContainPlanJSONIsAppliable: the JSON plan is the same plan Apply
// would run (hash verified), with the finding as its subject.
func TestContainPlanJSONIsAppliable(t *testing.T) {
	r := session{now: driftNow}.run(t, containArgs(findingAssign, "--format", "json")...)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	p, err := respond.ReadPlan(strings.NewReader(r.stdout), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject.FindingID != findingAssign || p.Subject.PrincipalID != mallory6 || p.Region != "eu-west-1" {
		b, _ := json.Marshal(p.Subject)
		t.Errorf("subject %s, region %q", b, p.Region)
	}
}
