package respond

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// planTime is the revocation instant every test plan uses.
var planTime = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// Ids from testdata/org.snapshot.json.
const (
	instanceARN = "arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6"
	psAdmin     = "arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001"
	psBreak     = "arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000003"
	psDev       = "arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000004"
	psBackdoor  = "arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-b000000000000666"
	userMallory = "9067a00001-0000aaaa-1111-4111-8111-000000000066"
	userTrent   = "9067a00001-0000aaaa-1111-4111-8111-000000000077"
	groupAdmins = "9067a00001-0000bbbb-2222-4222-8222-000000000001"

	findAssignment = "pf-0a1b2c3d4e5f60718293a4b5"
	findMembership = "pf-1b2c3d4e5f60718293a4b5c6"
	findBackdoor   = "pf-2c3d4e5f60718293a4b5c6d7"
	findAttached   = "pf-3d4e5f60718293a4b5c6d7e8"
	findDeleted    = "pf-4e5f60718293a4b5c6d7e8f9"
)

func loadModel(t testing.TB) *idc.Model {
	t.Helper()
	m, err := idc.Load(filepath.Join("testdata", "org.snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func loadConfig(t testing.TB) *config.Config {
	t.Helper()
	c, err := config.Load(filepath.Join("testdata", "portcullis.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func loadFinding(t testing.TB, id string) *finding.Finding {
	t.Helper()
	fs, err := LoadFindings(filepath.Join("testdata", "findings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := FindFinding(fs, id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustPlan(t *testing.T, in Input) *ContainmentPlan {
	t.Helper()
	p, err := Plan(in, loadModel(t), loadConfig(t), planTime)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return p
}
