package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// TestHuntS3 reads an org trail from an S3-compatible server on loopback
// through the real SDK: days outside --since are not read, a corrupt object
// is named and the rest is scanned.
func TestHuntS3(t *testing.T) {
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	if err := backend.CreateBucket("trail"); err != nil {
		t.Fatal(err)
	}
	put := func(key string, body []byte) {
		if _, err := backend.PutObject("trail", key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil); err != nil {
			t.Fatal(err)
		}
	}
	base := "AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/2026/11/"
	put(base+"02/111111111111_CloudTrail_us-east-1_20261102T1000Z_a.json.gz", gz(t, records(0, 2)))
	put(base+"02/111111111111_CloudTrail_us-east-1_20261102T1005Z_b.json.gz", []byte("\x1f\x8b\x08\x00garbage"))
	put(base+"20/111111111111_CloudTrail_us-east-1_20261120T1000Z_c.json.gz", gz(t, records(30, 1)))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))

	app, out, errb := testApp("")
	code := app.Run(context.Background(), []string{"hunt", "--format", "jsonl", "--s3-endpoint", srv.URL, "--until", "2026-11-10", "s3://trail/AWSLogs/"})
	if code != ExitBadInput {
		t.Fatalf("exit %d, want 2 (corrupt object); stderr: %s", code, errb)
	}
	if !strings.Contains(errb.String(), "_b.json.gz") {
		t.Errorf("corrupt object not named: %s", errb)
	}
	fs, err := finding.Read(out, "stdout")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, f := range fs {
		ids[f.Events[0].EventID] = true
	}
	if !ids["evt-0"] || !ids["evt-1"] || ids["evt-30"] {
		t.Errorf("findings for %v; want evt-0 and evt-1 only (day 20 is after --until)", ids)
	}
}
