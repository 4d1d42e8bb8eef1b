package apply

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
	"github.com/portcullis-sec/portcullis/internal/respond"
)

// harness is a loopback AWS (awsfake) seeded with the test organization,
// and the real SDK clients pointed at it.
type harness struct {
	srv   *awsfake.Server
	exec  *SDKExecutor
	audit bytes.Buffer
	state string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	srv := awsfake.New(loadModel(t))
	t.Cleanup(srv.Close)
	return &harness{srv: srv, exec: NewSDKExecutor(srv.Config()), state: filepath.Join(t.TempDir(), "contain.state.json")}
}

func (h *harness) opts() Options {
	return Options{Execute: true, Yes: true, StatePath: h.state,
		PollInterval: time.Millisecond, PollMaxInterval: 2 * time.Millisecond, PollTimeout: 10 * time.Second}
}

func (h *harness) apply(p *respond.ContainmentPlan, o Options) error {
	return Run(context.Background(), p, h.exec, &h.audit, o)
}

// writes are the calls that change state, in order.
func writes(calls []awsfake.Call) []string {
	var out []string
	for _, c := range calls {
		if c.Error == "ThrottlingException" { // the SDK retried it
			continue
		}
		if strings.HasPrefix(c.Operation, "Describe") || strings.HasPrefix(c.Operation, "Get") || strings.HasPrefix(c.Operation, "List") {
			continue
		}
		out = append(out, c.Operation)
	}
	return out
}

func auditRecords(t *testing.T, b []byte) []auditRecord {
	t.Helper()
	var out []auditRecord
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r auditRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

func TestApplyFullRun(t *testing.T) {
	h := newHarness(t)
	h.srv.AsyncPending(2) // every async request answers IN_PROGRESS twice
	// Throttling is normal for Identity Center: the SDK's retryer absorbs it.
	h.srv.ThrottleFirst("PutInlinePolicyToPermissionSet", 1)
	h.srv.ThrottleFirst("DescribeAccountAssignmentDeletionStatus", 2)
	p := mustPlan(t, respond.Input{Finding: loadFinding(t, findBackdoor)})
	var out bytes.Buffer
	o := h.opts()
	o.Out = &out
	if err := h.apply(p, o); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	calls := h.srv.Calls()
	want := []string{"PutInlinePolicyToPermissionSet", "DetachManagedPolicyFromPermissionSet", "DetachManagedPolicyFromPermissionSet",
		"UpdatePermissionSet", "ProvisionPermissionSet", "DeleteAccountAssignment", "DeleteAccountAssignment", "DeletePermissionSet"}
	if got := writes(calls); !slices.Equal(got, want) {
		t.Errorf("writes\n got %q\nwant %q", got, want)
	}
	if n := len(h.srv.CallsTo("DescribeAccountAssignmentDeletionStatus")); n != 6+2 {
		t.Errorf("%d deletion polls, want 3 per deletion", n)
	}
	m := h.srv.Model()
	if _, ok := m.PermissionSets[psBackdoor]; ok {
		t.Error("the rogue permission set still exists")
	}
	for _, a := range m.Assignments {
		if a.PermissionSetARN == psBackdoor {
			t.Errorf("assignment left: %+v", a)
		}
	}
	if !slices.ContainsFunc(m.Assignments, func(a idc.Assignment) bool { return a.PrincipalID == userMallory && a.PermissionSetARN == psAdmin }) {
		t.Error("an assignment outside the plan was removed")
	}

	// Every call the server saw is in the audit log, in order, with its result.
	recs := auditRecords(t, h.audit.Bytes())
	var audited []string
	results := 0
	for _, r := range recs {
		switch r.Event {
		case "call", "read", "poll":
			audited = append(audited, r.Operation)
		case "result":
			results++
			if r.Error != "" {
				t.Errorf("unexpected error result: %+v", r)
			}
		}
		if r.Plan != p.Hash {
			t.Errorf("audit record without the plan hash: %+v", r)
		}
	}
	var served []string
	for _, c := range calls {
		if c.Error != "ThrottlingException" { // retried inside one SDK call
			served = append(served, c.Operation)
		}
	}
	if !slices.Equal(audited, served) || results != len(served) {
		t.Errorf("audit log does not match the calls made:\naudit  %q\nserver %q (%d results)", audited, served, results)
	}
	if bytes.Contains(h.audit.Bytes(), []byte("awsfake-secret")) || bytes.Contains(h.audit.Bytes(), []byte("AKIDAWSFAKE")) {
		t.Error("credentials leaked into the audit log")
	}
	st, err := LoadState(h.state)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(h.state); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode: %v %v", fi.Mode(), err)
	}
	if got := st.Completed(); len(got) != len(p.Steps) {
		t.Errorf("completed %q, want all %d steps", got, len(p.Steps))
	}
	if !strings.Contains(out.String(), "All steps done") {
		t.Errorf("progress output: %s", out.String())
	}
}

func TestApplyFailureThenResume(t *testing.T) {
	h := newHarness(t)
	var failed atomic.Bool
	h.srv.FailWhen("DeleteAccountAssignment", "AccessDeniedException", func(c awsfake.Call) bool {
		return c.Param("TargetId") == "444444444444" && failed.CompareAndSwap(false, true)
	})
	p := mustPlan(t, respond.Input{Finding: loadFinding(t, findBackdoor)})
	err := h.apply(p, h.opts())
	var se *StepError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *StepError", err)
	}
	if se.Step != "s07" || !strings.Contains(err.Error(), "AccessDenied") || !strings.Contains(err.Error(), h.state) {
		t.Errorf("failure message: %v", err)
	}
	st, err := LoadState(h.state)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Completed(); !slices.Equal(got, []string{"s01", "s02", "s03", "s04", "s05", "s06"}) {
		t.Errorf("completed after the failure: %q", got)
	}
	if st.Steps["s07"].Status != statusFailed || st.Steps["s07"].Error == "" {
		t.Errorf("failed step state: %+v", st.Steps["s07"])
	}
	firstRun := len(h.srv.Calls())

	// Resume from the state file's own copy of the plan.
	h.srv.ResetCalls()
	if err := h.apply(st.Plan, h.opts()); err != nil {
		t.Fatalf("resume: %v", err)
	}
	want := []string{"DeleteAccountAssignment", "DeletePermissionSet"}
	if got := writes(h.srv.Calls()); !slices.Equal(got, want) {
		t.Errorf("resume redid or skipped steps: %q, want %q", got, want)
	}
	if _, ok := h.srv.Model().PermissionSets[psBackdoor]; ok {
		t.Error("the resumed run did not finish the plan")
	}
	skips := 0
	for _, r := range auditRecords(t, h.audit.Bytes()) {
		if r.Event == "skip" {
			skips++
		}
	}
	if skips != 6 || firstRun == 0 {
		t.Errorf("%d skip records, want 6", skips)
	}
	// A third run has nothing left to do.
	h.srv.ResetCalls()
	if err := h.apply(st.Plan, h.opts()); err != nil || len(h.srv.Calls()) != 0 {
		t.Errorf("third run: %v, %d calls", err, len(h.srv.Calls()))
	}
}

func TestApplyResumesAPendingWait(t *testing.T) {
	h := newHarness(t)
	h.srv.AsyncPending(40)
	p := mustPlan(t, respond.Input{Finding: loadFinding(t, findMembership)})
	o := h.opts()
	o.PollTimeout = 3 * time.Millisecond
	err := h.apply(p, o)
	if err == nil || !strings.Contains(err.Error(), "still IN_PROGRESS") {
		t.Fatalf("err = %v, want a wait timeout", err)
	}
	st, err := LoadState(h.state)
	if err != nil {
		t.Fatal(err)
	}
	if ss := st.Steps["s02"]; ss.Status != statusCalled || ss.Outputs["RequestId"] == "" {
		t.Fatalf("provisioning state %+v, want called with its request id", ss)
	}
	if err := h.apply(st.Plan, h.opts()); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if n := len(h.srv.CallsTo("ProvisionPermissionSet")); n != 1 {
		t.Errorf("ProvisionPermissionSet sent %d times, want once (the resume polls the same request)", n)
	}
	if n := len(h.srv.CallsTo("PutInlinePolicyToPermissionSet")); n != 1 {
		t.Errorf("PutInlinePolicyToPermissionSet sent %d times", n)
	}
	m := h.srv.Model()
	if slices.ContainsFunc(m.Memberships[groupAdmins], func(x idc.Membership) bool { return x.UserID == userTrent }) {
		t.Error("trent is still in AWSAdmins")
	}
}

func TestApplyDryRunAndConfirmation(t *testing.T) {
	p := mustPlan(t, respond.Input{Finding: loadFinding(t, findAssignment)})
	cases := []struct {
		name      string
		opts      func(h *harness) Options
		wantErr   error
		wantCalls bool
		wantOut   string
	}{
		{"zero options are a dry run", func(h *harness) Options { return Options{} }, nil, false, "would run: aws sso-admin put-inline-policy-to-permission-set"},
		{"no terminal and no --yes", func(h *harness) Options { o := h.opts(); o.Yes = false; return o }, ErrConfirmationRequired, false, ""},
		{"declined at the prompt", func(h *harness) Options {
			o := h.opts()
			o.Yes, o.Confirm = false, strings.NewReader("no\n")
			return o
		}, ErrAborted, false, "Type yes to continue"},
		{"confirmed at the prompt", func(h *harness) Options {
			o := h.opts()
			o.Yes, o.Confirm = false, strings.NewReader("yes\n")
			return o
		}, nil, true, "About to run 3 step(s)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			var out bytes.Buffer
			o := tc.opts(h)
			o.Out = &out
			err := h.apply(p, o)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got := len(h.srv.Calls()) > 0; got != tc.wantCalls {
				t.Errorf("calls made = %v, want %v", got, tc.wantCalls)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output %q lacks %q", out.String(), tc.wantOut)
			}
		})
	}
}

func TestApplySCPVariantSkipsManualSteps(t *testing.T) {
	h := newHarness(t)
	p := mustPlan(t, respond.Input{Finding: loadFinding(t, findAssignment), DelegatedAdmin: true, Revoke: respond.RevokeBoth})
	var out bytes.Buffer
	o := h.opts()
	o.Out = &out
	if err := h.apply(p, o); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if got, want := writes(h.srv.Calls()), []string{"CreatePolicy", "AttachPolicy", "AttachPolicy", "DeleteAccountAssignment"}; !slices.Equal(got, want) {
		t.Errorf("writes %q, want %q (manual steps must not run)", got, want)
	}
	pols := h.srv.Policies()
	if len(pols) != 1 || !slices.Equal(pols[0].Targets, []string{"333333333333", "444444444444"}) || pols[0].Type != "SERVICE_CONTROL_POLICY" {
		t.Fatalf("policies %+v", pols)
	}
	if _, err := policy.Parse([]byte(pols[0].Content)); err != nil || !strings.Contains(pols[0].Content, "aws:TokenIssueTime") {
		t.Errorf("SCP content %s: %v", pols[0].Content, err)
	}
	if !strings.Contains(out.String(), "2 manual step(s) remain") {
		t.Errorf("manual steps not reported: %s", out.String())
	}
}

func TestApplyMergesWithTheLivePolicy(t *testing.T) {
	h := newHarness(t)
	p := mustPlan(t, respond.Input{Finding: loadFinding(t, findAttached)})
	// Someone changes the inline policy after the snapshot.
	live := `{"Version":"2012-10-17","Statement":[{"Sid":"AddedLater","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`
	sso := ssoadmin.NewFromConfig(h.srv.Config())
	if _, err := sso.PutInlinePolicyToPermissionSet(context.Background(), &ssoadmin.PutInlinePolicyToPermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(psDev), InlinePolicy: aws.String(live)}); err != nil {
		t.Fatal(err)
	}
	if err := h.apply(p, h.opts()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	d, err := policy.Parse([]byte(h.srv.Model().PermissionSets[psDev].InlinePolicy))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sids(d), ","); got != "AddedLater,PortcullisDenyIssuedBefore" {
		t.Errorf("live policy after apply has %s: the live statement must be kept", got)
	}
	if !bytes.Contains(h.audit.Bytes(), []byte(`"event":"note"`)) {
		t.Error("the drift from the snapshot is not in the audit log")
	}

	// The live policy may also have grown past the limit: the step fails clearly.
	h2 := newHarness(t)
	sso2 := ssoadmin.NewFromConfig(h2.srv.Config())
	if _, err := sso2.PutInlinePolicyToPermissionSet(context.Background(), &ssoadmin.PutInlinePolicyToPermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(psDev), InlinePolicy: aws.String(bigPolicy(policy.InlinePolicyMaxBytes - 60))}); err != nil {
		t.Fatal(err)
	}
	err = h2.apply(p, h2.opts())
	var se *StepError
	if !errors.As(err, &se) || se.Step != "s01" || !errors.Is(err, policy.ErrTooLarge) {
		t.Errorf("err = %v, want step s01 to fail with ErrTooLarge", err)
	}
	if got := writes(h2.srv.Calls()); len(got) != 1 { // only the test's own put
		t.Errorf("writes after the failure: %q", got)
	}
}
