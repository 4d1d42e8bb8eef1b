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
