package sink

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// TestStdoutFormats: the stdout sink writes the finding (jsonl) or its
// OCSF Detection Finding (format=ocsf), one object a line; an unknown
// format is refused when the sink is built.
func TestStdoutFormats(t *testing.T) {
	f := testFinding(3)
	for _, tc := range []struct {
		spec, wantKey, wantVal string
	}{
		{"stdout", "schema", "portcullis.finding/v1"},
		{"stdout:format=jsonl", "schema", "portcullis.finding/v1"},
		{"stdout:format=ocsf", "class_name", "Detection Finding"},
	} {
		var out bytes.Buffer
		g, err := BuildAll(context.Background(), []string{tc.spec}, Deps{Stdout: &out})
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if err := g.Deliver(context.Background(), []finding.Finding{f, f}); err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 2 {
			t.Fatalf("%s: %d lines, want 2:\n%s", tc.spec, len(lines), out.String())
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if m[tc.wantKey] != tc.wantVal {
			t.Errorf("%s: %s = %v, want %q", tc.spec, tc.wantKey, m[tc.wantKey], tc.wantVal)
		}
	}
	if _, err := BuildAll(context.Background(), []string{"stdout:format=xml"}, Deps{}); err == nil || !strings.Contains(err.Error(), "want jsonl or ocsf") {
		t.Errorf("format=xml: err = %v", err)
	}
}
