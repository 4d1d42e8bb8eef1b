package export_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/export"
)

// update rewrites golden files: go test ./internal/export -run Golden -update
var update = flag.Bool("update", false, "rewrite golden files")

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
			golden(t, filepath.Join("testdata", "golden", tc.file), b.Bytes())
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is intended):\n%s", path, diffLines(string(want), string(got)))
	}
}

// diffLines shows the first lines that differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			out = append(out, "- "+a, "+ "+b)
			if len(out) > 20 {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
