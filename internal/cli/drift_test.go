package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/drift"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

func TestDiffGolden(t *testing.T) {
	for _, format := range drift.Formats {
		t.Run(format, func(t *testing.T) {
			r := session{now: driftNow}.run(t, "diff", driftDir.file("baseline.snapshot.json"), driftDir.file("current.snapshot.json"),
				"--config", driftDir.file("portcullis.yaml"), "--format", format)
			if r.code != ExitOK {
				t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
			}
			driftDir.check(t, "diff."+format, []byte(r.stdout))
		})
	}
}

func TestDiffFailOnAndErrors(t *testing.T) {
	base, cur := driftDir.file("baseline.snapshot.json"), driftDir.file("current.snapshot.json")
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
		{"missing file", []string{base, driftDir.file("nope.json")}, ExitError, "current: read model"},
		{"both from stdin", []string{"-", "-"}, ExitError, "only one side"},
		{"one argument", []string{base}, ExitError, "accepts 2 arg(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := session{now: driftNow}.run(t, append([]string{"diff", "--config", driftDir.file("portcullis.yaml")}, tt.args...)...)
			if r.code != tt.want || !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", r.code, tt.want, r.stderr, tt.wantStderr)
			}
		})
	}
}

// TestLoadModelLive reads the `aws` spec through the real SDK against the
// loopback fake, with the endpoint taken from the command's flags.
func TestLoadModelLive(t *testing.T) {
	awsEnv(t, "eu-west-1")
	s := fakeFrom(t, driftDir.file("reconcile/planted.snapshot.json"))
	r := session{now: driftNow}.run(t, "diff", driftDir.file("reconcile/planted.snapshot.json"), "aws", "--endpoint", s.URL, "--format", "json")
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
	r := session{now: driftNow}.run(t, "reconcile", "--baseline", driftDir.file("reconcile/baseline.tfstate"),
		"--current", driftDir.file("reconcile/planted.snapshot.json"), "--events", driftDir.file("reconcile/events.jsonl"),
		"--config", driftDir.file("portcullis.yaml"), "--format", "json")
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
			r := session{now: driftNow}.run(t, "reconcile", "--baseline", driftDir.file("reconcile/baseline.tfstate"),
				"--current", driftDir.file("reconcile/planted.snapshot.json"), "--events", driftDir.file("reconcile/events.jsonl"),
				"--config", driftDir.file("portcullis.yaml"), "--format", format)
			if r.code != ExitFindings {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			driftDir.check(t, "reconcile."+format, []byte(r.stdout))
		})
	}
}

func TestReconcileExitStatus(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.json")
	if err := os.WriteFile(junk, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	tf, events := driftDir.file("reconcile/baseline.tfstate"), driftDir.file("reconcile/events.jsonl")
	tests := []struct {
		name       string
		args       []string
		want       int
		wantStderr string
	}{
		{"rogue grants by others", []string{"--current", driftDir.file("reconcile/planted.snapshot.json"), "--events", events}, ExitFindings, "1 by non-allow-listed actors"},
		{"only allow-listed admins", []string{"--current", driftDir.file("reconcile/allowlisted.snapshot.json"), "--events", events}, ExitOK, "all made by allow-listed admins"},
		{"without events nobody is named", []string{"--current", driftDir.file("reconcile/allowlisted.snapshot.json")}, ExitFindings, "1 without evidence"},
		{"baseline against itself", []string{"--current", tf, "--events", events}, ExitOK, ""},
		{"unreadable events", []string{"--current", driftDir.file("reconcile/allowlisted.snapshot.json"), "--events", events, "--events", junk}, ExitBadInput, "unreadable"},
		{"events path missing", []string{"--current", tf, "--events", filepath.Join(t.TempDir(), "none")}, ExitError, "--events"},
		{"bad format", []string{"--current", tf, "--format", "yaml"}, ExitError, "--format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"reconcile", "--baseline", tf, "--config", driftDir.file("portcullis.yaml")}, tt.args...)
			r := session{now: driftNow}.run(t, args...)
			if r.code != tt.want || !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", r.code, tt.want, r.stderr, tt.wantStderr)
			}
		})
	}
	r := session{now: driftNow}.run(t, "reconcile", "--current", tf)
	if r.code != ExitError || !strings.Contains(r.stderr, "--baseline is required") {
		t.Errorf("without --baseline: exit %d, %s", r.code, r.stderr)
	}
}

// TestReconcileEventsFromStdin reads the trail from - and finds the same causes.
func TestReconcileEventsFromStdin(t *testing.T) {
	evs, err := os.ReadFile(driftDir.file("reconcile/events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	r := session{stdin: string(evs), now: driftNow}.run(t, "reconcile", "--baseline", driftDir.file("reconcile/baseline.tfstate"),
		"--current", driftDir.file("reconcile/allowlisted.snapshot.json"), "--events", "-", "--config", driftDir.file("portcullis.yaml"))
	if r.code != ExitOK || !strings.Contains(r.stdout, "alice@example.com at 2026-03-02T10:05:00Z") {
		t.Errorf("exit %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}
}

// TestReconcileOfReplays is the new user's path: a replay up to T that
// changes nothing is the baseline, a replay of the whole trail the current
// state. The baseline is as of T (not the time of the run), so the trail
// explains every grant made after it.
func TestReconcileOfReplays(t *testing.T) {
	dir := t.TempDir()
	before, now := filepath.Join(dir, "before.json"), filepath.Join(dir, "now.json")
	r := runCLI(t, "snapshot", "--from", "events", "--until", "2026-11-01", "--out", before, modelDir.file("events.json"))
	if r.code != ExitOK || !strings.Contains(r.stderr, "0 changes applied") {
		t.Fatalf("baseline: exit %d, want a replay that changes nothing: %s", r.code, r.stderr)
	}
	if m, err := idc.Load(before); err != nil || !m.CapturedAt.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("baseline captured_at %v (error %v), want the end of the window 2026-11-01", m.CapturedAt, err)
	}
	if r := runCLI(t, "snapshot", "--from", "events", "--out", now, modelDir.file("events.json")); r.code != ExitOK {
		t.Fatalf("current: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, "reconcile", "--baseline", before, "--current", now, "--events", modelDir.file("events.json"), "--format", "json")
	var rep drift.ReconcileReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("exit %d: %v\n%s", r.code, err, r.stderr)
	}
	if len(rep.Grants) == 0 || rep.EventsUsed == 0 {
		t.Fatalf("%d grants, %d events used: the replays should differ by the trail's writes", len(rep.Grants), rep.EventsUsed)
	}
	for _, g := range rep.Grants {
		// A permission set only named by a later event is a stub of the
		// replay, not a grant the trail made.
		if g.Kind != drift.PermissionSetAdded && g.Attribution == drift.Unexplained {
			t.Errorf("%s is unexplained though the trail made it", g.Object.Key)
		}
	}
}
