package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestRulesExportFiles: --out writes one file per exported rule, named by
// its id, and says on stderr what was not exported and why.
func TestRulesExportFiles(t *testing.T) {
	for _, tc := range []struct {
		format, ext string
		extra       []string
		check       func(t *testing.T, b []byte)
	}{
		{"athena", ".sql", []string{"--database", "security", "--since", "1d"}, func(t *testing.T, b []byte) {
			if !strings.Contains(string(b), `FROM "security"."cloudtrail_logs"`) || !strings.Contains(string(b), "INTERVAL '1' DAY") {
				t.Errorf("query:\n%s", b)
			}
		}},
		{"cloudtrail-lake", ".sql", []string{"--event-data-store", "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/EXAMPLE-f852-4e8f-8bd1"}, func(t *testing.T, b []byte) {
			if !strings.Contains(string(b), "FROM EXAMPLE-f852-4e8f-8bd1\n") {
				t.Errorf("query:\n%s", b)
			}
		}},
		{"eventbridge", ".json", nil, func(t *testing.T, b []byte) {
			var p map[string]any
			if err := json.Unmarshal(b, &p); err != nil || p["detail-type"] == nil {
				t.Errorf("pattern %v:\n%s", err, b)
			}
		}},
		{"sigma", ".yml", nil, func(t *testing.T, b []byte) {
			var doc map[string]any
			if err := yaml.Unmarshal(b, &doc); err != nil || doc["detection"] == nil || doc["portcullis"] != nil {
				t.Errorf("sigma %v:\n%s", err, b)
			}
		}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"rules", "export", "--format", tc.format, "--out", dir, "--config", "../../rules/testcontext.yaml"}, tc.extra...)
			res := runCLI(t, args...)
			if res.code != ExitOK {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			stderr := res.stderr
			b, err := os.ReadFile(filepath.Join(dir, "idc.delegated-admin.registered"+tc.ext))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, b)
			if _, err := os.Stat(filepath.Join(dir, "idc.chain.backdoor-user"+tc.ext)); err == nil {
				t.Error("a correlation was exported")
			}
			if !strings.Contains(stderr, "not exported: idc.chain.backdoor-user: a temporal_ordered correlation") ||
				!strings.Contains(stderr, "wrote "+tc.format+" to "+dir) {
				t.Errorf("stderr:\n%s", stderr)
			}
			if tc.format == "eventbridge" {
				for _, f := range []string{"watch.json", "index.json"} {
					if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
}

// TestRulesExportStdout: without --out every export goes to stdout; the
// EventBridge one is a single JSON document holding the combined pattern
// watch prints.
func TestRulesExportStdout(t *testing.T) {
	res := runCLI(t, "rules", "export", "--format", "eventbridge")
	if res.code != ExitOK {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	var doc struct {
		Rules []struct {
			ID      string          `json:"id"`
			Status  string          `json:"status"`
			Pattern json.RawMessage `json:"pattern"`
		} `json:"rules"`
		Watch       json.RawMessage               `json:"watch"`
		NotExported []struct{ ID, Reason string } `json:"not_exported"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, res.stdout)
	}
	if len(doc.Rules) < 10 || len(doc.NotExported) == 0 || len(doc.Watch) == 0 {
		t.Errorf("%d rules, %d not exported, watch %s", len(doc.Rules), len(doc.NotExported), doc.Watch)
	}
	watchOut := runCLI(t, "watch", "--print-eventbridge-pattern")
	if watchOut.code != ExitOK {
		t.Fatal(watchOut.stderr)
	}
	var a, b any
	_ = json.Unmarshal(doc.Watch, &a)
	_ = json.Unmarshal([]byte(watchOut.stdout), &b)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("rules export's watch pattern differs from watch's:\n%s\n%s", ja, jb)
	}

	res = runCLI(t, "rules", "export", "--format", "athena", "--rule", "idc.assignment.created", "--rule", "idc.chain.backdoor-user")
	if res.code != ExitOK {
		t.Fatal(res.stderr)
	}
	out := res.stdout
	if !strings.HasPrefix(out, "-- idc.assignment.created: ") || !strings.Contains(out, "-- not exported: idc.chain.backdoor-user: ") {
		t.Errorf("stdout:\n%s", out)
	}
}

func TestRulesExportExplain(t *testing.T) {
	res := runCLI(t, "rules", "export", "--format", "sigma", "--explain")
	if res.code != ExitOK {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	out := res.stdout
	for _, want := range []string{"RULE", "idc.permission-set.admin-policy-attached", "partial", "portcullis.policy.escalation in selection_managed: needs the policy analyser", "fully,"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
}

func TestRulesExportErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "splunk"}, `--format: want one of athena, cloudtrail-lake, eventbridge, sigma, got "splunk"`},
		{[]string{"--format", "cloudtrail-lake"}, "--format cloudtrail-lake needs --event-data-store"},
		{[]string{"--format", "cloudtrail-lake", "--event-data-store", "x;DROP"}, `is not an event data store id or ARN`},
		{[]string{"--format", "athena", "--rule", "idc.nope"}, `--rule: no rule "idc.nope"`},
		{[]string{"--format", "athena", "--since", "yesterday"}, `--since: want a time`},
		{[]string{"--format", "sigma", "--since", "1d"}, `--since applies to the SQL formats`},
		{[]string{"--format", "athena", "--config", "/nonexistent.yaml"}, "config:"},
	} {
		res := runCLI(t, append([]string{"rules", "export"}, tc.args...)...)
		if res.code != ExitError || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, res.code, res.stderr, tc.want)
		}
	}
}
