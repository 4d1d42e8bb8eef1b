package watch

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

func TestEventBridgePattern(t *testing.T) {
	var p struct {
		DetailType []string `json:"detail-type"`
		Or         []struct {
			Source []string `json:"source"`
			Detail struct {
				EventName []string `json:"eventName"`
			} `json:"detail"`
		} `json:"$or"`
	}
	if err := json.Unmarshal(EventBridgePattern(), &p); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(p.DetailType, "AWS API Call via CloudTrail") {
		t.Errorf("detail-type %v", p.DetailType)
	}
	var sources []string
	for _, o := range p.Or {
		sources = append(sources, o.Source...)
		if slices.Contains(o.Source, "aws.sts") && !slices.Equal(o.Detail.EventName, []string{"AssumeRoleWithSAML"}) {
			t.Errorf("sts narrowed to %v", o.Detail.EventName)
		}
		if slices.Contains(o.Source, "aws.organizations") && !slices.Contains(o.Detail.EventName, "RegisterDelegatedAdministrator") {
			t.Errorf("organizations narrowed to %v", o.Detail.EventName)
		}
	}
	for _, s := range []string{"aws.sso", "aws.sso-directory", "aws.identitystore", "aws.organizations", "aws.sts", "aws.signin", "aws.iam"} {
		if !slices.Contains(sources, s) {
			t.Errorf("pattern lacks source %s", s)
		}
	}
}

func TestDefaultPrefilterMatchesThePattern(t *testing.T) {
	p := DefaultPrefilter()
	tests := []struct {
		rec  string
		want bool
	}{
		{`{"eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment"}`, true},
		{`{"eventSource":"identitystore.amazonaws.com","eventName":"CreateGroupMembership"}`, true},
		{`{"eventSource":"signin.amazonaws.com","eventName":"UserAuthentication"}`, true},
		{`{"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML"}`, true},
		{`{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole"}`, false},
		{`{"eventSource":"organizations.amazonaws.com","eventName":"RegisterDelegatedAdministrator"}`, true},
		{`{"eventSource":"organizations.amazonaws.com","eventName":"DescribeOrganization"}`, false},
		{`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","invokedBy":"sso.amazonaws.com"}`, false},
		{`{"eventSource":"iam.amazonaws.com","eventName":"CreatePolicyVersion"}`, true},
		{`{"eventSource":"iam.amazonaws.com","eventName":"UpdateSAMLProvider"}`, true},
		{`{"eventSource":"iam.amazonaws.com","eventName":"PutRolePolicy","errorCode":"UnmodifiableEntity"}`, true},
		{`{"eventSource":"iam.amazonaws.com","eventName":"PutRolePolicy"}`, false},
		{`{"eventSource":"iam.amazonaws.com","eventName":"CreateUser"}`, false},
	}
	for _, tc := range tests {
		e, err := cloudtrail.Decode([]byte(tc.rec), cloudtrail.Origin{})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Match([]byte(tc.rec)) && p.MatchEvent(e); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.rec, got, tc.want)
		}
	}
}
