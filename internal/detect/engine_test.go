package detect

import (
	"fmt"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/finding"
)

func engine(t *testing.T) *Engine {
	t.Helper()
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := TestContext()
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(rs, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func rec(t *testing.T, ts time.Time, name, errCode, extra string) *cloudtrail.Event {
	t.Helper()
	errField := ""
	if errCode != "" {
		errField = fmt.Sprintf(`,"errorCode":%q`, errCode)
	}
	js := fmt.Sprintf(`{"eventSource":"sso.amazonaws.com","eventName":%q,"eventTime":%q,"eventID":"id-%d-%s",
	"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/mallory","userName":"mallory"}%s%s}`,
		name, ts.Format(time.RFC3339), ts.UnixNano(), name, errField, extra)
	e, err := cloudtrail.Decode([]byte(js), cloudtrail.Origin{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestRepeatedFailuresAreMedium(t *testing.T) {
	e := engine(t)
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	var sevs []finding.Severity
	for i := 0; i < 4; i++ {
		for _, f := range e.Process(rec(t, t0.Add(time.Duration(i)*time.Minute), "DeletePermissionsBoundaryFromPermissionSet", "AccessDeniedException",
			`,"requestParameters":{"permissionSetArn":"arn:aws:sso:::permissionSet/ssoins-1/ps-1"}`)) {
			sevs = append(sevs, f.Severity)
		}
	}
	want := []finding.Severity{finding.Low, finding.Low, finding.Medium, finding.Medium}
	if fmt.Sprint(sevs) != fmt.Sprint(want) {
		t.Errorf("severities %v, want %v", sevs, want)
	}
	// An hour later the count starts again.
	fs := e.Process(rec(t, t0.Add(3*time.Hour), "DeletePermissionsBoundaryFromPermissionSet", "AccessDeniedException", ""))
	if len(fs) != 1 || fs[0].Severity != finding.Low {
		t.Errorf("after the window: %+v", fs)
	}
}

func TestFindingIDsAreStable(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	a := engine(t).Process(rec(t, t0, "DeletePermissionsBoundaryFromPermissionSet", "", ""))
	b := engine(t).Process(rec(t, t0, "DeletePermissionsBoundaryFromPermissionSet", "", ""))
	if len(a) != 1 || len(b) != 1 || a[0].ID != b[0].ID {
		t.Fatalf("ids differ: %+v %+v", a, b)
	}
}

func TestCorrelationSurvivesSaveRestore(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	ps := `"arn:aws:sso:::permissionSet/ssoins-1/ps-9"`
	e := engine(t)
	e.Process(rec(t, t0, "CreatePermissionSet", "", `,"requestParameters":{"name":"Door"},"responseElements":{"permissionSet":{"name":"Door","permissionSetArn":`+ps+`}}`))
	e.Process(rec(t, t0.Add(time.Minute), "AttachManagedPolicyToPermissionSet", "", `,"requestParameters":{"permissionSetArn":`+ps+`,"managedPolicyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`))
	blob, err := e.SaveState()
	if err != nil {
		t.Fatal(err)
	}
	e2 := engine(t)
	if err := e2.RestoreState(blob); err != nil {
		t.Fatal(err)
	}
	got := e2.Process(rec(t, t0.Add(2*time.Minute), "ProvisionPermissionSet", "", `,"requestParameters":{"permissionSetArn":`+ps+`,"targetId":"333333333333","targetType":"AWS_ACCOUNT"}`))
	var chain *finding.Finding
	for i := range got {
		if got[i].Rule == "idc.chain.backdoor-permission-set" {
			chain = &got[i]
		}
	}
	if chain == nil {
		t.Fatalf("restored engine lost the correlation window: %+v", got)
	}
	if len(chain.Events) != 3 || chain.Targets.PermissionSetName != "Door" {
		t.Errorf("chain finding: %+v", chain)
	}
	if err := e2.RestoreState([]byte(`{"schema":"other"}`)); err == nil {
		t.Error("foreign state accepted")
	}
}

// TestCorrelationStateIsBounded: a flood of distinct groups keeps at most
// the bound, and what goes is the oldest: a late sequence still completes,
// an early one no longer can.
func TestCorrelationStateIsBounded(t *testing.T) {
	e := engine(t)
	e.maxGroups = 100
	const flood = 150
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	actor := func(i int) string { return fmt.Sprintf(`{"type":"IAMUser","arn":"arn:aws:iam::1:user/u%d"}`, i) }
	psARN := func(i int) string { return fmt.Sprintf("arn:aws:sso:::permissionSet/i/ps-%d", i) }
	decode := func(js string) *cloudtrail.Event {
		ev, err := cloudtrail.Decode([]byte(js), cloudtrail.Origin{})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	for i := 0; i < flood; i++ {
		e.Process(decode(fmt.Sprintf(`{"eventSource":"sso.amazonaws.com","eventName":"CreatePermissionSet","eventTime":%q,"eventID":"e%d","userIdentity":%s,
			"requestParameters":{"name":"p%d"},"responseElements":{"permissionSet":{"name":"p%d","permissionSetArn":%q}}}`,
			t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i, actor(i), i, i, psARN(i))))
	}
	if n := len(e.state["idc.chain.backdoor-permission-set"].Groups); n > e.maxGroups || n == 0 {
		t.Fatalf("%d groups kept, bound is %d", n, e.maxGroups)
	}
	chains := func(i int) bool {
		at := t0.Add(time.Hour)
		e.Process(decode(fmt.Sprintf(`{"eventSource":"sso.amazonaws.com","eventName":"AttachManagedPolicyToPermissionSet","eventTime":%q,"eventID":"a%d","userIdentity":%s,
			"requestParameters":{"permissionSetArn":%q,"managedPolicyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}}`, at.Format(time.RFC3339), i, actor(i), psARN(i))))
		for _, f := range e.Process(decode(fmt.Sprintf(`{"eventSource":"sso.amazonaws.com","eventName":"ProvisionPermissionSet","eventTime":%q,"eventID":"p%d","userIdentity":%s,
			"requestParameters":{"permissionSetArn":%q,"targetId":"333333333333","targetType":"AWS_ACCOUNT"}}`, at.Add(time.Minute).Format(time.RFC3339), i, actor(i), psARN(i)))) {
			if f.Rule == "idc.chain.backdoor-permission-set" {
				return true
			}
		}
		return false
	}
	if !chains(flood - 1) {
		t.Error("the newest group was dropped")
	}
	if chains(0) {
		t.Error("the oldest group survived the flood")
	}
}

// TestFallbackOnlyWhenNothingElseRaised: the unlisted-actor rule catches
// writes no other rule explains, and stays quiet when one does.
func TestFallbackOnlyWhenNothingElseRaised(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name, event string
		want        []string
	}{
		{"a write another rule explains", "CreateAccountAssignment", []string{"idc.assignment.created"}},
		{"a write nothing else explains", "UpdateApplication", []string{"idc.change.unlisted-actor"}},
		{"a write another new rule explains", "UpdateInstanceAccessControlAttributeConfiguration", []string{"idc.abac.changed"}},
		{"a read", "ListPermissionSets", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, f := range engine(t).Process(rec(t, t0, c.event, "", `,"requestParameters":{"targetId":"333333333333","targetType":"AWS_ACCOUNT","principalType":"USER","principalId":"u-1"}`)) {
				got = append(got, f.Rule)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("rules %v, want %v", got, c.want)
			}
		})
	}
}
