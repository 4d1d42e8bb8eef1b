package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRulesListJSON: every rule that raises findings, with its metadata.
func TestRulesListJSON(t *testing.T) {
	r := runCLI(t, "rules", "list", "--format", "json")
	var doc struct {
		Schema string
		Rules  []ruleEntry
	}
	if r.code != ExitOK || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		t.Fatalf("exit %d: %.300s %s", r.code, r.stdout, r.stderr)
	}
	table := runCLI(t, "rules", "list")
	if doc.Schema != "portcullis.rules/v1" || len(doc.Rules) != strings.Count(table.stdout, "\n")-1 {
		t.Errorf("schema %q, %d rules; the table lists %d", doc.Schema, len(doc.Rules), strings.Count(table.stdout, "\n")-1)
	}
	for _, e := range doc.Rules {
		if e.ID == "" || e.Title == "" || e.Source == "" || e.Attack == nil {
			t.Errorf("incomplete entry %+v", e)
		}
	}
	if r := runCLI(t, "rules", "list", "--format", "yaml"); r.code != ExitError {
		t.Errorf("--format yaml: exit %d", r.code)
	}
}

// TestRulesTestVerbose: -v prints every test with its verdict.
func TestRulesTestVerbose(t *testing.T) {
	quiet := runCLI(t, "rules", "test")
	r := runCLI(t, "rules", "test", "-v")
	if r.code != ExitOK || quiet.code != ExitOK {
		t.Fatalf("exit %d / %d: %s", r.code, quiet.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	summary := lines[len(lines)-1]
	if summary != strings.TrimSpace(quiet.stdout) || len(lines) < 10 {
		t.Fatalf("summary %q (quiet: %q), %d lines", summary, quiet.stdout, len(lines))
	}
	for _, want := range []string{
		"PASS idc.assignment.created: sensitive account is high: want a finding at high, got a finding at high",
		"want no finding, got no finding",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("-v lacks %q", want)
		}
	}
}
