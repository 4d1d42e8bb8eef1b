package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/respond"
)

func TestApplyRefusals(t *testing.T) {
	p := mustPlan(t, respond.Input{Finding: loadFinding(t, findAssignment)})
	other := mustPlan(t, respond.Input{Finding: loadFinding(t, findMembership)})
	t.Run("state of another plan", func(t *testing.T) {
		h := newHarness(t)
		if err := h.apply(p, h.opts()); err != nil {
			t.Fatal(err)
		}
		err := h.apply(other, h.opts())
		if err == nil || !strings.Contains(err.Error(), "belongs to plan "+p.Hash) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("edited plan", func(t *testing.T) {
		h := newHarness(t)
		var c respond.ContainmentPlan
		b, _ := json.Marshal(p)
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		c.Steps[2].Call.Params["TargetId"] = "111111111111"
		err := h.apply(&c, h.opts())
		if err == nil || !strings.Contains(err.Error(), "hash mismatch") || len(h.srv.Calls()) != 0 {
			t.Errorf("err = %v, calls %d", err, len(h.srv.Calls()))
		}
	})
	t.Run("plan blocked by a guard", func(t *testing.T) {
		h := newHarness(t)
		blocked, err := respond.Plan(respond.Input{Principal: "bob@example.com"}, loadModel(t), loadConfig(t), planTime)
		var ge *respond.GuardError
		if !errors.As(err, &ge) || blocked == nil {
			t.Fatalf("Plan: %v, want a refused plan", err)
		}
		for _, o := range []Options{{}, h.opts()} { // neither a dry run nor a real one
			if err := h.apply(blocked, o); !errors.As(err, &ge) || len(h.srv.Calls()) != 0 {
				t.Errorf("Run on a refused plan: %v, %d calls", err, len(h.srv.Calls()))
			}
		}
	})
	t.Run("audit log that cannot be written", func(t *testing.T) {
		h := newHarness(t)
		err := Run(context.Background(), p, h.exec, failWriter{}, h.opts())
		if err == nil || len(h.srv.Calls()) != 0 {
			t.Errorf("err = %v, calls %d: no call may go unrecorded", err, len(h.srv.Calls()))
		}
	})
	t.Run("operation outside the write interface", func(t *testing.T) {
		h := newHarness(t)
		_, err := h.exec.Execute(context.Background(), respond.Call{Service: respond.SvcSSOAdmin, Operation: "CreateAccountAssignment", Params: map[string]any{}})
		if err == nil || !strings.Contains(err.Error(), "not part of the responder's write interface") {
			t.Errorf("err = %v", err)
		}
		_, err = h.exec.Execute(context.Background(), respond.Call{Service: respond.SvcSSOAdmin, Operation: "DeletePermissionSet", Params: map[string]any{"InstanceArn": instanceARN}})
		if err == nil || !strings.Contains(err.Error(), "PermissionSetArn") {
			t.Errorf("missing param: err = %v", err)
		}
	})
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// stubExec answers GetGroupMembershipId (which awsfake does not serve) and
// records everything else.
type stubExec struct {
	calls []respond.Call
	fail  string // operation to fail once
}

func (s *stubExec) Execute(_ context.Context, c respond.Call) (map[string]string, error) {
	s.calls = append(s.calls, c)
	if c.Operation == s.fail {
		s.fail = ""
		return nil, errors.New("injected")
	}
	switch c.Operation {
	case "GetGroupMembershipId":
		return map[string]string{"MembershipId": "9067a00001-0000cccc-3333-4333-8333-000000000088"}, nil
	case "GetInlinePolicyForPermissionSet":
		return map[string]string{"InlinePolicy": ""}, nil
	case "ProvisionPermissionSet", "DeleteAccountAssignment":
		return map[string]string{"RequestId": "r-" + c.Operation}, nil
	case "DescribePermissionSetProvisioningStatus", "DescribeAccountAssignmentDeletionStatus":
		return map[string]string{"Status": "SUCCEEDED"}, nil
	}
	return map[string]string{}, nil
}

func TestApplyLooksUpMembershipIDAcrossResume(t *testing.T) {
	p := mustPlan(t, respond.Input{Principal: "eve@example.com"})
	state := filepath.Join(t.TempDir(), "s.json")
	x := &stubExec{fail: "DeleteGroupMembership"}
	o := Options{Execute: true, Yes: true, StatePath: state, PollInterval: time.Millisecond}
	if err := Run(context.Background(), p, x, &bytes.Buffer{}, o); err == nil {
		t.Fatal("want the injected failure")
	}
	x.calls = nil
	if err := Run(context.Background(), p, x, &bytes.Buffer{}, o); err != nil {
		t.Fatalf("resume: %v", err)
	}
	var dels []string
	for _, c := range x.calls {
		if c.Operation == "GetGroupMembershipId" {
			t.Error("the resume looked the membership id up again")
		}
		if c.Operation == "DeleteGroupMembership" {
			dels = append(dels, c.Params["MembershipId"].(string))
		}
	}
	want := []string{"9067a00001-0000cccc-3333-4333-8333-000000000088", "9067a00001-0000cccc-3333-4333-8333-000000000028"}
	if !slices.Equal(dels, want) {
		t.Errorf("deleted memberships %q, want %q (the looked-up id comes from the state file)", dels, want)
	}
	if b, err := os.ReadFile(state); err != nil || !bytes.Contains(b, []byte(`"MembershipId"`)) {
		t.Errorf("state file lacks the looked-up output: %v", err)
	}
}

func TestSDKExecutorImplementsEveryPlanOperation(t *testing.T) {
	h := newHarness(t)
	for _, o := range respond.Operations() {
		k := o.Service + " " + o.Name
		_, err := h.exec.Execute(context.Background(), respond.Call{Service: o.Service, Operation: o.Name, Params: map[string]any{}})
		if err == nil || strings.Contains(err.Error(), "not implemented") || !strings.Contains(err.Error(), "param") {
			t.Errorf("%s: %v (want a missing-param error before any call)", k, err)
		}
	}
	if len(h.srv.Calls()) != 0 {
		t.Errorf("calls were sent with missing params: %d", len(h.srv.Calls()))
	}
	acts := respond.IAMActions()
	if len(acts) != len(respond.Operations()) || !slices.Contains(acts, "identitystore:DeleteGroupMembership") || !slices.Contains(acts, "organizations:AttachPolicy") {
		t.Errorf("IAMActions = %q", acts)
	}
}
