package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/drift"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Helpers shared by the drift, posture and contain tests (issues 5 and 6).

// issue56Now is the clock of the drift, posture and contain tests.
var issue56Now = time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)

type run56 struct {
	code           int
	stdout, stderr string
}

// exec56 runs one command line in-process with stdin and, when tty is set,
// a terminal on stdin.
func exec56(t *testing.T, stdin string, tty bool, args ...string) run56 {
	t.Helper()
	var out, errb bytes.Buffer
	app := &App{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv:   func(string) string { return "" },
		Now:      func() time.Time { return issue56Now },
		StdinTTY: tty,
	}
	code := app.Run(context.Background(), args)
	return run56{code, out.String(), errb.String()}
}

func fx5(name string) string { return filepath.Join("testdata", "issue5", name) }
func fx6(name string) string { return filepath.Join("testdata", "issue6", name) }

// golden56 compares got with testdata/<issue>/golden/name; -update rewrites it.
func golden56(t *testing.T, issue, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", issue, "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/cli -run %s -update creates it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update accepts it)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// fakeAWSEnv56 gives the SDK static credentials from the environment and
// shuts every other source (config files, IMDS), so only the loopback fake
// is asked.
func fakeAWSEnv56(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIAPORTCULLIS56TEST", "AWS_SECRET_ACCESS_KEY": "portcullis-test-secret",
		"AWS_SESSION_TOKEN": "", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "", "AWS_PROFILE": "",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-credentials"),
	} {
		t.Setenv(k, v)
	}
}

// fakeFrom56 starts the loopback AWS fake seeded with a snapshot fixture.
func fakeFrom56(t *testing.T, path string) *awsfake.Server {
	t.Helper()
	m, err := idc.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s := awsfake.New(m)
	t.Cleanup(s.Close)
	return s
}

func TestDiffGolden(t *testing.T) {
	for _, format := range drift.Formats {
		t.Run(format, func(t *testing.T) {
			r := exec56(t, "", false, "diff", fx5("baseline.snapshot.json"), fx5("current.snapshot.json"),
				"--config", fx5("portcullis.yaml"), "--format", format)
			if r.code != ExitOK {
				t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
			}
			golden56(t, "issue5", "diff."+format, []byte(r.stdout))
		})
	}
}

func TestDiffFailOnAndErrors(t *testing.T) {
	base, cur := fx5("baseline.snapshot.json"), fx5("current.snapshot.json")
	tests := []struct {
		name       string
		args       []string
		want       int
		wantStderr string
	}{
		{"no gate", []string{base, cur}, ExitOK, ""},
		{"gate crossed", []string{base, cur, "--fail-on", "critical"}, ExitFindings, "2 difference(s) at or above critical"},
		{"same state passes the lowest gate", []string{base, base, "--fail-on", "info"}, ExitOK, ""},
		{"bad severity", []string{base, cur, "--fail-on", "severe"}, ExitError, "--fail-on"},
		{"bad format", []string{base, cur, "--format", "csv"}, ExitError, "--format"},
		{"missing file", []string{base, fx5("nope.json")}, ExitError, "current: read model"},
		{"both from stdin", []string{"-", "-"}, ExitError, "only one side"},
		{"one argument", []string{base}, ExitError, "accepts 2 arg(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exec56(t, "", false, append([]string{"diff", "--config", fx5("portcullis.yaml")}, tt.args...)...)
			if r.code != tt.want || !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", r.code, tt.want, r.stderr, tt.wantStderr)
			}
		})
	}
}

// TestLoadModelLive reads the `aws` spec through the real SDK against the
// loopback fake, with the endpoint taken from the command's flags.
func TestLoadModelLive(t *testing.T) {
	fakeAWSEnv56(t)
	s := fakeFrom56(t, fx5("reconcile/planted.snapshot.json"))
	r := exec56(t, "", false, "diff", fx5("reconcile/planted.snapshot.json"), "aws", "--endpoint", s.URL, "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rep drift.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Current.From != "aws" {
		t.Errorf("current side from %q, want aws", rep.Current.From)
	}
	for _, d := range rep.Differences {
		if d.Kind.IsGrant() {
			t.Errorf("live state read back from the fake differs from its seed by a grant: %s", d.Summary)
		}
	}
	if len(s.CallsTo("ListAccountAssignments")) == 0 {
		t.Error("the fake saw no ListAccountAssignments: the live spec did not reach it")
	}
}

// TestReconcileFindsPlantedGrants plants three grants into a snapshot built
// from the Terraform baseline and expects exactly them, each explained the
// way the events say: bob (not an admin) made one, alice (an admin) another,
// and nothing explains the third.
func TestReconcileFindsPlantedGrants(t *testing.T) {
	r := exec56(t, "", false, "reconcile", "--baseline", fx5("reconcile/baseline.tfstate"),
		"--current", fx5("reconcile/planted.snapshot.json"), "--events", fx5("reconcile/events.jsonl"),
		"--config", fx5("portcullis.yaml"), "--format", "json")
	if r.code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr %s", r.code, ExitFindings, r.stderr)
	}
	if !strings.Contains(r.stderr, "2 rogue grant(s) outside the baseline: 1 by non-allow-listed actors, 1 unexplained") {
		t.Errorf("stderr does not summarise the rogue grants: %s", r.stderr)
	}
	var rep drift.ReconcileReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	const (
		admin = "arn:aws:sso:::permissionSet/ssoins-72235e1f00c0ffee/ps-0000c0ffee000001"
		mal   = "9067c0ffee-aaaa0004-0000-4000-8000-000000000004"
		carol = "9067c0ffee-aaaa0003-0000-4000-8000-000000000003"
		devs  = "9067c0ffee-bbbb0002-0000-4000-8000-000000000002"
		adms  = "9067c0ffee-bbbb0001-0000-4000-8000-000000000001"
	)
	type grant struct {
		kind   drift.Kind
		key    string
		by     drift.Attribution
		events []string
	}
	want := []grant{
		{drift.AssignmentAdded, admin + "|USER|" + mal + "|222222222222", drift.ByOthers, []string{"c0ffee00-e000-4000-8000-000000000003"}},
		{drift.AssignmentAdded, admin + "|GROUP|" + devs + "|333333333333", drift.Unexplained, nil},
		{drift.MembershipAdded, adms + "|" + carol, drift.ByAllowlisted, []string{"c0ffee00-e000-4000-8000-000000000004"}},
	}
	var got []grant
	for _, g := range rep.Grants {
		var ids []string
		for _, c := range g.Causes {
			if !c.Related {
				ids = append(ids, c.EventID)
			}
		}
		got = append(got, grant{g.Kind, g.Object.Key, g.Attribution, ids})
	}
	sortGrants := func(gs []grant) {
		slices.SortFunc(gs, func(a, b grant) int { return strings.Compare(a.key, b.key) })
	}
	sortGrants(want)
	sortGrants(got)
	if len(got) != len(want) {
		t.Fatalf("rogue grants %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].kind != want[i].kind || got[i].key != want[i].key || got[i].by != want[i].by || !slices.Equal(got[i].events, want[i].events) {
			t.Errorf("rogue grant %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if rep.EventsUsed != 2 {
		t.Errorf("%d Identity Center writes used, want 2 (the denied attempt and the S3 read are not writes)", rep.EventsUsed)
	}
}

func TestReconcileGolden(t *testing.T) {
	for _, format := range []string{"table", "markdown"} {
		t.Run(format, func(t *testing.T) {
			r := exec56(t, "", false, "reconcile", "--baseline", fx5("reconcile/baseline.tfstate"),
				"--current", fx5("reconcile/planted.snapshot.json"), "--events", fx5("reconcile/events.jsonl"),
				"--config", fx5("portcullis.yaml"), "--format", format)
			if r.code != ExitFindings {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			golden56(t, "issue5", "reconcile."+format, []byte(r.stdout))
		})
	}
}

func TestReconcileExitStatus(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.json")
	if err := os.WriteFile(junk, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	tf, events := fx5("reconcile/baseline.tfstate"), fx5("reconcile/events.jsonl")
	tests := []struct {
		name       string
		args       []string
		want       int
		wantStderr string
	}{
		{"rogue grants by others", []string{"--current", fx5("reconcile/planted.snapshot.json"), "--events", events}, ExitFindings, "1 by non-allow-listed actors"},
		{"only allow-listed admins", []string{"--current", fx5("reconcile/allowlisted.snapshot.json"), "--events", events}, ExitOK, "all made by allow-listed admins"},
		{"without events nobody is named", []string{"--current", fx5("reconcile/allowlisted.snapshot.json")}, ExitFindings, "1 without evidence"},
		{"baseline against itself", []string{"--current", tf, "--events", events}, ExitOK, ""},
		{"unreadable events", []string{"--current", fx5("reconcile/allowlisted.snapshot.json"), "--events", events, "--events", junk}, ExitBadInput, "unreadable"},
		{"events path missing", []string{"--current", tf, "--events", filepath.Join(t.TempDir(), "none")}, ExitError, "--events"},
		{"bad format", []string{"--current", tf, "--format", "yaml"}, ExitError, "--format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"reconcile", "--baseline", tf, "--config", fx5("portcullis.yaml")}, tt.args...)
			r := exec56(t, "", false, args...)
			if r.code != tt.want || !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", r.code, tt.want, r.stderr, tt.wantStderr)
			}
		})
	}
	if r := exec56(t, "", false, "reconcile", "--current", tf); r.code != ExitError || !strings.Contains(r.stderr, "--baseline is required") {
		t.Errorf("without --baseline: exit %d, %s", r.code, r.stderr)
	}
}

// TestReconcileEventsFromStdin reads the trail from - and finds the same causes.
func TestReconcileEventsFromStdin(t *testing.T) {
	evs, err := os.ReadFile(fx5("reconcile/events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	r := exec56(t, string(evs), false, "reconcile", "--baseline", fx5("reconcile/baseline.tfstate"),
		"--current", fx5("reconcile/allowlisted.snapshot.json"), "--events", "-", "--config", fx5("portcullis.yaml"))
	if r.code != ExitOK || !strings.Contains(r.stdout, "alice@example.com at 2026-03-02T10:05:00Z") {
		t.Errorf("exit %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}
}
