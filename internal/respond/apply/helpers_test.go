package apply

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
	"github.com/portcullis-sec/portcullis/internal/respond"
)

// The plans under test are built by respond from its own fixtures.
var testdata = filepath.Join("..", "testdata")

// planTime is the revocation instant every test plan uses.
var planTime = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// Ids from ../testdata/org.snapshot.json and findings.jsonl.
const (
	instanceARN = "arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6"
	psAdmin     = "arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001"
	psDev       = "arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000004"
	psBackdoor  = "arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-b000000000000666"
	userMallory = "9067a00001-0000aaaa-1111-4111-8111-000000000066"
	userTrent   = "9067a00001-0000aaaa-1111-4111-8111-000000000077"
	groupAdmins = "9067a00001-0000bbbb-2222-4222-8222-000000000001"

	findAssignment = "pf-0a1b2c3d4e5f60718293a4b5"
	findMembership = "pf-1b2c3d4e5f60718293a4b5c6"
	findBackdoor   = "pf-2c3d4e5f60718293a4b5c6d7"
	findAttached   = "pf-3d4e5f60718293a4b5c6d7e8"
)

func loadModel(t testing.TB) *idc.Model {
	t.Helper()
	m, err := idc.Load(filepath.Join(testdata, "org.snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func loadConfig(t testing.TB) *config.Config {
	t.Helper()
	c, err := config.Load(filepath.Join(testdata, "portcullis.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func loadFinding(t testing.TB, id string) *finding.Finding {
	t.Helper()
	fs, err := respond.LoadFindings(filepath.Join(testdata, "findings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := respond.FindFinding(fs, id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustPlan(t *testing.T, in respond.Input) *respond.ContainmentPlan {
	t.Helper()
	p, err := respond.Plan(in, loadModel(t), loadConfig(t), planTime)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return p
}

func sids(d *policy.Document) []string {
	var out []string
	for _, s := range d.Statement {
		out = append(out, s.Sid)
	}
	return out
}

// bigPolicy is an inline policy of about n bytes.
func bigPolicy(n int) string {
	var st []string
	for i := 0; len(strings.Join(st, ","))+120 < n; i++ {
		st = append(st, fmt.Sprintf(`{"Sid":"Keep%04d","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-number-%04d/*"}`, i, i))
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(st, ",") + `]}`
}
