package awsfake

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"
)

var historyStart = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

// historyRecord is a CloudTrail record as the history holds it.
func historyRecord(i int, source, name string, t time.Time) []byte {
	return fmt.Appendf(nil, `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/Admin/alice","accessKeyId":"ASIA%04d"},`+
		`"eventTime":%q,"eventSource":%q,"eventName":%q,"awsRegion":"us-east-1","eventID":"ev-%04d","readOnly":%v,`+
		`"resources":[{"ARN":"arn:aws:sso:::permissionSet/ps-%d","type":"AWS::SSO::PermissionSet"}],"recipientAccountId":"111111111111"}`,
		i, t.UTC().Format(time.RFC3339), source, name, i, name[:4] == "List", i%3)
}

// seedHistory adds n events a minute apart, alternating between three sources.
func seedHistory(t *testing.T, s *Server, region string, n int) {
	t.Helper()
	sources := []struct{ src, name string }{
		{"sso.amazonaws.com", "CreateAccountAssignment"},
		{"identitystore.amazonaws.com", "CreateGroupMembership"},
		{"sts.amazonaws.com", "AssumeRoleWithSAML"},
	}
	var recs [][]byte
	for i := range n {
		sn := sources[i%len(sources)]
		recs = append(recs, historyRecord(i, sn.src, sn.name, historyStart.Add(time.Duration(i)*time.Minute)))
	}
	if err := s.AddHistory(region, recs...); err != nil {
		t.Fatal(err)
	}
}

func trailClient(s *Server, region string) *cloudtrail.Client {
	cfg := s.Config()
	return cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.Region = region })
}

// lookupAll pages through one lookup with the SDK's paginator.
func lookupAll(t *testing.T, c *cloudtrail.Client, in *cloudtrail.LookupEventsInput) (ids []string, pages int) {
	t.Helper()
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range out.Events {
			ids = append(ids, aws.ToString(e.EventId))
		}
	}
	return ids, pages
}

func TestLookupEvents(t *testing.T) {
	s := New(Sample(), WithHistoryPageSize(7))
	defer s.Close()
	seedHistory(t, s, "us-east-1", 60)
	seedHistory(t, s, "eu-west-1", 5)
	c := trailClient(s, "us-east-1")
	at := func(i int) *time.Time { v := historyStart.Add(time.Duration(i) * time.Minute); return &v }
	src := func(v string) []cttypes.LookupAttribute {
		return []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String(v)}}
	}

	cases := []struct {
		name      string
		in        cloudtrail.LookupEventsInput
		wantIDs   []int // in the order returned
		wantPages int
	}{
		{name: "everything, newest first, in pages", in: cloudtrail.LookupEventsInput{}, wantIDs: span(59, 0), wantPages: 9},
		{name: "StartTime and EndTime are inclusive", in: cloudtrail.LookupEventsInput{StartTime: at(10), EndTime: at(20)}, wantIDs: span(20, 10), wantPages: 2},
		{name: "EventSource", in: cloudtrail.LookupEventsInput{LookupAttributes: src("identitystore.amazonaws.com"), StartTime: at(0), EndTime: at(12)},
			wantIDs: []int{10, 7, 4, 1}, wantPages: 1},
		{name: "EventName", in: cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("AssumeRoleWithSAML")}}, EndTime: at(8)},
			wantIDs: []int{8, 5, 2}, wantPages: 1},
		{name: "ResourceName", in: cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String("arn:aws:sso:::permissionSet/ps-1")}}, EndTime: at(10)},
			wantIDs: []int{10, 7, 4, 1}, wantPages: 1},
		{name: "MaxResults below the page size", in: cloudtrail.LookupEventsInput{MaxResults: aws.Int32(3), StartTime: at(50)}, wantIDs: span(59, 50), wantPages: 4},
		{name: "nothing in the window", in: cloudtrail.LookupEventsInput{StartTime: at(100), EndTime: at(200)}, wantPages: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ids, pages := lookupAll(t, c, &tc.in)
			var want []string
			for _, i := range tc.wantIDs {
				want = append(want, fmt.Sprintf("ev-%04d", i))
			}
			if fmt.Sprint(ids) != fmt.Sprint(want) || pages != tc.wantPages {
				t.Errorf("got %d pages %v, want %d pages %v", pages, ids, tc.wantPages, want)
			}
		})
	}

	t.Run("each region has its own history", func(t *testing.T) {
		ids, _ := lookupAll(t, trailClient(s, "eu-west-1"), &cloudtrail.LookupEventsInput{})
		if len(ids) != 5 {
			t.Errorf("eu-west-1: %d events, want 5", len(ids))
		}
		ids, _ = lookupAll(t, trailClient(s, "ap-south-1"), &cloudtrail.LookupEventsInput{})
		if len(ids) != 0 {
			t.Errorf("ap-south-1: %d events, want none", len(ids))
		}
	})

	t.Run("the event carries its record and summary", func(t *testing.T) {
		out, err := c.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventId, AttributeValue: aws.String("ev-0003")}}})
		if err != nil || len(out.Events) != 1 {
			t.Fatalf("got %v, %v", out, err)
		}
		e := out.Events[0]
		if aws.ToString(e.CloudTrailEvent) != string(historyRecord(3, "sso.amazonaws.com", "CreateAccountAssignment", historyStart.Add(3*time.Minute))) ||
			!aws.ToTime(e.EventTime).Equal(historyStart.Add(3*time.Minute)) || aws.ToString(e.Username) != "alice" ||
			aws.ToString(e.AccessKeyId) != "ASIA0003" || len(e.Resources) != 1 || aws.ToString(e.ReadOnly) != "false" {
			t.Errorf("event %+v", e)
		}
	})
}

func span(from, to int) []int {
	var out []int
	for i := from; i >= to; i-- {
		out = append(out, i)
	}
	return out
}

func TestLookupEventsErrors(t *testing.T) {
	s := New(Sample())
	defer s.Close()
	seedHistory(t, s, "us-east-1", 120)
	c := cloudtrail.NewFromConfig(s.Config(), func(o *cloudtrail.Options) { o.RetryMaxAttempts = 1 })
	ctx := context.Background()
	two := []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("a")},
		{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("b")}}
	later, earlier := historyStart.Add(time.Hour), historyStart

	// The first page is set-up, not under test: the SDK's default retries
	// ride out a loopback hiccup when the whole suite loads the machine.
	first, err := cloudtrail.NewFromConfig(s.Config()).LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
	if err != nil {
		t.Fatalf("first page: %v", err)
	}
	if first.NextToken == nil || len(first.Events) != 50 {
		t.Fatalf("first page: %d events, token %v; want 50 and a token", len(first.Events), first.NextToken)
	}
	cases := []struct {
		name string
		in   cloudtrail.LookupEventsInput
		code string
	}{
		{"two lookup attributes", cloudtrail.LookupEventsInput{LookupAttributes: two}, "InvalidLookupAttributesException"},
		{"MaxResults over 50", cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, "InvalidMaxResultsException"},
		{"start after end", cloudtrail.LookupEventsInput{StartTime: &later, EndTime: &earlier}, "InvalidTimeRangeException"},
		{"garbage token", cloudtrail.LookupEventsInput{NextToken: aws.String("bm9wZQ")}, "InvalidNextTokenException"},
		{"token with other parameters", cloudtrail.LookupEventsInput{NextToken: first.NextToken, StartTime: &earlier}, "InvalidNextTokenException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.LookupEvents(ctx, &tc.in)
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
				t.Errorf("got %v, want %s", err, tc.code)
			}
		})
	}

	t.Run("throttling, then the page", func(t *testing.T) {
		s.ThrottleFirst("LookupEvents", 1)
		_, err := c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
		var te *cttypes.ThrottlingException
		if !errors.As(err, &te) {
			t.Fatalf("got %v, want the SDK's ThrottlingException", err)
		}
		if _, err := c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: first.NextToken}); err != nil {
			t.Fatalf("after the throttle: %v", err)
		}
	})

	t.Run("the API's rate", func(t *testing.T) {
		r := New(Sample(), WithHistoryRate(5))
		defer r.Close()
		rc := cloudtrail.NewFromConfig(r.Config(), func(o *cloudtrail.Options) { o.RetryMaxAttempts = 1 })
		if _, err := rc.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := rc.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
			t.Errorf("second request at once, within the burst: %v", err)
		}
		var te *cttypes.ThrottlingException
		if _, err := rc.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); !errors.As(err, &te) {
			t.Errorf("third request at once: got %v, want ThrottlingException", err)
		}
		time.Sleep(200 * time.Millisecond)
		if _, err := rc.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
			t.Errorf("after 1/rate: %v", err)
		}
		other := cloudtrail.NewFromConfig(r.Config(), func(o *cloudtrail.Options) { o.RetryMaxAttempts = 1; o.Region = "eu-west-1" })
		if _, err := other.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
			t.Errorf("another region has its own limit: %v", err)
		}
	})
}

// TestLookupEventsTargets: the current SDK sends the short target; older
// SDKs and the CLI send the fully qualified one. Both are CloudTrail's.
func TestLookupEventsTargets(t *testing.T) {
	s := start(t)
	seedHistory(t, s, "us-east-1", 2)
	for _, target := range []string{"CloudTrail_20131101.LookupEvents", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"} {
		status, out := post(t, s, "POST", target, "application/x-amz-json-1.1",
			"AWS4-HMAC-SHA256 Credential=AKID/20260501/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=00", `{"MaxResults":1}`)
		evs, _ := out["Events"].([]any)
		if status != 200 || len(evs) != 1 || out["NextToken"] == nil {
			t.Errorf("%s: %d %v", target, status, out)
		}
	}
	c := s.CallsTo("LookupEvents")
	if len(c) != 2 || c[0].Region != "us-east-1" || c[0].Action() != "cloudtrail:LookupEvents" {
		t.Errorf("call log %+v", c)
	}
}
