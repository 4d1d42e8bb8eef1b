package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHuntReadsWhatTheCLIPrints: the forms responders save with the AWS CLI
// are hunted like a trail; a JSON file that is none of the known forms is
// named on stderr with what it holds, and the exit status is 2.
func TestHuntReadsWhatTheCLIPrints(t *testing.T) {
	str := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	name := "DeletePermissionsBoundaryFromPermissionSet"
	files := map[string]string{
		"lookup-events.json": `{"Events":[{"EventId":"evt-1","EventName":"` + name + `","CloudTrailEvent":` + str(record(1, name)) + `}],"NextToken":"x"}`,
		"filter-log-events.json": `{"events":[{"logStreamName":"111111111111_CloudTrail_us-east-1","timestamp":1,"message":` + str(record(2, name)) +
			`,"ingestionTime":2,"eventId":"1"}],"searchedLogStreams":[]}`,
		"get-log-events.json":    `{"events":[{"timestamp":1,"message":` + str(record(3, name)) + `,"ingestionTime":2}],"nextForwardToken":"f/1","nextBackwardToken":"b/1"}`,
		"000000.gz":              string(gz(t, "2026-11-02T10:04:00.000Z "+record(4, name)+"\n2026-11-02T10:05:00.000Z "+record(5, name)+"\n")),
		"cloudtrail-events.json": `[` + str(record(6, name)) + `]`,
		"describe-trails.json":   `{"trailList":[{"Name":"org","S3BucketName":"trail"}]}`,
	}
	dir := t.TempDir()
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runCLI(t, "hunt", "--format", "jsonl", dir)
	if r.code != ExitBadInput {
		t.Fatalf("exit %d, want 2; stderr:\n%s", r.code, r.stderr)
	}
	var bad []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(l, "portcullis: input:") {
			bad = append(bad, l)
		}
	}
	if len(bad) != 1 || !strings.Contains(bad[0], "describe-trails.json") || !strings.Contains(bad[0], `"trailList"`) || !strings.Contains(bad[0], "not a CloudTrail record") {
		t.Errorf("want one line naming describe-trails.json and what it holds, got %q", bad)
	}
	if !strings.Contains(r.stderr, "not-cloudtrail 1") {
		t.Errorf("the summary does not count it: %s", r.stderr)
	}
	got := map[string]bool{}
	for _, k := range findingKeys(t, r.stdout) {
		got[k[strings.LastIndexByte(k, ' ')+1:]] = true
	}
	for i := 1; i <= 6; i++ {
		if id := "evt-" + string(rune('0'+i)); !got[id] {
			t.Errorf("no finding on %s (findings on %v)", id, got)
		}
	}
}
