package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimulateRefusesNonEmptyOut: a second trail never lands silently on
// top of another; --force writes anyway and deletes nothing.
func TestSimulateRefusesNonEmptyOut(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(mine, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"simulate", "--out", dir, "--events", "200", "--accounts", "2", "--days", "1"}
	r := runCLI(t, args...)
	if r.code != ExitError || !strings.Contains(r.stderr, dir+" is not empty") || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "portcullis.yaml")); err == nil {
		t.Error("a refused run wrote portcullis.yaml")
	}
	if r := runCLI(t, append(args, "--force")...); r.code != ExitOK {
		t.Fatalf("--force: exit %d: %s", r.code, r.stderr)
	}
	if b, err := os.ReadFile(mine); err != nil || string(b) != "keep me" {
		t.Errorf("--force touched a file it did not write: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".portcullis-truth.json")); err != nil {
		t.Errorf("--force wrote no trail: %v", err)
	}
	if r := runCLI(t, "simulate", "--out", filepath.Join(dir, "new"), "--events", "200", "--accounts", "2", "--days", "1"); r.code != ExitOK {
		t.Errorf("a new folder: exit %d: %s", r.code, r.stderr)
	}
}
