package watch

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/detect"
)

// builtinInterests is what the built-in rule pack asks for on top of the
// watcher's own needs (the CLI passes the loaded pack's).
func builtinInterests(t *testing.T) []cloudtrail.Interest {
	t.Helper()
	rs, err := detect.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := detect.NewEngine(rs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return eng.Interest()
}

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
	if err := json.Unmarshal(EventBridgePattern(builtinInterests(t)...), &p); err != nil {
		t.Fatal(err)
	}
	// Portal GetRoleCredentials and sign-in CredentialChallenge are
	// AwsServiceEvent records: EventBridge delivers them as service events.
	for _, dt := range []string{"AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail", "AWS Service Event via CloudTrail"} {
		if !slices.Contains(p.DetailType, dt) {
			t.Errorf("detail-type %v lacks %s", p.DetailType, dt)
		}
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
	// The CLI's prefilter for S3 objects: the watcher's needs plus the pack's.
	p := cloudtrail.NewPrefilter(append(Interests(), builtinInterests(t)...))
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
		{`{"eventSource":"iam.amazonaws.com","eventName":"UpdateSAMLProvider","requestParameters":{"sAMLProviderArn":"arn:aws:iam::1:saml-provider/AWSSSO_0123_DO_NOT_DELETE"}}`, true},
		{`{"eventSource":"iam.amazonaws.com","eventName":"UpdateSAMLProvider","requestParameters":{"sAMLProviderArn":"arn:aws:iam::1:saml-provider/Okta"}}`, false},
		{`{"eventSource":"iam.amazonaws.com","eventName":"PutRolePolicy","errorCode":"UnmodifiableEntity","requestParameters":{"roleName":"AWSReservedSSO_Admin_0123"}}`, true},
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

// TestEventBridgePatternIsStable: the pattern, now written by
// internal/export's generator, is the one watch printed before (its
// sources, Organizations calls and SAML federation, in the same order),
// plus the service-event detail-type. Rules that want nothing beyond it
// leave it unchanged.
func TestEventBridgePatternIsStable(t *testing.T) {
	want, err := os.ReadFile("testdata/eventbridge-pattern.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := EventBridgePattern(); !bytes.Equal(got, want) {
		t.Errorf("pattern changed:\n%s\nwant\n%s", got, want)
	}
	covered := EventBridgePattern(cloudtrail.Interest{Source: "sso.amazonaws.com", Names: []string{"CreateAccountAssignment"}},
		cloudtrail.Interest{Source: "organizations.amazonaws.com", Names: []string{"RegisterDelegatedAdministrator"}})
	if !bytes.Equal(covered, want) {
		t.Errorf("interests already covered changed the pattern:\n%s", covered)
	}
	more := EventBridgePattern(cloudtrail.Interest{Source: "iam.amazonaws.com", Names: []string{"CreateRole"}})
	if !bytes.Contains(more, []byte(`"aws.iam"`)) || !bytes.Contains(more, []byte(`"CreateRole"`)) {
		t.Errorf("a rule's new source is not forwarded:\n%s", more)
	}
}
