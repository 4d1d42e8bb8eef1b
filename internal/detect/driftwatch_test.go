package detect

import (
	"context"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// TestDriftStreamPagesOnceOnNewGrant: an assignment outside the baseline
// raises one drift finding with a stable id; a batch that changes nothing
// raises none.
func TestDriftStreamPagesOnceOnNewGrant(t *testing.T) {
	base := idc.New("file")
	base.PermissionSets["arn:aws:sso:::permissionSet/i/ps-1"] = &idc.PermissionSet{ARN: "arn:aws:sso:::permissionSet/i/ps-1", Name: "Admin", ManagedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}
	cur := idc.New("file")
	cur.PermissionSets["arn:aws:sso:::permissionSet/i/ps-1"] = &idc.PermissionSet{ARN: "arn:aws:sso:::permissionSet/i/ps-1", Name: "Admin", ManagedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := TestContext()
	e, err := NewEngine(rs, cfg, cur)
	if err != nil {
		t.Fatal(err)
	}
	ds := e.Stream().WithBaseline(base)
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	assign := rec(t, t0, "CreateAccountAssignment", "", `,"requestParameters":{"instanceArn":"arn:aws:sso:::instance/i","permissionSetArn":"arn:aws:sso:::permissionSet/i/ps-1","targetId":"222222222222","targetType":"AWS_ACCOUNT","principalType":"USER","principalId":"u-1"}`)
	fs, err := ds.Detect(context.Background(), []*cloudtrail.Event{assign})
	if err != nil {
		t.Fatal(err)
	}
	var drifted []string
	for _, f := range fs {
		if f.Rule == DriftRule {
			drifted = append(drifted, f.ID)
			if f.Targets.AccountID != "222222222222" || len(f.Events) != 1 {
				t.Errorf("drift finding: %+v", f)
			}
		}
	}
	if len(drifted) != 1 {
		t.Fatalf("drift findings %v, want 1", drifted)
	}
	read := rec(t, t0.Add(time.Minute), "ListPermissionSets", "", "")
	fs, _ = ds.Detect(context.Background(), []*cloudtrail.Event{read})
	for _, f := range fs {
		if f.Rule == DriftRule {
			t.Errorf("a read raised drift: %+v", f)
		}
	}
}
