package export_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/export"
	"github.com/portcullis-sec/portcullis/internal/golden"
)

// TestGolden: the exports of testdata/rules (not the built-in pack, which
// other work changes) in every format, as a person reads them.
func TestGolden(t *testing.T) {
	rs, cfg := corpus(t)
	var rules = sigmaRules(rs)[:0:0]
	for _, r := range sigmaRules(rs) {
		if strings.HasPrefix(r.Source, "testdata/rules/") {
			rules = append(rules, r)
		}
	}
	if len(rules) < 8 {
		t.Fatalf("%d test rules", len(rules))
	}
	athena := options(cfg)
	athena.Target, _ = export.AthenaTarget("AwsDataCatalog", "security", "cloudtrail_logs")
	athena.Since = export.Since{At: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	lake := options(cfg)
	lake.Target, _ = export.LakeTarget("EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE")
	lake.Since = export.Since{Before: 6 * time.Hour}
	for _, tc := range []struct {
		file string
		run  func() ([]export.Item, error)
	}{
		{"athena.sql", func() ([]export.Item, error) { return export.SQL(rules, athena) }},
		{"cloudtrail-lake.sql", func() ([]export.Item, error) { return export.SQL(rules, lake) }},
		{"eventbridge.json", func() ([]export.Item, error) { return export.EventBridge(rules, options(cfg)) }},
		{"sigma.yml", func() ([]export.Item, error) { return export.Sigma(rules, options(cfg)) }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			items, err := tc.run()
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			for _, it := range items {
				b.WriteString("# ==== " + it.ID + " (" + string(it.Status) + ")\n")
				b.Write(it.Body)
			}
			golden.Check(t, filepath.Join("testdata", "golden", tc.file), b.Bytes())
		})
	}
}
