package cli

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

func record(i int, name string) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/mallory","userName":"mallory"},`+
		`"eventTime":"2026-11-02T10:%02d:00Z","eventSource":"sso.amazonaws.com","eventName":%q,"awsRegion":"us-east-1",`+
		`"requestParameters":{"permissionSetArn":"arn:aws:sso:::permissionSet/ssoins-1/ps-%d"},"eventID":"evt-%d","recipientAccountId":"111111111111"}`, i%60, name, i, i)
}

func records(from, n int) string {
	var rs []string
	for i := from; i < from+n; i++ {
		rs = append(rs, record(i, "DeletePermissionsBoundaryFromPermissionSet"))
	}
	return `{"Records":[` + strings.Join(rs, ",") + `]}`
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

// TestHuntBadInputKeepsGoing: truncated gzip and broken JSON are each named
// on stderr, the good files (and the records before the damage) are still
// scanned, and the exit status is 2, not a crash.
func TestHuntBadInputKeepsGoing(t *testing.T) {
	dir := t.TempDir()
	full := gz(t, records(100, 400))
	files := map[string][]byte{
		"good.json":         []byte(records(0, 3)),
		"good2.json.gz":     gz(t, records(10, 2)),
		"truncated.json.gz": full[:len(full)/2],
		"broken.json":       []byte(`{"Records":[` + record(50, "DeletePermissionsBoundaryFromPermissionSet") + `,{"eventSource": oops}]}`),
		"notobject.jsonl":   []byte("42\n" + record(60, "DeletePermissionsBoundaryFromPermissionSet") + "\n"),
		"eventbridge.json":  []byte(`{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.sso","detail":` + record(70, "DeletePermissionsBoundaryFromPermissionSet") + `}`),
		"README.txt":        []byte("not a trail"),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runCLI(t, "hunt", "--format", "jsonl", "--workers", "2", dir)
	if r.code != ExitBadInput {
		t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, ExitBadInput, r.stderr)
	}
	for _, name := range []string{"truncated.json.gz", "broken.json", "notobject.jsonl"} {
		if !strings.Contains(r.stderr, name) {
			t.Errorf("stderr does not name %s:\n%s", name, r.stderr)
		}
	}
	fs, err := finding.Read(strings.NewReader(r.stdout), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range fs {
		seen[f.Events[0].EventID] = true
	}
	for _, id := range []string{"evt-0", "evt-2", "evt-10", "evt-11", "evt-50", "evt-60", "evt-70", "evt-100"} {
		if !seen[id] {
			t.Errorf("no finding for %s (good input must still be scanned); got %d findings", id, len(fs))
		}
	}
	if !strings.Contains(r.stderr, "findings:") {
		t.Errorf("no summary on stderr:\n%s", r.stderr)
	}
	// Only sso writes here: the sign-in rules could not work, and say so.
	if !strings.Contains(r.stderr, "no Identity Center sign-in events") || !strings.Contains(r.stderr, "idc.signin.password-spray") {
		t.Errorf("no coverage line for the missing sign-in events:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "no Identity Center management events") {
		t.Errorf("coverage line claims management events are missing:\n%s", r.stderr)
	}
}

func TestHuntStdinAndFailOn(t *testing.T) {
	r := session{stdin: record(1, "DeletePermissionsBoundaryFromPermissionSet") + "\n"}.run(t, "hunt", "--fail-on", "high", "-")
	if r.code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr: %s", r.code, ExitFindings, r.stderr)
	}
	if !strings.Contains(r.stdout, `"rule":"idc.permission-set.boundary-removed"`) {
		t.Errorf("stdout: %s", r.stdout)
	}
}

func TestHuntConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "portcullis.yaml")
	os.WriteFile(cfg, []byte("admins: [x]\nsensitive_acounts: [\"1\"]\n"), 0o644)
	r := runCLI(t, "hunt", "--config", cfg, dir)
	if r.code != ExitError {
		t.Fatalf("exit %d, want 1", r.code)
	}
	if !strings.Contains(r.stderr, "sensitive_acounts") || !strings.Contains(r.stderr, cfg) {
		t.Errorf("error does not name the file and key: %s", r.stderr)
	}
	if r := runCLI(t, "hunt", "--since", "yesterday", dir); r.code != ExitError || !strings.Contains(r.stderr, "--since") {
		t.Errorf("bad --since: exit %d, %s", r.code, r.stderr)
	}
}

func TestHuntMissingPathIsAnInputError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.json"), []byte(records(0, 1)), 0o644)
	r := runCLI(t, "hunt", "--format", "jsonl", filepath.Join(dir, "missing.json.gz"), dir)
	if r.code != ExitBadInput || !strings.Contains(r.stderr, "missing.json.gz") {
		t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "evt-0") {
		t.Errorf("the readable input was not hunted: %s", r.stdout)
	}
}

// TestHuntRecordWithoutEventSource: the README's bad input — a line naming
// the file and record index, counted, exit 2 — not a prefilter skip.
func TestHuntRecordWithoutEventSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trail.json")
	noSource := `{"eventVersion":"1.09","eventTime":"2026-11-02T10:00:00Z","eventName":"CreateAccountAssignment","eventID":"evt-nosource"}`
	if err := os.WriteFile(path, []byte(`{"Records":[`+record(1, "DeletePermissionsBoundaryFromPermissionSet")+","+noSource+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "hunt", "--format", "jsonl", path)
	if r.code != ExitBadInput {
		t.Errorf("exit %d, want %d", r.code, ExitBadInput)
	}
	for _, want := range []string{path + ": record 1: field eventSource", "not-cloudtrail 1"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "prefilter 1") {
		t.Errorf("the record was counted as a prefilter skip:\n%s", r.stderr)
	}
}

// TestHuntFiltersSaySo: --account/--region reach records of stdin and flat
// folders by their fields (and say so); an impossible window is an error;
// a window that excludes every file says so.
func TestHuntFiltersSaySo(t *testing.T) {
	// record() is account 111111111111, us-east-1, 2026-11-02.
	stdin := record(1, "DeletePermissionsBoundaryFromPermissionSet") + "\n"
	r := session{stdin: stdin}.run(t, "hunt", "--account", "222222222222", "--format", "jsonl", "-")
	if r.code != ExitOK || r.stdout != "" {
		t.Errorf("--account 222… on stdin: exit %d, findings %q (want none: the record is 111…)", r.code, r.stdout)
	}
	for _, want := range []string{"have no AWSLogs/ACCOUNT/CloudTrail/REGION/ path (e.g. <stdin>)", "recipientAccountId", "skipped records: account 1"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	r = session{stdin: stdin}.run(t, "hunt", "--region", "us-east-1", "--account", "111111111111", "--format", "jsonl", "-")
	if r.code != ExitOK || !strings.Contains(r.stdout, "evt-1") {
		t.Errorf("matching --account/--region: exit %d, stdout %q", r.code, r.stdout)
	}

	r = runCLI(t, "hunt", "--since", "2026-11-03", "--until", "2026-11-02", "-")
	if r.code != ExitError || !strings.Contains(r.stderr, "--since 2026-11-03T00:00:00Z is not before --until 2026-11-02T00:00:00Z") {
		t.Errorf("impossible window: exit %d: %s", r.code, r.stderr)
	}

	dir := filepath.Join(t.TempDir(), "AWSLogs", "111111111111", "CloudTrail", "us-east-1", "2026", "11", "02")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "trail.json"), []byte(records(0, 2)), 0o644); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(filepath.Dir(dir), "..", "..", "..", "..", "..")
	r = runCLI(t, "hunt", "--since", "2026-11-10", "--format", "jsonl", root)
	if r.code != ExitOK || !strings.Contains(r.stderr, "no file in the window [2026-11-10T00:00:00Z, …)") {
		t.Errorf("window outside every file: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, "hunt", "--since", "2026-11-02T12:00:00Z", "--format", "jsonl", filepath.Join(dir, "trail.json"))
	if r.code != ExitOK || !strings.Contains(r.stderr, "no record in the window [2026-11-02T12:00:00Z, …): 2 record(s) read fall outside it") {
		t.Errorf("window outside every record: exit %d: %s", r.code, r.stderr)
	}
}
