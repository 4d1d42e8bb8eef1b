package detect_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/hunt"
)

// trail holds records in CloudTrail's own casing, as an S3 object holds
// them: a wanted write, a record no rule wants, and CloudTrail's StopLogging
// (which no built-in rule reads, so only a user rule can let it through the
// prefilter).
const trail = `{"Records":[
{"eventVersion":"1.08","eventTime":"2026-11-02T10:00:00Z","eventSource":"sso.amazonaws.com","eventName":"CreateAccountAssignment","awsRegion":"us-east-1","eventID":"00000000-0000-4000-8000-00000000c001",
 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/mallory","userName":"mallory"},"recipientAccountId":"111111111111",
 "requestParameters":{"targetId":"333333333333","targetType":"AWS_ACCOUNT","permissionSetArn":"arn:aws:sso:::permissionSet/ssoins-1/ps-1","principalType":"USER","principalId":"u-1"}},
{"eventVersion":"1.08","eventTime":"2026-11-02T10:01:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","eventID":"00000000-0000-4000-8000-00000000c002",
 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/mallory","userName":"mallory"},"recipientAccountId":"111111111111"},
{"eventVersion":"1.08","eventTime":"2026-11-02T10:02:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","eventID":"00000000-0000-4000-8000-00000000c003",
 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/mallory","userName":"mallory"},"recipientAccountId":"111111111111",
 "requestParameters":{"name":"org-trail"}}
]}`

const userRule = `title: %s
logsource: {product: aws, service: cloudtrail}
level: high
detection:
  selection: {%s}
  condition: selection
portcullis: {id: %s}
`

// TestRuleCaseThroughIngest: Sigma compares values case-insensitively
// unless |cased, so a user rule that spells eventName (or eventSource) in
// another case fires on real records, through the real ingest path
// (splitter, prefilter, fast decoder, engine); with |cased it does not.
func TestRuleCaseThroughIngest(t *testing.T) {
	rules := map[string]string{
		"idc.user.lower-name":   "eventSource: sso.amazonaws.com, eventName: createaccountassignment",
		"idc.user.upper-source": "eventSource: CloudTrail.AmazonAWS.com, eventName: STOPLOGGING",
		"idc.user.cased":        "eventSource: sso.amazonaws.com, eventName|cased: createaccountassignment",
	}
	ruleDir := t.TempDir()
	for id, sel := range rules {
		doc := []byte(fmt.Sprintf(userRule, id, sel, id))
		if err := os.WriteFile(filepath.Join(ruleDir, id+".yml"), doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := detect.Load(ruleDir)
	if err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(t.TempDir(), "AWSLogs", "111111111111", "CloudTrail", "us-east-1", "2026", "11", "02")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(logs, "111111111111_CloudTrail_us-east-1_20261102T1005Z_a.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if _, err := zw.Write([]byte(trail)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := hunt.Run(context.Background(), hunt.Options{Paths: []string{filepath.Dir(filepath.Dir(filepath.Dir(logs)))}, Rules: rs, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scan.Records != 3 || res.Scan.Matched != 2 {
		t.Errorf("scan split %d records and passed %d; want 3 and 2 (the prefilter drops s3 GetObject)", res.Scan.Records, res.Scan.Matched)
	}
	fired := map[string]string{}
	for _, f := range res.Findings {
		fired[f.Rule] = f.Events[0].EventName
	}
	for id, want := range map[string]string{"idc.user.lower-name": "CreateAccountAssignment", "idc.user.upper-source": "StopLogging", "idc.user.cased": ""} {
		if got := fired[id]; got != want {
			t.Errorf("%s fired on %q, want %q", id, got, want)
		}
	}
}
