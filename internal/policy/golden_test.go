package policy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/golden"
)

// goldenResult is what a golden file holds: the analysis, or the error.
type goldenResult struct {
	Analysis *Analysis `json:"analysis,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// TestGolden analyses every testdata/analyze/*.json and compares with its .golden file.
// Run `go test ./internal/policy -run TestGolden -update` after an intended change.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "analyze", "*.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var res goldenResult
			if a, err := Analyze(src); err != nil {
				res.Error = err.Error()
			} else {
				res.Analysis = &a
			}
			var got bytes.Buffer
			enc := json.NewEncoder(&got)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(res); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, strings.TrimSuffix(in, ".json")+".golden", got.Bytes())
		})
	}
}
