//go:build cgo

package athena_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/athenafake"
	"github.com/portcullis-sec/portcullis/internal/finding"
)

// TestFigures measures the README's figures on a trail made by
// portcullis simulate (scripts/athena-figures.sh): the trail loaded into
// DuckDB as the standard table, then the shipped binary (built without cgo)
// hunting it twice as separate processes — from the files, and with
// --athena against the fake — comparing findings and reporting rows
// returned as a share of the trail and each process's peak memory.
//
//	PORTCULLIS_FIGURES_TRAIL=/tmp/trail go test -run TestFigures -v -timeout 60m ./internal/athena/
func TestFigures(t *testing.T) {
	dir := os.Getenv("PORTCULLIS_FIGURES_TRAIL")
	if dir == "" {
		t.Skip("set PORTCULLIS_FIGURES_TRAIL to a simulated trail")
	}
	ctx := context.Background()
	work := t.TempDir()
	bin := filepath.Join(work, "portcullis")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/portcullis")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	db, err := athenafake.Open(filepath.Join(work, "trail.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateCloudTrailTable(ctx, testDB, testTable); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ls, err := db.Load(ctx, testDB, testTable, filepath.Join(dir, "AWSLogs"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d objects, %d rows, %.1f MB stored, in %s", ls.Objects, ls.Rows, float64(ls.Bytes)/1e6, time.Since(start).Round(time.Second))
	srv := athenafake.NewServer(db, athenafake.Options{})
	defer srv.Close()

	env := append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+filepath.Join(work, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(work, "none"))
	cfg := filepath.Join(dir, "portcullis.yaml")
	run := func(name string, args ...string) []finding.Finding {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		start := time.Now()
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, errb.String())
		}
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
		t.Logf("%s: %s, peak RSS %.1f MB\n  %s\n%s", name, time.Since(start).Round(time.Millisecond), float64(rss)/1024, cmd.String(), errb.String())
		fs, err := finding.Read(&out, name)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	local := run("local hunt", "hunt", "--format", "jsonl", "--workers", "2", "--config", cfg, filepath.Join(dir, "AWSLogs"))
	remote := run("athena hunt", "hunt", "--athena", "--athena-endpoint", srv.URL, "--database", testDB, "--table", testTable,
		"--format", "jsonl", "--config", cfg)
	compareFindings(t, local, remote)
}
