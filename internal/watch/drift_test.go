package watch

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

func ssoEvent(t *testing.T, at time.Time, name, extra string) *cloudtrail.Event {
	t.Helper()
	js := fmt.Sprintf(`{"eventSource":"sso.amazonaws.com","eventName":%q,"eventTime":%q,"eventID":"id-%d-%s",
	"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/mallory","userName":"mallory"}%s}`,
		name, at.Format(time.RFC3339), at.UnixNano(), name, extra)
	e, err := cloudtrail.Decode([]byte(js), cloudtrail.Origin{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestDriftDetectorPagesOnceOnNewGrant: an assignment outside the baseline
// raises one drift finding with a stable id, and the rule file's title,
// remediation and ATT&CK ids; a batch that changes nothing raises none.
func TestDriftDetectorPagesOnceOnNewGrant(t *testing.T) {
	admin := func() *idc.Model {
		m := idc.New("file")
		m.PermissionSets["arn:aws:sso:::permissionSet/i/ps-1"] = &idc.PermissionSet{ARN: "arn:aws:sso:::permissionSet/i/ps-1", Name: "Admin", ManagedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}
		return m
	}
	rs, err := detect.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := detect.TestContext()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := detect.NewEngine(rs, cfg, admin())
	if err != nil {
		t.Fatal(err)
	}
	det, err := NewDriftDetector(eng, admin())
	if err != nil {
		t.Fatal(err)
	}
	rule := rs.Find(DriftRule)
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	assign := ssoEvent(t, t0, "CreateAccountAssignment", `,"requestParameters":{"instanceArn":"arn:aws:sso:::instance/i","permissionSetArn":"arn:aws:sso:::permissionSet/i/ps-1","targetId":"222222222222","targetType":"AWS_ACCOUNT","principalType":"USER","principalId":"u-1"}`)
	fs, err := det.Detect(context.Background(), []*cloudtrail.Event{assign})
	if err != nil {
		t.Fatal(err)
	}
	var drifted []string
	for _, f := range fs {
		if f.Rule != DriftRule {
			continue
		}
		drifted = append(drifted, f.ID)
		if f.Targets.AccountID != "222222222222" || len(f.Events) != 1 {
			t.Errorf("drift finding: %+v", f)
		}
		if f.Title != rule.Title || f.Remediation == "" || f.Remediation != rule.Portcullis.Remediation || !slices.Equal(f.Attack, []string{"T1098"}) {
			t.Errorf("drift finding does not carry the rule file's metadata: %+v", f)
		}
	}
	if len(drifted) != 1 {
		t.Fatalf("drift findings %v, want 1", drifted)
	}
	read := ssoEvent(t, t0.Add(time.Minute), "ListPermissionSets", "")
	fs, err = det.Detect(context.Background(), []*cloudtrail.Event{read})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == DriftRule {
			t.Errorf("a read raised drift: %+v", f)
		}
	}
}
