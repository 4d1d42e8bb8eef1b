//go:build cgo

package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/athenafake"
	"github.com/portcullis-sec/portcullis/internal/cli"
	"github.com/portcullis-sec/portcullis/internal/simulate"
)

func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	app := &cli.App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
		Now: func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) }}
	code := app.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func awsEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
}

// TestHuntAthena: hunt --athena, through the real SDK against the fake
// holding a simulated trail, prints exactly what a local hunt of the same
// files prints, and tells on stderr which query ran, what it scanned and
// how many rows came back.
func TestHuntAthena(t *testing.T) {
	dir := t.TempDir()
	sum, err := simulate.Run(context.Background(), simulate.Options{Out: dir, Events: 8000, Seed: 3, Scenarios: []string{"all"}, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	db, err := athenafake.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.CreateCloudTrailTable(ctx, "security", "cloudtrail_logs"); err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(dir, "AWSLogs")
	if _, err := db.Load(ctx, "security", "cloudtrail_logs", logs); err != nil {
		t.Fatal(err)
	}
	srv := athenafake.NewServer(db, athenafake.Options{})
	defer srv.Close()
	awsEnv(t)

	code, local, lerr := run("hunt", "--format", "jsonl", "--config", sum.ConfigPath, "--since", "2026-11-02", logs)
	if code != cli.ExitOK || local == "" {
		t.Fatalf("local hunt: exit %d, stderr %s", code, lerr)
	}
	code, remote, rerr := run("hunt", "--athena", "--athena-endpoint", srv.URL, "--database", "security", "--table", "cloudtrail_logs",
		"--format", "jsonl", "--config", sum.ConfigPath, "--since", "2026-11-02")
	if code != cli.ExitOK {
		t.Fatalf("athena hunt: exit %d, stderr %s", code, rerr)
	}
	if remote != local {
		t.Errorf("findings differ\nlocal:\n%s\nathena:\n%s", local, remote)
	}
	for _, want := range []string{"athena: pushed down: day partitions (timestamp)", "SUCCEEDED", "MB scanned", "rows returned", "findings: "} {
		if !strings.Contains(rerr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, rerr)
		}
	}

	code, _, rerr = run("hunt", "--athena", "--athena-endpoint", srv.URL, "--database", "security", "--table", "missing")
	if code != cli.ExitError || !strings.Contains(rerr, "table not found") || !strings.Contains(rerr, "portcullis athena ddl") {
		t.Errorf("missing table: exit %d, stderr %s", code, rerr)
	}
}

// TestHuntAthenaPrintSQL: --print-sql prints the query and exits without
// any AWS call (no credentials, no endpoint).
func TestHuntAthenaPrintSQL(t *testing.T) {
	code, out, errb := run("hunt", "--athena", "--print-sql", "--database", "security", "--since", "2026-11-01", "--until", "2026-11-08", "--account", "111111111111")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, want := range []string{"SELECT\n", `FROM "security"."cloudtrail_logs"`, `"timestamp" >= '2026/11/01' AND "timestamp" <= '2026/11/08'`, `"account" IN ('111111111111')`, "lower(eventsource) = 'sso.amazonaws.com'", "ORDER BY eventtime, eventid;\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("query lacks %q:\n%s", want, out)
		}
	}
	if code, _, errb := run("hunt", "--athena", "./AWSLogs"); code != cli.ExitError || !strings.Contains(errb, "unknown command") && !strings.Contains(errb, "accepts 0 arg") {
		t.Errorf("--athena with a path: exit %d, %s", code, errb)
	}
}

func TestAthenaDDL(t *testing.T) {
	code, out, errb := run("athena", "ddl", "--bucket", "org-trail", "--org", "o-a1b2c3d4e5", "--accounts", "111111111111,222222222222")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, want := range []string{"CREATE EXTERNAL TABLE `cloudtrail_logs`", "onbehalfof: STRUCT<", "PARTITIONED BY (account string, region string, `timestamp` string)",
		"'projection.account.values'='111111111111,222222222222'", "'storage.location.template'='s3://org-trail/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${timestamp}'"} {
		if !strings.Contains(out, want) {
			t.Errorf("DDL lacks %q", want)
		}
	}
	if code, _, errb := run("athena", "ddl"); code != cli.ExitError || !strings.Contains(errb, "bucket") {
		t.Errorf("no --bucket: exit %d, %s", code, errb)
	}
	if code, _, errb := run("athena", "ddl", "--bucket", "b-ok"); code != cli.ExitOK || !strings.Contains(errb, "injected") {
		t.Errorf("no --accounts: exit %d, want a note on injected accounts: %s", code, errb)
	}
}
