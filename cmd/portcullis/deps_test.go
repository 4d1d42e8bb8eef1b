package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// testOnly says why a package must stay out of the shipped binary, or ""
// when it may be in it: test fakes answer like AWS and would make a
// misconfigured binary look healthy; DuckDB needs cgo (the binary is built
// with CGO_ENABLED=0) and chromedp drives a browser, both for tests only.
func testOnly(importPath string) string {
	switch {
	case strings.HasSuffix(importPath, "/internal/cloudtrail/cloudtrailtest"):
		return "the CloudTrail test helpers"
	case strings.Contains(strings.ToLower(importPath), "fake"):
		return "a test fake"
	case strings.Contains(strings.ToLower(importPath), "duckdb"):
		return "DuckDB (cgo, test only)"
	case strings.Contains(strings.ToLower(importPath), "chromedp"):
		return "chromedp (a browser driver, test only)"
	}
	return ""
}

func TestTestOnly(t *testing.T) {
	for path, banned := range map[string]bool{
		"github.com/portcullis-sec/portcullis/internal/awsfake":                   true,
		"github.com/portcullis-sec/portcullis/internal/sqsfake":                   true,
		"github.com/portcullis-sec/portcullis/internal/cloudtrail/cloudtrailtest": true,
		"github.com/johannesboyne/gofakes3/backend/s3mem":                         true,
		"github.com/marcboeker/go-duckdb/v2":                                      true,
		"github.com/chromedp/chromedp":                                            true,
		"github.com/portcullis-sec/portcullis/internal/cloudtrail":                false,
		"github.com/portcullis-sec/portcullis/internal/collect/aws":               false,
		"github.com/aws/aws-sdk-go-v2/service/sqs":                                false,
	} {
		if got := testOnly(path) != ""; got != banned {
			t.Errorf("testOnly(%q) = %q, want banned %v", path, testOnly(path), banned)
		}
	}
}

// TestShippedBinaryHasNoTestDependencies lists what ./cmd/portcullis links,
// built as it ships (CGO_ENABLED=0) and with the default cgo setting, and
// fails on any test-only package.
func TestShippedBinaryHasNoTestDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	for _, cgo := range []string{"0", "1"} {
		cmd := exec.Command("go", "list", "-deps", ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
		out, err := cmd.Output()
		if err != nil {
			var stderr string
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("go list -deps (CGO_ENABLED=%s): %v\n%s", cgo, err, stderr)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 || !strings.HasSuffix(deps[len(deps)-1], "/cmd/portcullis") {
			t.Fatalf("go list -deps gave an unexpected list: %.300q", out)
		}
		for _, p := range deps {
			if why := testOnly(p); why != "" {
				t.Errorf("CGO_ENABLED=%s: the shipped binary depends on %s, %s; only tests may import it (go list -deps ./cmd/portcullis, then go mod why)", cgo, p, why)
			}
		}
	}
}
