package cli

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	awscollect "github.com/portcullis-sec/portcullis/internal/collect/aws"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/version"
)

func readSnapshot(t *testing.T, s, name string) *idc.Model {
	t.Helper()
	m, err := idc.Read(strings.NewReader(s), name)
	if err != nil {
		t.Fatalf("output is not a snapshot: %v\n%s", err, s)
	}
	return m
}

func assignmentKeys(m *idc.Model) []string {
	var out []string
	for _, a := range m.Assignments {
		out = append(out, a.Key())
	}
	slices.Sort(out)
	return out
}

// TestSnapshotFromAWS runs the real SDK against the loopback fake: the
// snapshot holds every user, group, permission set and assignment of the
// sample, and every call carries the portcullis user agent.
func TestSnapshotFromAWS(t *testing.T) {
	awsEnv(t, "us-east-1")
	want := awsfake.Sample()
	srv := awsfake.New(want)
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "idc.json")

	for _, tc := range []struct {
		name string
		args []string
		file string // where the snapshot lands; "" = stdout
	}{
		{"stdout", []string{"snapshot", "--from", "aws", "--endpoint", srv.URL}, ""},
		{"out file, one request at a time", []string{"snapshot", "--from", "aws", "--endpoint", srv.URL, "--concurrency", "1", "--out", out}, out},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetCalls()
			r := runCLI(t, tc.args...)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			text := r.stdout
			if tc.file != "" {
				if r.stdout != "" {
					t.Errorf("stdout should be empty with --out, got %q", r.stdout)
				}
				b, err := os.ReadFile(tc.file)
				if err != nil {
					t.Fatal(err)
				}
				text = string(b)
			}
			m := readSnapshot(t, text, "snapshot")
			if m.From != "aws" || m.Partial || !m.CapturedAt.Equal(testNow) {
				t.Errorf("from=%q partial=%v captured_at=%s", m.From, m.Partial, m.CapturedAt)
			}
			for _, c := range []struct {
				what      string
				got, want []string
			}{
				{"users", slices.Sorted(maps.Keys(m.Users)), slices.Sorted(maps.Keys(want.Users))},
				{"groups", slices.Sorted(maps.Keys(m.Groups)), slices.Sorted(maps.Keys(want.Groups))},
				{"permission sets", slices.Sorted(maps.Keys(m.PermissionSets)), slices.Sorted(maps.Keys(want.PermissionSets))},
				{"assignments", assignmentKeys(m), assignmentKeys(want)},
			} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s:\n got %v\nwant %v", c.what, c.got, c.want)
				}
			}
			calls := srv.Calls()
			if len(calls) == 0 {
				t.Fatal("no call reached the fake")
			}
			for _, c := range calls {
				if !strings.Contains(c.UserAgent, "portcullis/"+version.String()) {
					t.Fatalf("%s user agent %q lacks portcullis/%s", c.Operation, c.UserAgent, version.String())
				}
			}
			if !strings.Contains(r.stderr, "aws: snapshot of") {
				t.Errorf("stderr lacks the collector's summary: %s", r.stderr)
			}
		})
	}
}

// TestSnapshotFromAWSPartial: a snapshot that could not be completed is
// never written as complete.
func TestSnapshotFromAWSPartial(t *testing.T) {
	awsEnv(t, "us-east-1")
	for _, tc := range []struct {
		name, op  string
		allow     bool
		wantCode  int
		wantErr   string // in stderr
		wantWrite bool
	}{
		{"failed read is an error", "GetInlinePolicyForPermissionSet", false, ExitError, "GetInlinePolicyForPermissionSet", false},
		{"failed read with --allow-partial", "GetInlinePolicyForPermissionSet", true, ExitBadInput, "PARTIAL", true},
		{"organizations denied still needs --allow-partial", "DescribeOrganization", false, ExitError, "--allow-partial", false},
		{"organizations denied with --allow-partial", "DescribeOrganization", true, ExitBadInput, "DescribeOrganization", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := awsfake.New(awsfake.Sample())
			defer srv.Close()
			srv.FailAlways(tc.op, "AccessDeniedException")
			out := filepath.Join(t.TempDir(), "idc.json")
			args := []string{"snapshot", "--from", "aws", "--endpoint", srv.URL, "--out", out}
			if tc.allow {
				args = append(args, "--allow-partial")
			}
			r := runCLI(t, args...)
			if r.code != tc.wantCode || !strings.Contains(r.stderr, tc.wantErr) {
				t.Fatalf("exit %d (want %d), stderr lacks %q:\n%s", r.code, tc.wantCode, tc.wantErr, r.stderr)
			}
			b, err := os.ReadFile(out)
			if !tc.wantWrite {
				if err == nil {
					t.Fatalf("an incomplete snapshot was written to %s", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m := readSnapshot(t, string(b), out)
			if !m.Partial || len(m.Missing) == 0 || !strings.Contains(strings.Join(m.Missing, "\n"), tc.op) {
				t.Errorf("written snapshot partial=%v missing=%v, want it marked partial naming %s", m.Partial, m.Missing, tc.op)
			}
			for _, miss := range m.Missing {
				if !strings.Contains(r.stderr, miss) {
					t.Errorf("stderr does not list missing %q", miss)
				}
			}
			// Without Organizations nobody can say no delegated admin exists.
			if tc.op == "DescribeOrganization" && (m.Knows(idc.FactDelegatedAdmin) || m.Knows(idc.FactManagementAccount)) {
				t.Errorf("unknown %v: the delegated admin and management account were not read", m.Unknown)
			}
		})
	}
}

func TestSnapshotPrintPolicy(t *testing.T) {
	r := runCLI(t, "snapshot", "--print-policy")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.TrimSpace(r.stdout) != strings.TrimSpace(string(awscollect.Policy())) {
		t.Errorf("printed policy differs from awscollect.Policy()")
	}
	var doc struct {
		Statement []struct{ Action []string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("policy is not JSON: %v", err)
	}
	var actions []string
	for _, s := range doc.Statement {
		actions = append(actions, s.Action...)
	}
	for _, a := range awscollect.Actions() {
		if !slices.Contains(actions, a.IAM) {
			t.Errorf("policy lacks %s", a.IAM)
		}
	}
}

// TestSnapshotFromFiles covers the file-based sources with golden output.
func TestSnapshotFromFiles(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		golden string
		code   int
		stderr string
	}{
		{"terraform raw state", []string{"snapshot", "--from", "terraform", modelDir.file("sso.tfstate")}, "terraform.snapshot.json", ExitOK, "snapshot from terraform: 1 accounts, 2 users, 1 groups, 2 permission sets, 2 assignments"},
		{"events onto a base, before its captured_at skipped", []string{"snapshot", "--from", "events", "--base", modelDir.file("org.snapshot.json"), modelDir.file("events.json")}, "events.snapshot.json", ExitOK, "3 changes applied, 0 could not be applied"},
		{"events with --since before the base", []string{"snapshot", "--from", "events", "--base", modelDir.file("org.snapshot.json"), "--since", "2026-10-01", modelDir.file("events.json")}, "events-since.snapshot.json", ExitOK, "4 changes applied"},
		{"events onto an empty model", []string{"snapshot", "--from", "events", modelDir.file("events.json")}, "events-nobase.snapshot.json", ExitOK, "replayed 1 files"},
		{"a write that cannot be applied", []string{"snapshot", "--from", "events", "--base", modelDir.file("org.snapshot.json"), modelDir.file("bad-events.json")}, "bad-events.snapshot.json", ExitBadInput, "requestParameters.principalId"},
		{"file normalised", []string{"snapshot", "--from", "file", modelDir.file("org.snapshot.json")}, "file.snapshot.json", ExitOK, "snapshot from file: 4 accounts"},
		{"partial file stays partial", []string{"snapshot", "--from", "file", modelDir.file("partial.snapshot.json")}, "partial.snapshot.json", ExitBadInput, "identitystore:ListGroups"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d (want %d), stderr lacks %q:\n%s", r.code, tc.code, tc.stderr, r.stderr)
			}
			readSnapshot(t, r.stdout, tc.golden)
			modelDir.check(t, tc.golden, []byte(r.stdout))
		})
	}
}

// TestSnapshotEventsReplay checks the replayed state itself, not only its
// rendering: the grants the events made and removed, and what was ignored.
func TestSnapshotEventsReplay(t *testing.T) {
	r := runCLI(t, "snapshot", "--from", "events", "--base", modelDir.file("org.snapshot.json"), modelDir.file("events.json"))
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	m := readSnapshot(t, r.stdout, "replay")
	has := func(acct, ps, typ, id string) bool {
		return slices.Contains(assignmentKeys(m), idc.Assignment{AccountID: acct, PermissionSetARN: ps, PrincipalType: typ, PrincipalID: id}.Key())
	}
	const admin, read = "arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-admin", "arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-read"
	for _, c := range []struct {
		what string
		ok   bool
	}{
		{"group devs granted Admin in prod", has("333333333333", admin, "GROUP", "g-devs")},
		{"carol's ReadOnly in dev removed", !has("444444444444", read, "USER", "u-carol")},
		{"failed call (errorCode) not applied", !has("111111111111", admin, "USER", "u-carol")},
		{"event before the base's captured_at not replayed", has("444444444444", admin, "USER", "u-dave")},
		{"alice joined developers", slices.ContainsFunc(m.Memberships["g-devs"], func(x idc.Membership) bool { return x.UserID == "u-alice" })},
		{"captured_at is the last change", m.CapturedAt.Equal(time.Date(2026, 11, 2, 9, 15, 0, 0, time.UTC))},
		{"from events", m.From == "events"},
	} {
		if !c.ok {
			t.Errorf("%s: no", c.what)
		}
	}
}

// TestSnapshotRealTerraformPlan reads the real `terraform show -json` plan
// kept beside the repository.
func TestSnapshotRealTerraformPlan(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "reference-events", "terraform", "aws-ia.terraform-show-json.plan.tf.json")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("reference file required in CI: %v", err)
		}
		t.Skipf("reference file absent: %v", err)
	}
	r := runCLI(t, "snapshot", "--from", "terraform", path)
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	m := readSnapshot(t, r.stdout, path)
	if m.InstanceARN == "" || m.From != "terraform" || len(m.PermissionSets) != 0 {
		t.Errorf("prior_state: instance %q from %q, %d permission sets (nothing is deployed yet)", m.InstanceARN, m.From, len(m.PermissionSets))
	}
	r = runCLI(t, "snapshot", "--from", "terraform", "--planned", path)
	if r.code != ExitOK && r.code != ExitBadInput {
		t.Fatalf("--planned: exit %d: %s", r.code, r.stderr)
	}
	m = readSnapshot(t, r.stdout, path)
	if _, ok := m.PermissionSetByName("AdministratorAccess"); !ok {
		t.Errorf("--planned: the planned permission set is missing: %v", slices.Sorted(maps.Keys(m.PermissionSets)))
	}
}

// TestSnapshotBadInput: each mistake is an error naming the thing.
func TestSnapshotBadInput(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.json")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no --from", []string{"snapshot"}, "--from is required"},
		{"unknown --from", []string{"snapshot", "--from", "cloudformation"}, `unknown source "cloudformation"`},
		{"missing snapshot file", []string{"snapshot", "--from", "file", missing}, missing},
		{"malformed snapshot", []string{"snapshot", "--from", "file", modelDir.file("malformed.snapshot.json")}, "malformed.snapshot.json"},
		{"missing terraform file", []string{"snapshot", "--from", "terraform", missing}, missing},
		{"malformed terraform resource", []string{"snapshot", "--from", "terraform", modelDir.file("bad-address.tfstate")}, "module.identity_center.aws_ssoadmin_account_assignment.grant"},
		{"--planned on a state", []string{"snapshot", "--from", "terraform", "--planned", modelDir.file("sso.tfstate")}, "not a plan"},
		{"missing events path", []string{"snapshot", "--from", "events", missing}, missing},
		{"missing base", []string{"snapshot", "--from", "events", "--base", missing, modelDir.file("events.json")}, "--base"},
		{"bad --since", []string{"snapshot", "--from", "events", "--since", "yesterday", modelDir.file("events.json")}, "--since"},
		{"--since after --until", []string{"snapshot", "--from", "events", "--since", "2026-11-03", "--until", "2026-11-02", modelDir.file("events.json")}, "is not before --until"},
		{"--until before the base", []string{"snapshot", "--from", "events", "--base", modelDir.file("org.snapshot.json"), "--until", "2026-10-01", modelDir.file("events.json")}, "is not after the base's captured_at 2026-11-01T00:00:00Z"},
		{"flag of another source", []string{"snapshot", "--from", "aws", "--base", modelDir.file("org.snapshot.json")}, "--base goes with --from events"},
		{"aws takes no path", []string{"snapshot", "--from", "aws", "x.json"}, "takes no arguments"},
		{"terraform wants one file", []string{"snapshot", "--from", "terraform"}, "wants one FILE"},
		{"bad --concurrency", []string{"snapshot", "--from", "aws", "--concurrency", "0"}, "--concurrency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.args...)
			if r.code != ExitError {
				t.Errorf("exit %d, want %d", r.code, ExitError)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout should be empty on error, got %.200q", r.stdout)
			}
		})
	}
}

// TestSnapshotEventsFromStdin: "-" reads CloudTrail from the App's stdin
// and gives the same state as the file.
func TestSnapshotEventsFromStdin(t *testing.T) {
	events, err := os.ReadFile(modelDir.file("events.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := session{stdin: string(events)}.run(t, "snapshot", "--from", "events", "--base", modelDir.file("org.snapshot.json"), "-")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	modelDir.check(t, "events.snapshot.json", []byte(r.stdout))
}

// TestSnapshotEventsOfAnotherInstance: a trail of instance B replayed onto
// a snapshot of instance A is refused, naming both and the event;
// --skip-other-instances replays A's events only and says what it dropped.
func TestSnapshotEventsOfAnotherInstance(t *testing.T) {
	b, err := os.ReadFile(modelDir.file("events.json"))
	if err != nil {
		t.Fatal(err)
	}
	const instA, instB = "arn:aws:sso:::instance/ssoins-0000000000000001", "arn:aws:sso:::instance/ssoins-00000000000000bb"
	other := filepath.Join(t.TempDir(), "other.json")
	if err := os.WriteFile(other, []byte(strings.ReplaceAll(string(b), instA, instB)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "snapshot", "--from", "events", "--base", modelDir.file("org.snapshot.json"), other)
	for _, want := range []string{instA, instB, other + ": record 2", "CreateAccountAssignment"} {
		if r.code != ExitError || !strings.Contains(r.stderr, want) {
			t.Errorf("exit %d (want %d), stderr lacks %q:\n%s", r.code, ExitError, want, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("a refused replay wrote a snapshot: %.200s", r.stdout)
	}
	r = runCLI(t, "snapshot", "--from", "events", "--base", modelDir.file("org.snapshot.json"), "--skip-other-instances", other)
	if r.code != ExitOK || !strings.Contains(r.stderr, "skipped 2 write(s) of other instances") {
		t.Fatalf("--skip-other-instances: exit %d: %s", r.code, r.stderr)
	}
	if m := readSnapshot(t, r.stdout, "skipped"); m.InstanceARN != instA {
		t.Errorf("instance %s, want the base's %s", m.InstanceARN, instA)
	}
}
