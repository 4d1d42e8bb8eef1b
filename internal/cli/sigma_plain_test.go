package cli

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

func ctRecord(id, name string) string {
	return `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/mallory","userName":"mallory"},` +
		`"eventTime":"2026-11-02T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"` + name + `","awsRegion":"eu-west-1",` +
		`"requestParameters":{"name":"org-trail"},"eventID":"` + id + `","recipientAccountId":"111111111111"}`
}

// TestPlainSigmaRuleFires: a SigmaHQ-style rule without a portcullis:
// block loads through --rules, gets an id in the sigma. namespace (from its
// Sigma id, or its file name when it has none), keeps Sigma's level and its
// title as the summary, and fires through hunt.
func TestPlainSigmaRuleFires(t *testing.T) {
	rules := filepath.Join("testdata", "sigma-plain")
	trail := filepath.Join(t.TempDir(), "trail.json")
	body := `{"Records":[` + ctRecord("e-stop", "StopLogging") + "," + ctRecord("e-sel", "PutEventSelectors") + "," + ctRecord("e-start", "StartLogging") + `]}`
	if err := os.WriteFile(trail, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	app, out, errb := session{}.app()
	if code := app.Run(context.Background(), []string{"hunt", "-q", "--format", "jsonl", "--rules", rules, trail}); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errb)
	}
	fs, err := finding.Read(strings.NewReader(out.String()), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]finding.Finding{}
	for _, f := range fs {
		got[f.Rule] = f
	}
	stop, ok := got["sigma.2b8a6f3e-4c1d-4e7a-9f10-6d5c3b2a1e90"]
	if !ok {
		t.Fatalf("no finding from the plain rule with a Sigma id; got %v", fs)
	}
	if stop.Severity != finding.High || stop.Summary != "CloudTrail Logging Stopped" || stop.Events[0].EventID != "e-stop" {
		t.Errorf("finding = %+v, want severity high, summary = title, event e-stop", stop)
	}
	sel, ok := got["sigma.no-id-rule"]
	if !ok {
		t.Fatalf("no finding from the plain rule without a Sigma id (id from the file name); got rules %v", slices.Sorted(maps.Keys(got)))
	}
	// Level low; the severity policy raises a change by an actor outside
	// the admins list to medium, as for every rule.
	if sel.Severity != finding.Medium || len(sel.Reasons) == 0 {
		t.Errorf("severity %s (reasons %v), want medium by the severity policy", sel.Severity, sel.Reasons)
	}
	if len(fs) != 2 {
		t.Errorf("%d findings, want 2 (StartLogging matches nothing)", len(fs))
	}

	app, out, errb = session{}.app()
	if code := app.Run(context.Background(), []string{"rules", "list", "--rules", rules}); code != 0 {
		t.Fatalf("rules list: exit %d; stderr:\n%s", code, errb)
	}
	for id, level := range map[string]string{"sigma.2b8a6f3e-4c1d-4e7a-9f10-6d5c3b2a1e90": "high", "sigma.no-id-rule": "low", "idc.assignment.created": "low"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(id) + `\s+` + level + `\s`).MatchString(out.String()) {
			t.Errorf("rules list does not show %s at level %s:\n%s", id, level, out)
		}
	}
}

// TestRuleIDErrorSaysWhatIsExpected: a malformed portcullis.id names the
// file, the field, the pattern and the plain-Sigma way out.
func TestRuleIDErrorSaysWhatIsExpected(t *testing.T) {
	dir := t.TempDir()
	rule := `title: Bad id
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: StopLogging}
  condition: selection
portcullis:
  id: custom.stop-logging
`
	if err := os.WriteFile(filepath.Join(dir, "bad.yml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	app, _, errb := session{}.app()
	if code := app.Run(context.Background(), []string{"rules", "list", "--rules", dir}); code == 0 {
		t.Fatal("a bad portcullis.id loaded")
	}
	for _, want := range []string{"bad.yml", "portcullis.id", "custom.stop-logging", "idc.assignment.created", "plain Sigma rule", "sigma."} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("error does not say %q:\n%s", want, errb)
		}
	}
}
