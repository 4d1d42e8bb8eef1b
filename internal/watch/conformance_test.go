package watch

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestReferenceEventsAsEventBridge wraps every real record from
// ../shared/reference-events (when present; CI has it) the way EventBridge
// forwards it, and checks the SQS/HTTP decoder accepts it with a dedupe key.
func TestReferenceEventsAsEventBridge(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "reference-events", "events")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		t.Skip("reference events not present")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]json.RawMessage
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			recs := []json.RawMessage{raw}
			if r, ok := doc["Records"]; ok {
				if err := json.Unmarshal(r, &recs); err != nil {
					t.Fatal(err)
				}
			}
			for _, rec := range recs {
				body, _ := json.Marshal(map[string]any{"version": "0", "id": "x", "detail-type": "AWS API Call via CloudTrail",
					"source": "aws.sso", "detail": rec})
				m, err := ParseMessage(body, filepath.Base(path))
				if err != nil {
					t.Fatal(err)
				}
				if len(m.Events) != 1 || len(m.Objects) != 0 {
					t.Fatalf("%d events, %d objects", len(m.Events), len(m.Objects))
				}
				if e := m.Events[0]; e.ID == "" {
					t.Logf("no eventID: dedupe falls back to %s", EventKey(e))
				}
			}
		})
	}
}
