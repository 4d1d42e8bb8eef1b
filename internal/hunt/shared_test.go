package hunt

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// sharedDir finds ../shared beside the repository (CI has it; required there).
func sharedDir(t *testing.T) string {
	t.Helper()
	d := filepath.Join("..", "..", "..", "shared")
	if _, err := os.Stat(d); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("../shared is required in CI: %v", err)
		}
		t.Skip("../shared not present")
	}
	return d
}

// TestInvictusDrawsNothingSerious: a real public attack-simulation trail with
// no Identity Center activity must draw no finding at medium or above, and
// every record must be read.
func TestInvictusDrawsNothingSerious(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "datasets", "invictus-aws", "CloudTrail")
	var errs []error
	res, err := Run(context.Background(), Options{Paths: []string{dir}, OnError: func(e error) { errs = append(errs, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Errorf("input errors on a real trail: %v", errs)
	}
	if res.Scan.Records != 2900 {
		t.Errorf("read %d records, want 2900", res.Scan.Records)
	}
	for _, f := range res.Findings {
		if f.Severity >= finding.Medium {
			t.Errorf("finding on the Invictus trail: %s %s %s", f.Severity, f.Rule, f.Summary)
		}
	}
	// No Identity Center at all in it: the coverage report says so, while
	// the IAM and Organizations events it does hold are not called missing.
	gaps := map[string][]string{}
	for _, g := range res.Coverage {
		gaps[g.Kind.Name] = g.Rules
	}
	for _, kind := range []string{"management", "signin", "role-use", "token"} {
		if len(gaps[kind]) == 0 {
			t.Errorf("coverage does not report missing %s events: %v", kind, gaps)
		}
	}
	if _, ok := gaps["iam"]; ok {
		t.Errorf("coverage calls IAM events missing on a trail full of them: %v", gaps)
	}
}

// TestReferenceEventsHunt: the real Identity Center records are read and the
// console changes in them are found.
func TestReferenceEventsHunt(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "reference-events", "events")
	res, err := Run(context.Background(), Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]int{}
	for _, f := range res.Findings {
		rules[f.Rule]++
	}
	for _, want := range []string{"idc.permission-set.created", "idc.permission-set.session-duration-raised", "idc.assignment.created", "idc.assignment.deleted", "idc.directory.group-created"} {
		if rules[want] == 0 {
			t.Errorf("no %s finding on the real console records (got %v)", want, rules)
		}
	}
	if rules["idc.change.unlisted-actor"] > 1 {
		t.Errorf("provisioning side effects or reads drew unlisted-actor findings: %v", rules)
	}
}
