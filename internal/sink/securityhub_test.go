package sink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/securityhubfake"
	"github.com/portcullis-sec/portcullis/internal/sink"
)

const hubAccount = "999999999999"

// findingsN makes n distinct findings.
func findingsN(n int) []finding.Finding {
	out := make([]finding.Finding, n)
	for i := range out {
		f := sink.TestFinding(finding.High)
		f.ID = finding.StableID(f.Rule, fmt.Sprintf("evt-%d", i))
		out[i] = f
	}
	return out
}

// securityHubGroup builds --sink securityhub:… against the loopback
// Security Hub with the real SDK client.
func securityHubGroup(t *testing.T, hub *securityhubfake.Server, spec string, dl sink.DeadLetterer) sink.Group {
	t.Helper()
	g, err := sink.BuildAll(context.Background(), []string{spec + ",endpoint=" + hub.URL}, sink.Deps{
		AWSConfig:   func(context.Context) (aws.Config, error) { return hub.Config(), nil },
		DeadLetters: dl,
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestSecurityHubImportsInBatches: 250 findings go in calls of at most 100
// (100, 100, 50); without product-arn the sink asks DescribeHub for the
// account and imports through its default product; every finding lands
// and passes the fake's ASFF validation.
func TestSecurityHubImportsInBatches(t *testing.T) {
	hub := securityhubfake.New("eu-west-1", hubAccount)
	t.Cleanup(hub.Close)
	g := securityHubGroup(t, hub, "securityhub:region=eu-west-1,attempts=2,timeout=5s", tempStore(t))
	fs := findingsN(250)
	if err := g.Deliver(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	var counts []int
	for _, r := range hub.Requests() {
		counts = append(counts, r.Count)
		if !strings.Contains(r.UserAgent, "portcullis") {
			t.Errorf("user agent %q lacks portcullis", r.UserAgent)
		}
	}
	if fmt.Sprint(counts) != "[100 100 50]" {
		t.Errorf("batch sizes %v, want [100 100 50]", counts)
	}
	got := hub.Findings()
	if len(got) != 250 {
		t.Fatalf("%d findings imported, want 250", len(got))
	}
	var doc map[string]any
	if err := json.Unmarshal(got[fs[0].ID], &doc); err != nil {
		t.Fatal(err)
	}
	want := "arn:aws:securityhub:eu-west-1:" + hubAccount + ":product/" + hubAccount + "/default"
	if doc["ProductArn"] != want || doc["AwsAccountId"] != hubAccount || doc["GeneratorId"] != fs[0].Rule {
		t.Errorf("ProductArn %v AwsAccountId %v GeneratorId %v", doc["ProductArn"], doc["AwsAccountId"], doc["GeneratorId"])
	}
}

// TestSecurityHubPartialFailures: a finding Security Hub refuses for good
// (InvalidInput) is dead-lettered after one attempt; one refused with a
// throttling code is sent again, alone, and lands; the rest land at once.
func TestSecurityHubPartialFailures(t *testing.T) {
	hub := securityhubfake.New("eu-west-1", hubAccount)
	t.Cleanup(hub.Close)
	fs := findingsN(5)
	hub.FailFinding(fs[1].ID, "InvalidInput", -1)
	hub.FailFinding(fs[3].ID, "ThrottlingException", 1)
	st := tempStore(t)
	arn := "arn:aws:securityhub:eu-west-1:" + hubAccount + ":product/" + hubAccount + "/default"
	g := securityHubGroup(t, hub, "securityhub:product-arn="+arn+",attempts=3,timeout=5s", st)
	err := g.Deliver(context.Background(), fs)
	if err == nil || !strings.Contains(err.Error(), fs[1].ID) || strings.Contains(err.Error(), fs[3].ID) {
		t.Fatalf("err = %v, want only %s", err, fs[1].ID)
	}
	reqs := hub.Requests()
	if len(reqs) != 2 || reqs[0].Count != 5 || reqs[1].Count != 1 {
		t.Errorf("requests %+v, want 5 findings then the throttled one again", reqs)
	}
	got := hub.Findings()
	if len(got) != 4 {
		t.Errorf("%d imported, want 4", len(got))
	}
	if _, ok := got[fs[1].ID]; ok {
		t.Error("the refused finding was imported")
	}
	dls, _ := st.DeadLetters(context.Background(), 0)
	if len(dls) != 1 || dls[0].FindingID != fs[1].ID || dls[0].Attempts != 1 || !strings.Contains(dls[0].Error, "InvalidInput") {
		t.Errorf("dead letters %+v", dls)
	}
}

// TestSecurityHubThrottling: HTTP 429 is retried with backoff; when it
// outlasts the attempts every finding is dead-lettered.
func TestSecurityHubThrottling(t *testing.T) {
	for _, tc := range []struct {
		name      string
		throttled int
		wantDL    int
	}{
		{"recovers", 2, 0},
		{"gives up", 10, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hub := securityhubfake.New("us-east-1", hubAccount)
			t.Cleanup(hub.Close)
			hub.Throttle(tc.throttled)
			st := tempStore(t)
			g := securityHubGroup(t, hub, "securityhub:region=us-east-1,attempts=3,timeout=5s", st)
			start := time.Now()
			err := g.Deliver(context.Background(), findingsN(3))
			dls, _ := st.DeadLetters(context.Background(), 0)
			if len(dls) != tc.wantDL || (tc.wantDL == 0) != (err == nil) {
				t.Fatalf("err %v, dead letters %d, want %d", err, len(dls), tc.wantDL)
			}
			if tc.wantDL > 0 && !strings.Contains(dls[0].Error, "TooManyRequestsException") {
				t.Errorf("dead letter error %q", dls[0].Error)
			}
			if n := len(hub.Requests()); n != 3 {
				t.Errorf("%d requests, want 3", n)
			}
			if time.Since(start) < 200*time.Millisecond {
				t.Errorf("no backoff between attempts (%s)", time.Since(start))
			}
		})
	}
}

// TestSecurityHubSpec: the options the sink takes and what it refuses.
func TestSecurityHubSpec(t *testing.T) {
	hub := securityhubfake.New("eu-west-1", hubAccount)
	t.Cleanup(hub.Close)
	hub.NotSubscribed()
	st := tempStore(t)
	g := securityHubGroup(t, hub, "securityhub:region=eu-west-1,attempts=1", st)
	if err := g.Deliver(context.Background(), findingsN(1)); err == nil || !strings.Contains(err.Error(), "is Security Hub enabled") {
		t.Errorf("not subscribed: err = %v", err)
	}
	for spec, want := range map[string]string{
		"securityhub:product-arn=arn:aws:securityhub:eu-west-1:1:product/x/default":                       "product ARN",
		"securityhub:region=us-east-1,product-arn=arn:aws:securityhub:eu-west-1:999999999999:product/a/b": "imports into the product's region",
		"securityhub:topic=x": "unknown option",
	} {
		_, err := sink.BuildAll(context.Background(), []string{spec}, sink.Deps{AWSConfig: func(context.Context) (aws.Config, error) { return hub.Config(), nil }})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", spec, err, want)
		}
	}
}
