package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/simulate"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// historyOf puts every record of a trail directory into the fake's event
// history of its region.
func historyOf(t *testing.T, s *awsfake.Server, dir string) (regions []string) {
	t.Helper()
	byRegion := map[string][][]byte{}
	_, err := source.Walk(context.Background(), []string{dir}, source.Filter{}, func(o source.Object) error {
		rc, err := o.Open(context.Background())
		if err != nil {
			return err
		}
		defer rc.Close()
		var buf bytes.Buffer
		data, err := cloudtrail.ReadObject(rc, o.Name, &buf)
		if err != nil {
			return err
		}
		return cloudtrail.Split(data, func(_ int, rec []byte) error {
			ev, err := cloudtrail.Decode(rec, cloudtrail.Origin{File: o.Name})
			if err != nil {
				return err
			}
			byRegion[ev.Region] = append(byRegion[ev.Region], bytes.Clone(rec))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for r, recs := range byRegion {
		if err := s.AddHistory(r, recs...); err != nil {
			t.Fatal(err)
		}
		regions = append(regions, r)
	}
	slices.Sort(regions)
	return regions
}

// findingKeys are the rule and event ids of each finding: what was found
// on which records, whatever source the records came from.
func findingKeys(t *testing.T, out string) []string {
	t.Helper()
	fs, err := finding.Read(strings.NewReader(out), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range fs {
		k := f.Rule
		for _, e := range f.Events {
			k += " " + e.EventID
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestHuntEventHistoryFindsWhatTheTrailHolds: an org trail with every attack
// scenario, put into the event history of its regions, draws the same
// findings through LookupEvents as from its files — correlations and the
// learnt state included, which only holds if events arrive in time order.
func TestHuntEventHistoryFindsWhatTheTrailHolds(t *testing.T) {
	awsEnv(t, "us-east-1")
	dir := t.TempDir()
	sum, err := simulate.Run(context.Background(), simulate.Options{Out: dir, Events: 8000, Seed: 3, Scenarios: []string{"all"}, Accounts: 3})
	if err != nil {
		t.Fatal(err)
	}
	s := awsfake.New(awsfake.Sample(), awsfake.WithHistoryPageSize(20))
	defer s.Close()
	regions := historyOf(t, s, filepath.Join(dir, "AWSLogs"))

	files := runCLI(t, "hunt", "--format", "jsonl", "--config", sum.ConfigPath, filepath.Join(dir, "AWSLogs"))
	if files.code != 0 {
		t.Fatalf("hunt of the files: exit %d\n%s", files.code, files.stderr)
	}
	fromFiles := findingKeys(t, files.stdout)

	r := runCLI(t, "hunt", "--event-history", "--format", "jsonl", "--config", sum.ConfigPath,
		"--aws-region", strings.Join(regions, ","), "--cloudtrail-endpoint", s.URL, "--lookup-rate", "500", "--since", "2026-10-31")
	if r.code != 0 {
		t.Fatalf("hunt --event-history: exit %d\n%s", r.code, r.stderr)
	}
	fromHistory := findingKeys(t, r.stdout)
	if len(fromFiles) < 20 {
		t.Fatalf("only %d findings from the files", len(fromFiles))
	}
	if strings.Join(fromHistory, "\n") != strings.Join(fromFiles, "\n") {
		t.Errorf("the event history drew %d findings, the files %d; they differ:\nhistory %q\nfiles   %q", len(fromHistory), len(fromFiles), fromHistory, fromFiles)
	}
	for _, want := range []string{"event history: 2026-10-31T00:00:00Z to 2026-11-29T12:00:00Z, 3 region(s)", "EventName=AssumeRoleWithSAML", " pages (", "throttles",
		"warning: --lookup-rate 500 is above the API's limit"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
		}
	}
	calls := s.CallsTo("LookupEvents")
	if len(calls) < 3 {
		t.Fatalf("%d lookups", len(calls))
	}
	for _, c := range calls {
		if !strings.Contains(c.UserAgent, "portcullis/") {
			t.Fatalf("a lookup without the portcullis user agent: %q", c.UserAgent)
		}
	}
}

func TestHuntEventHistoryFlagsAndFailures(t *testing.T) {
	awsEnv(t, "us-east-1")
	rec := func(id, name, at string) []byte {
		return []byte(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/mallory","userName":"mallory"},` +
			`"eventTime":"` + at + `","eventSource":"sso.amazonaws.com","eventName":"` + name + `","awsRegion":"us-east-1",` +
			`"requestParameters":{"permissionSetArn":"arn:aws:sso:::permissionSet/ssoins-1/ps-1"},"eventID":"` + id + `","recipientAccountId":"111111111111"}`)
	}
	tests := []struct {
		name      string
		args      []string
		setup     func(*awsfake.Server)
		code      int
		stderr    []string
		findings  int
		noLookups bool
	}{
		{name: "a finding, 90 days by default", code: 0, findings: 1, stderr: []string{"2026-08-31T12:00:00Z to 2026-11-29T12:00:00Z", "findings: 1"}},
		{name: "since beyond the horizon warns", args: []string{"--since", "120d"}, code: 0, findings: 1, stderr: []string{"more than 90 days ago"}},
		{name: "throttling is counted", setup: func(s *awsfake.Server) { s.ThrottleFirst("LookupEvents", 2) }, code: 0, findings: 1, stderr: []string{", 2 throttles"}},
		{name: "a record that does not decode: exit 2, named", setup: func(s *awsfake.Server) {
			_ = s.AddHistory("us-east-1", []byte(`{"eventSource":"sso.amazonaws.com","eventName":"DeletePermissionsBoundaryFromPermissionSet","eventTime":"2026-11-20T10:00:00Z","eventID":"bad","awsRegion":7}`))
		}, code: ExitBadInput, findings: 1, stderr: []string{"event-history:us-east-1", "awsRegion", "unreadable: 1 records"}},
		{name: "access denied: exit 1, what was read stands", setup: func(s *awsfake.Server) { s.FailAlways("LookupEvents", "AccessDeniedException") },
			code: ExitError, stderr: []string{"read up to 2026-08-31T12:00:00Z only", "AccessDeniedException", "EventSource=sso.amazonaws.com"}},
		{name: "paths are not taken", args: []string{"./AWSLogs"}, code: ExitError, stderr: []string{"unknown command"}, noLookups: true},
		{name: "path pruning flags are refused", args: []string{"--region", "us-east-1"}, code: ExitError, stderr: []string{"--aws-region"}, noLookups: true},
		{name: "athena too is refused", args: []string{"--athena"}, code: ExitError, stderr: []string{"pick one"}, noLookups: true},
		{name: "a zero rate is refused", args: []string{"--lookup-rate", "0"}, code: ExitError, stderr: []string{"--lookup-rate"}, noLookups: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := awsfake.New(awsfake.Sample())
			defer s.Close()
			if err := s.AddHistory("us-east-1", rec("evt-1", "DeletePermissionsBoundaryFromPermissionSet", "2026-11-20T09:00:00Z"), rec("evt-2", "ListAccounts", "2026-11-20T09:30:00Z")); err != nil {
				t.Fatal(err)
			}
			if tc.setup != nil {
				tc.setup(s)
			}
			args := append([]string{"hunt", "--event-history", "--format", "jsonl", "--cloudtrail-endpoint", s.URL, "--lookup-rate", "500"}, tc.args...)
			r := runCLI(t, args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
				}
			}
			if tc.code != ExitError || tc.findings > 0 {
				if got := len(findingKeys(t, r.stdout)); got != tc.findings {
					t.Errorf("%d findings, want %d", got, tc.findings)
				}
			}
			if n := len(s.CallsTo("LookupEvents")); tc.noLookups != (n == 0) {
				t.Errorf("%d lookups", n)
			}
		})
	}
}

// TestSnapshotFromEventHistory: replaying the event history gives the
// snapshot replaying the same records from a file gives, byte for byte.
func TestSnapshotFromEventHistory(t *testing.T) {
	awsEnv(t, "us-east-1")
	s := awsfake.New(awsfake.Sample(), awsfake.WithHistoryPageSize(2))
	defer s.Close()
	historyOf(t, s, modelDir.file("events.json"))

	fromFile := runCLI(t, "snapshot", "--from", "events", "--base", modelDir.file("org.snapshot.json"), modelDir.file("events.json"))
	if fromFile.code != ExitOK {
		t.Fatalf("from the file: exit %d\n%s", fromFile.code, fromFile.stderr)
	}
	r := runCLI(t, "snapshot", "--from", "events", "--base", modelDir.file("org.snapshot.json"), "--endpoint", s.URL, "--lookup-rate", "500", "event-history:us-east-1")
	if r.code != ExitOK {
		t.Fatalf("from the event history: exit %d\n%s", r.code, r.stderr)
	}
	if r.stdout != fromFile.stdout {
		t.Errorf("the snapshots differ:\n--- event history ---\n%s\n--- file ---\n%s", r.stdout, fromFile.stdout)
	}
	if !strings.Contains(r.stderr, "replayed the event history of 1 region(s)") || !strings.Contains(r.stderr, "3 changes applied, 0 could not be applied") {
		t.Errorf("stderr: %s", r.stderr)
	}
	// The replay starts at the base's captured_at: no lookup asks for earlier.
	for _, c := range s.CallsTo("LookupEvents") {
		var in struct{ StartTime float64 }
		if err := json.Unmarshal(c.Input, &in); err != nil || in.StartTime < 1.7e9 {
			t.Errorf("lookup %s", c.Input)
		}
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"not with files", []string{"snapshot", "--from", "events", "event-history", modelDir.file("events.json")}, "on its own"},
		{"connection flags only with the history", []string{"snapshot", "--from", "events", "--profile", "p", modelDir.file("events.json")}, "--profile goes with --from aws, or --from events event-history"},
		{"not with terraform", []string{"snapshot", "--from", "terraform", "--region", "eu-west-1", modelDir.file("sso.tfstate")}, "--region goes with --from aws or events"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.args...)
			if r.code != ExitError || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", r.code, r.stderr, tc.want)
			}
		})
	}
}

// TestReconcileWithEventHistory: --events event-history explains the rogue
// grants as the trail file does.
func TestReconcileWithEventHistory(t *testing.T) {
	awsEnv(t, "us-east-1")
	s := awsfake.New(awsfake.Sample())
	defer s.Close()
	historyOf(t, s, driftDir.file("reconcile/events.jsonl"))
	args := []string{"reconcile", "--baseline", driftDir.file("reconcile/baseline.tfstate"), "--current", driftDir.file("reconcile/planted.snapshot.json"),
		"--config", driftDir.file("portcullis.yaml"), "--format", "json"}
	drift := session{now: driftNow}
	fromFile := drift.run(t, append(args, "--events", driftDir.file("reconcile/events.jsonl"))...)
	r := drift.run(t, append(args, "--events", "event-history", "--region", "eu-west-1", "--endpoint", s.URL, "--lookup-rate", "500")...)
	if r.code != ExitFindings || fromFile.code != ExitFindings {
		t.Fatalf("exit %d and %d (file), want %d; stderr %s", r.code, fromFile.code, ExitFindings, r.stderr)
	}
	if r.stdout != fromFile.stdout {
		t.Errorf("the reports differ:\n--- event history ---\n%s\n--- file ---\n%s", r.stdout, fromFile.stdout)
	}
	if len(s.CallsTo("LookupEvents")) == 0 {
		t.Error("no lookup reached the fake")
	}
	s.FailAlways("LookupEvents", "AccessDeniedException")
	if r := drift.run(t, append(args, "--events", "event-history:eu-west-1", "--endpoint", s.URL, "--lookup-rate", "500")...); r.code != ExitError || !strings.Contains(r.stderr, "AccessDeniedException") {
		t.Errorf("denied: exit %d, %s", r.code, r.stderr)
	}
}
