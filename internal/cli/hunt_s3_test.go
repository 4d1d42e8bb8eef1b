package cli

import (
	"bytes"
	"net/http/httptest"
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
	awsEnv(t, "us-east-1")

	r := runCLI(t, "hunt", "--format", "jsonl", "--s3-endpoint", srv.URL, "--until", "2026-11-10", "s3://trail/AWSLogs/")
	if r.code != ExitBadInput {
		t.Fatalf("exit %d, want 2 (corrupt object); stderr: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "_b.json.gz") {
		t.Errorf("corrupt object not named: %s", r.stderr)
	}
	fs, err := finding.Read(strings.NewReader(r.stdout), "stdout")
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
