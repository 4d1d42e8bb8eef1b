package cloudtrail_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail/cloudtrailtest"
)

func testInterests() []cloudtrail.Interest {
	return []cloudtrail.Interest{
		{Source: "sso.amazonaws.com"},
		{Source: "signin.amazonaws.com"},
		{Source: "sts.amazonaws.com", Names: []string{"AssumeRoleWithSAML"}, Contains: []string{"AWSReservedSSO"}},
	}
}

// Match may let a record through that no interest wants (a false
// positive), never the reverse.
const (
	no    = 0
	yes   = 1
	maybe = 2 // a tolerated false positive
)

func TestPrefilter(t *testing.T) {
	ssoRole := `"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"}}}`
	cases := []struct {
		name  string
		rec   string
		want  bool // the exact answer, from the decoded record
		match int  // what Match may say
	}{
		{"portal call", `{"eventVersion":"1.09","eventSource":"sso.amazonaws.com","eventName":"ListAccounts"}`, true, yes},
		{"pretty-printed", "{\n  \"eventVersion\": \"1.08\",\n  \"eventSource\": \"sso.amazonaws.com\",\n  \"eventName\": \"CreateAccountAssignment\"\n}", true, yes},
		{"whitespace around the colon", "{\"eventSource\" :\r\n\t\"signin.amazonaws.com\"}", true, yes},
		{"eventSource as the last key", `{"eventName":"ConsoleLogin","awsRegion":"us-east-1","eventSource":"signin.amazonaws.com"}`, true, yes},
		{"sso.amazonaws.com in an SSO role path", `{` + ssoRole + `,"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances"}`, false, no},
		{"invokedBy sso.amazonaws.com", `{"userIdentity":{"type":"AWSService","invokedBy":"sso.amazonaws.com"},"eventSource":"iam.amazonaws.com","eventName":"CreateRole","requestParameters":{"path":"/aws-reserved/sso.amazonaws.com/"}}`, false, no},
		{"escaped eventSource in an EventBridge pattern", `{"eventSource":"events.amazonaws.com","eventName":"PutRule","requestParameters":{"eventPattern":"{\"eventSource\":\"sso.amazonaws.com\"}"}}`, false, no},
		{"escaped eventSource array in a pattern", `{"eventSource":"events.amazonaws.com","requestParameters":{"eventPattern":"{\"detail\":{\"eventSource\":[\"sso.amazonaws.com\"]}}"}}`, false, no},
		{"nested key named eventSource", `{"eventSource":"cloudtrail.amazonaws.com","eventName":"LookupEvents","requestParameters":{"eventSource":"sso.amazonaws.com"}}`, false, maybe},
		{"escaped value", `{"eventSource":"sso.amazonaws\u002ecom","eventName":"Federate"}`, true, yes},
		{"escaped key", `{"event\u0053ource":"sso.amazonaws.com","eventName":"Federate","userAgent":"a\u0026b"}`, true, yes},
		{"fully escaped key", `{"requestParameters":{"a\u0062":1},"\u0065\u0076\u0065\u006e\u0074\u0053\u006f\u0075\u0072\u0063\u0065":"sso.amazonaws.com"}`, true, yes},
		{"escaped key of another name", `{"\u0065ventType":"x","eventSource":"s3.amazonaws.com"}`, false, maybe},
		{"duplicate key, last one wanted", `{"eventSource":"s3.amazonaws.com","eventSource":"sso.amazonaws.com"}`, true, yes},
		{"duplicate key, first one wanted", `{"eventSource":"sso.amazonaws.com","eventSource":"s3.amazonaws.com"}`, false, maybe},
		{"longer key", `{"eventSourceArn":"sso.amazonaws.com","eventSource":"s3.amazonaws.com"}`, false, no},
		{"key with a prefix", `{"xeventSource":"sso.amazonaws.com","eventSource":"s3.amazonaws.com"}`, false, no},
		{"the words in a value", `{"userAgent":"eventSource sso.amazonaws.com","eventSource":"s3.amazonaws.com"}`, false, no},
		{"eventSource not a string", `{"eventSource":1,"eventName":"x"}`, false, no},
		{"no eventSource", `{"eventName":"ListAccounts","awsRegion":"sso.amazonaws.com"}`, false, no},
		{"SAML into an SSO role", `{"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML","requestParameters":{"roleArn":"arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"}}`, true, yes},
		{"SAML into another role", `{"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML","requestParameters":{"roleArn":"arn:aws:iam::1:role/okta-admin"}}`, false, no},
		{"AssumeRole by an SSO session", `{` + ssoRole + `,"eventSource":"sts.amazonaws.com","eventName":"AssumeRole"}`, false, no},
		{"escaped eventName value", `{"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWith\u0053AML","x":"AWSReservedSSO_A"}`, true, yes},
		{"escaped eventName key", `{"eventSource":"sts.amazonaws.com","event\u004eame":"AssumeRoleWithSAML","x":"AWSReservedSSO_A"}`, true, yes},
		{"other escapes do not hide keys", `{"eventSource":"s3.amazonaws.com","key":"a\u003db\u0026c\\u0065"}`, false, no},
	}
	p := cloudtrail.NewPrefilter(testInterests())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := cloudtrail.Decode([]byte(tc.rec), cloudtrail.Origin{})
			exact := err == nil && p.MatchEvent(ev)
			if exact != tc.want {
				t.Fatalf("MatchEvent = %v (decode error %v), want %v", exact, err, tc.want)
			}
			got := p.Match([]byte(tc.rec))
			switch {
			case tc.match == yes && !got:
				t.Errorf("Match = false: a wanted record would be lost")
			case tc.match == no && got:
				t.Errorf("Match = true, want false")
			}
			// The fused path the scan uses must be exact on these.
			n := 0
			err = cloudtrail.SplitRecords([]byte(tc.rec), func(r *cloudtrail.Record) error {
				n++
				if r.Index != 0 || string(r.Raw) != tc.rec {
					t.Errorf("split gave record %d %q", r.Index, r.Raw)
				}
				if got := p.MatchRecord(r); got != tc.want {
					t.Errorf("MatchRecord = %v, want %v", got, tc.want)
				}
				return nil
			}, nil)
			// A top-level object without eventSource is no record: the
			// splitter reports it rather than leaving it to the prefilter.
			var keys map[string]json.RawMessage
			_ = json.Unmarshal([]byte(tc.rec), &keys)
			want := 0
			if _, ok := keys["eventSource"]; ok {
				want = 1
			}
			if err != nil || n != want {
				t.Errorf("split: %d records, err %v; want %d", n, err, want)
			}
		})
	}
}

func TestPrefilterMatchesEverything(t *testing.T) {
	junk := []byte(`not even json`)
	for name, p := range map[string]*cloudtrail.Prefilter{
		"nil":          nil,
		"no interests": cloudtrail.NewPrefilter(nil),
		"empty source": cloudtrail.NewPrefilter([]cloudtrail.Interest{{Source: "sso.amazonaws.com"}, {}}),
	} {
		if !p.Match(junk) || !p.MatchRecord(&cloudtrail.Record{Raw: junk}) || !p.MatchEvent(&cloudtrail.Event{Source: "x"}) {
			t.Errorf("%s: want every record to match", name)
		}
	}
}

// TestPrefilterOnGeneratedTrail checks the prefilter against the decoded
// truth over realistic records, where ~10% mention sso.amazonaws.com outside
// eventSource: no record lost, none let through.
func TestPrefilterOnGeneratedTrail(t *testing.T) {
	g := cloudtrailtest.New(3)
	data := g.AppendObject(nil, 5000, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), "111122223333", "eu-west-1")
	p := cloudtrail.NewPrefilter(cloudtrailtest.Interests())
	var mentions, wanted int
	err := cloudtrail.SplitRecords(data, func(r *cloudtrail.Record) error {
		ev, err := cloudtrail.Decode(r.Raw, cloudtrail.Origin{Index: r.Index})
		if err != nil {
			return err
		}
		exact := p.MatchEvent(ev)
		if exact {
			wanted++
		}
		if ev.Source != "sso.amazonaws.com" && bytes.Contains(r.Raw, []byte("sso.amazonaws.com")) {
			mentions++
		}
		if got := p.Match(r.Raw); got != exact {
			t.Errorf("record %d (%s %s): Match = %v, want %v", r.Index, ev.Source, ev.Name, got, exact)
		}
		if got := p.MatchRecord(r); got != exact {
			t.Errorf("record %d (%s %s): MatchRecord = %v, want %v", r.Index, ev.Source, ev.Name, got, exact)
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if wanted == 0 || mentions < 5000/20 {
		t.Errorf("generator gave %d wanted records and %d decoys; the test needs both", wanted, mentions)
	}
}

func TestPrefilterNamePrefixes(t *testing.T) {
	p := cloudtrail.NewPrefilter([]cloudtrail.Interest{{Source: "sso.amazonaws.com", Names: []string{"GetRoleCredentials"}, NamePrefixes: []string{"Create", "Put"}}})
	cases := map[string]bool{
		`{"eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment"}`:        true,
		`{"eventSource":"sso.amazonaws.com","eventName":"PutInlinePolicyToPermissionSet"}`: true,
		`{"eventSource":"sso.amazonaws.com","eventName":"GetRoleCredentials"}`:             true,
		`{"eventSource":"sso.amazonaws.com","eventName":"ListAccounts"}`:                   false,
		`{"eventName":"DescribePermissionSet", "eventSource" : "sso.amazonaws.com"}`:       false,
		`{"eventSource":"sts.amazonaws.com","eventName":"CreateToken"}`:                    false,
	}
	for rec, want := range cases {
		if got := p.Match([]byte(rec)); got != want {
			t.Errorf("Match(%s) = %v", rec, got)
		}
		var n int
		err := cloudtrail.SplitRecords([]byte(rec), func(r *cloudtrail.Record) error {
			n++
			if got := p.MatchRecord(r); got != want {
				t.Errorf("MatchRecord(%s) = %v", rec, got)
			}
			return nil
		}, nil)
		if err != nil || n != 1 {
			t.Fatalf("split %s: %v", rec, err)
		}
		e, err := cloudtrail.Decode([]byte(rec), cloudtrail.Origin{})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.MatchEvent(e); got != want {
			t.Errorf("MatchEvent(%s) = %v", rec, got)
		}
	}
}

// TestPrefilterIgnoresCase: Sigma compares eventSource and eventName
// without regard to case (unless |cased), so the prefilter must let a
// record through whatever case a rule spells them in; prefixes (from
// |cased rules) stay exact.
func TestPrefilterIgnoresCase(t *testing.T) {
	p := cloudtrail.NewPrefilter([]cloudtrail.Interest{
		{Source: "SSO.amazonaws.com", Names: []string{"createaccountassignment", "kelvin"}},
		{Source: "cloudtrail.amazonaws.com", NamePrefixes: []string{"Stop"}},
	})
	cases := map[string]bool{
		`{"eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment"}`:      true,
		`{"eventSource":"sso.amazonaws.com","eventName":"CREATEACCOUNTASSIGNMENT"}`:      true,
		`{"eventSource":"sso.amazonaws.com","eventName":"\u212Aelvin"}`:                  true, // Kelvin sign: strings.ToLower gives "kelvin"
		`{"eventSource":"sso.amazonaws.com","eventName":"DeleteAccountAssignment"}`:      false,
		`{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"}`:           true,
		`{"eventSource":"cloudtrail.amazonaws.com","eventName":"stopLogging"}`:           false,
		`{"eventSource":"CloudTrail.amazonaws.com","eventName":"StopLoggingEverywhere"}`: true,
	}
	for rec, want := range cases {
		if got := p.Match([]byte(rec)); got != want {
			t.Errorf("Match(%s) = %v", rec, got)
		}
		err := cloudtrail.SplitRecords([]byte(rec), func(r *cloudtrail.Record) error {
			if got := p.MatchRecord(r); got != want {
				t.Errorf("MatchRecord(%s) = %v", rec, got)
			}
			return nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := cloudtrail.Decode([]byte(rec), cloudtrail.Origin{})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.MatchEvent(ev); got != want {
			t.Errorf("MatchEvent(%s) = %v", rec, got)
		}
	}
}
