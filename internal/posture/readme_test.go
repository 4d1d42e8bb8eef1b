package posture

import (
	"testing"

	"github.com/portcullis-sec/portcullis/internal/golden"
)

// TestReadmeCheckTable keeps the README's table of checks generated from
// the registry.
func TestReadmeCheckTable(t *testing.T) {
	for _, c := range registry() {
		if c.Doc == "" {
			t.Errorf("%s has no Doc line for the README", c.ID)
		}
		if _, ok := needsFlag[c.Needs]; !ok {
			t.Errorf("%s needs %q, which no flag supplies", c.ID, c.Needs)
		}
	}
	golden.Section(t, "../../README.md",
		"<!-- posture:begin (generated from the posture checks registry; go test ./internal/posture -run TestReadmeCheckTable -update) -->\n",
		"<!-- posture:end -->", Docs())
}
