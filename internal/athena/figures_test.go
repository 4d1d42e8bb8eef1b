//go:build cgo

package athena_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
//	portcullis simulate --out /tmp/trail --size 1GB --scenario all
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
	// PORTCULLIS_FIGURES_DB keeps the loaded table between runs.
	dbPath := os.Getenv("PORTCULLIS_FIGURES_DB")
	if dbPath == "" {
		dbPath = filepath.Join(work, "trail.duckdb")
	}
	_, statErr := os.Stat(dbPath)
	db, err := athenafake.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows int64
	if statErr == nil {
		if err := db.UseCloudTrailTable(ctx, testDB, testTable); err != nil {
			t.Fatal(err)
		}
	} else {
		if err := db.CreateCloudTrailTable(ctx, testDB, testTable); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		ls, err := db.Load(ctx, testDB, testTable, filepath.Join(dir, "AWSLogs"))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("loaded %d objects, %d rows, %.1f MB stored, in %s", ls.Objects, ls.Rows, float64(ls.Bytes)/1e6, time.Since(start).Round(time.Second))
	}
	if err := db.SQL().QueryRow(`SELECT count(*) FROM security.cloudtrail_logs`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	srv := athenafake.NewServer(db, athenafake.Options{})
	defer srv.Close()

	env := append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+filepath.Join(work, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(work, "none"))
	cfg := filepath.Join(dir, "portcullis.yaml")
	// Peak memory comes from /usr/bin/time: a child's own rusage would
	// count the pages it shares with this (large) process until exec.
	timeBin, _ := exec.LookPath("/usr/bin/time")
	run := func(name string, args ...string) ([]finding.Finding, string) {
		cmd := exec.Command(bin, args...)
		if timeBin != "" {
			cmd = exec.Command(timeBin, append([]string{"-f", "maxrss_kb=%M", bin}, args...)...)
		}
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		start := time.Now()
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, errb.String())
		}
		wall := time.Since(start).Round(time.Millisecond)
		rss := "unknown (no /usr/bin/time)"
		stderr := errb.String()
		if i := strings.LastIndex(stderr, "maxrss_kb="); i >= 0 {
			kb, _ := strconv.Atoi(strings.TrimSpace(stderr[i+len("maxrss_kb="):]))
			rss = fmt.Sprintf("%.1f MB", float64(kb)/1024)
			stderr = stderr[:i]
		}
		t.Logf("%s: %s, peak RSS %s\n  portcullis %s\n%s", name, wall, rss, strings.Join(args, " "), stderr)
		fs, err := finding.Read(&out, name)
		if err != nil {
			t.Fatal(err)
		}
		return fs, stderr
	}
	local, _ := run("local hunt", "hunt", "--format", "jsonl", "--workers", "2", "--config", cfg, filepath.Join(dir, "AWSLogs"))
	remote, stderr := run("athena hunt", "hunt", "--athena", "--athena-endpoint", srv.URL, "--database", testDB, "--table", testTable,
		"--format", "jsonl", "--config", cfg)
	compareFindings(t, local, remote)
	var returned int64
	if i := strings.Index(stderr, " rows returned"); i >= 0 {
		f := strings.Fields(stderr[:i])
		returned, _ = strconv.ParseInt(f[len(f)-1], 10, 64)
	}
	t.Logf("rows returned: %d of %d (%.2f%%); findings: %d, equal to the local hunt's", returned, rows, 100*float64(returned)/float64(rows), len(remote))

	// One day of three: partition projection reads only that day's objects.
	day := []string{"--since", "2026-11-02", "--until", "2026-11-03"}
	local, _ = run("local hunt, one day", append([]string{"hunt", "--format", "jsonl", "--workers", "2", "--config", cfg, filepath.Join(dir, "AWSLogs")}, day...)...)
	remote, _ = run("athena hunt, one day", append([]string{"hunt", "--athena", "--athena-endpoint", srv.URL, "--database", testDB, "--table", testTable,
		"--format", "jsonl", "--config", cfg}, day...)...)
	compareFindings(t, local, remote)
}
