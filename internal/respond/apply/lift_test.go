package apply

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"

	"github.com/portcullis-sec/portcullis/internal/respond"
)

const onlyOurs = `{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyIssuedBefore","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-03-02T09:30:00Z"}}}]}`

// TestLiftDeletesOnlyWhatItSaw: a lift plan that deletes an inline policy
// holding nothing but our statement stops, and deletes nothing, when the
// live policy gained another statement since the plan was built; with the
// live policy as planned, it deletes it and re-provisions.
func TestLiftDeletesOnlyWhatItSaw(t *testing.T) {
	for _, tc := range []struct {
		name      string
		liveAfter string // set on the fake after planning ("" = unchanged)
		wantErr   string
	}{
		{"as planned", "", ""},
		{"a statement appeared", `{"Version":"2012-10-17","Statement":[{"Sid":"Added","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},` + onlyOurs[len(`{"Version":"2012-10-17","Statement":[`):], "holds statements besides"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			c := ssoadmin.NewFromConfig(h.srv.Config())
			put := func(doc string) {
				t.Helper()
				if _, err := c.PutInlinePolicyToPermissionSet(context.Background(), &ssoadmin.PutInlinePolicyToPermissionSetInput{
					InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(psDev), InlinePolicy: aws.String(doc)}); err != nil {
					t.Fatal(err)
				}
			}
			put(onlyOurs)
			p, err := respond.Lift(respond.LiftInput{PermissionSet: psDev}, h.srv.Model(), planTime)
			if err != nil {
				t.Fatal(err)
			}
			if p.Steps[0].Call.Operation != "DeleteInlinePolicyFromPermissionSet" {
				t.Fatalf("first step %s, want the delete", p.Steps[0].Call.Operation)
			}
			if tc.liveAfter != "" {
				put(tc.liveAfter)
			}
			h.srv.ResetCalls()
			err = h.apply(p, h.opts())
			live := h.srv.Model().PermissionSets[psDev].InlinePolicy
			if tc.wantErr == "" {
				if err != nil || live != "" {
					t.Fatalf("err %v, live policy %q", err, live)
				}
				if got := writes(h.srv.Calls()); strings.Join(got, ",") != "DeleteInlinePolicyFromPermissionSet,ProvisionPermissionSet" {
					t.Errorf("writes %v", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if live != tc.liveAfter || len(writes(h.srv.Calls())) != 0 {
				t.Errorf("the policy was changed: %q, writes %v", live, writes(h.srv.Calls()))
			}
		})
	}
}
