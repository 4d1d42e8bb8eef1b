package cli

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestOutputFlag: every command that writes a report takes --output FILE
// and writes there exactly what it would print.
func TestOutputFlag(t *testing.T) {
	events, snap := modelDir.file("events.json"), modelDir.file("org.snapshot.json")
	db := storeWith(t, "pf-00000001aa", "pf-00000002bb")
	for _, tc := range []struct {
		name string
		s    session
		args []string
	}{
		{"hunt", session{}, []string{"hunt", "--format", "json", events}},
		{"access", session{}, []string{"access", "--snapshot", snap, "--format", "csv"}},
		{"diff", session{}, []string{"diff", snap, modelDir.file("sso.tfstate"), "--format", "json"}},
		{"reconcile", session{now: driftNow}, []string{"reconcile", "--baseline", driftDir.file("reconcile/baseline.tfstate"),
			"--current", driftDir.file("reconcile/planted.snapshot.json"), "--events", driftDir.file("reconcile/events.jsonl"), "--format", "markdown"}},
		{"posture", session{}, []string{"posture", "--snapshot", snap, "--format", "json"}},
		{"contain", session{now: driftNow}, []string{"contain", "--findings", containDir.file("findings.jsonl"), "--finding", findingAssign,
			"--snapshot", containDir.file("snapshot.json"), "--config", containDir.file("portcullis.yaml"), "--region", "eu-west-1", "--format", "sh"}},
		{"findings list", session{}, []string{"findings", "list", "--store", db, "--format", "json"}},
		{"rules list", session{}, []string{"rules", "list", "--format", "json"}},
		{"rules docs", session{}, []string{"rules", "docs"}},
		{"rules export", session{}, []string{"rules", "export", "--format", "eventbridge"}},
		{"snapshot", session{}, []string{"snapshot", "--from", "file", snap}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain := tc.s.run(t, tc.args...)
			out := filepath.Join(t.TempDir(), "report")
			r := tc.s.run(t, append(tc.args, "--output", out)...)
			if r.code != plain.code || r.stdout != "" {
				t.Fatalf("--output: exit %d (without: %d), stdout %.100q", r.code, plain.code, r.stdout)
			}
			b, err := os.ReadFile(out)
			if err != nil || string(b) != plain.stdout || len(b) == 0 {
				t.Errorf("--output file (%v) differs from stdout:\n%.300s\nvs\n%.300s", err, b, plain.stdout)
			}
		})
	}
}

// TestWriteOutputIsAtomic: a report that fails half-way leaves the old file
// as it was and no temporary file behind.
func TestWriteOutputIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, []byte("the good report\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	app, _, _ := session{}.app()
	boom := errors.New("disk on fire")
	err := app.writeOutput(path, func(w io.Writer) error {
		io.WriteString(w, `{"half": `)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want the write's", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "the good report\n" {
		t.Errorf("the old report was touched: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := app.writeOutput(filepath.Join(dir, "missing", "r.json"), func(io.Writer) error { return nil }); err == nil {
		t.Error("a folder that does not exist: no error")
	}
}
