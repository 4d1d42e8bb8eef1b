package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

func testApp(stdin string) (*App, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &App{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) },
	}, &out, &errb
}

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
	app, out, errb := testApp("")
	code := app.Run(context.Background(), []string{"hunt", "--format", "jsonl", "--workers", "2", dir})
	if code != ExitBadInput {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitBadInput, errb)
	}
	for _, name := range []string{"truncated.json.gz", "broken.json", "notobject.jsonl"} {
		if !strings.Contains(errb.String(), name) {
			t.Errorf("stderr does not name %s:\n%s", name, errb)
		}
	}
	fs, err := finding.Read(out, "stdout")
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
	if !strings.Contains(errb.String(), "findings:") {
		t.Errorf("no summary on stderr:\n%s", errb)
	}
	// Only sso writes here: the sign-in rules could not work, and say so.
	if !strings.Contains(errb.String(), "no Identity Center sign-in events") || !strings.Contains(errb.String(), "idc.signin.password-spray") {
		t.Errorf("no coverage line for the missing sign-in events:\n%s", errb)
	}
	if strings.Contains(errb.String(), "no Identity Center management events") {
		t.Errorf("coverage line claims management events are missing:\n%s", errb)
	}
}

func TestHuntStdinAndFailOn(t *testing.T) {
	app, out, errb := testApp(record(1, "DeletePermissionsBoundaryFromPermissionSet") + "\n")
	code := app.Run(context.Background(), []string{"hunt", "--fail-on", "high", "-"})
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d; stderr: %s", code, ExitFindings, errb)
	}
	if !strings.Contains(out.String(), `"rule":"idc.permission-set.boundary-removed"`) {
		t.Errorf("stdout: %s", out)
	}
}

func TestHuntConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "portcullis.yaml")
	os.WriteFile(cfg, []byte("admins: [x]\nsensitive_acounts: [\"1\"]\n"), 0o644)
	app, _, errb := testApp("")
	if code := app.Run(context.Background(), []string{"hunt", "--config", cfg, dir}); code != ExitError {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errb.String(), "sensitive_acounts") || !strings.Contains(errb.String(), cfg) {
		t.Errorf("error does not name the file and key: %s", errb)
	}
	app, _, errb = testApp("")
	if code := app.Run(context.Background(), []string{"hunt", "--since", "yesterday", dir}); code != ExitError || !strings.Contains(errb.String(), "--since") {
		t.Errorf("bad --since: exit %d, %s", code, errb)
	}
}

func TestHuntMissingPathIsAnInputError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.json"), []byte(records(0, 1)), 0o644)
	app, out, errb := testApp("")
	code := app.Run(context.Background(), []string{"hunt", "--format", "jsonl", filepath.Join(dir, "missing.json.gz"), dir})
	if code != ExitBadInput || !strings.Contains(errb.String(), "missing.json.gz") {
		t.Fatalf("exit %d, stderr %s", code, errb)
	}
	if !strings.Contains(out.String(), "evt-0") {
		t.Errorf("the readable input was not hunted: %s", out)
	}
}
