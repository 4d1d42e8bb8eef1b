package export_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/export"
	"github.com/portcullis-sec/portcullis/internal/watch"
)

// wrap delivers a CloudTrail record as EventBridge does: source aws.<svc>
// for <svc>.amazonaws.com, the detail-type of its eventType, the record as
// detail.
func wrap(t *testing.T, rec map[string]any) map[string]any {
	t.Helper()
	detail := jsonValue(t, record(t, rec))
	src, _ := detail["eventSource"].(string)
	svc := strings.TrimSuffix(strings.ToLower(src), ".amazonaws.com")
	et, _ := detail["eventType"].(string)
	dt, ok := map[string]string{
		"AwsApiCall":       "AWS API Call via CloudTrail",
		"AwsConsoleSignIn": "AWS Console Sign In via CloudTrail",
		"AwsServiceEvent":  "AWS Service Event via CloudTrail",
		"AwsConsoleAction": "AWS Console Action via CloudTrail",
	}[et]
	if !ok {
		dt = "AWS API Call via CloudTrail"
	}
	return map[string]any{
		"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": dt, "source": "aws." + svc,
		"account": detail["recipientAccountId"], "time": detail["eventTime"], "region": detail["awsRegion"],
		"resources": []any{}, "detail": detail,
	}
}

func mustMatch(t *testing.T, pattern []byte, event map[string]any) bool {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(pattern, &p); err != nil {
		t.Fatalf("pattern is not JSON: %v\n%s", err, pattern)
	}
	ok, err := matchPattern(p, event)
	if err != nil {
		t.Fatalf("pattern is not valid EventBridge: %v\n%s", err, pattern)
	}
	return ok
}

// TestMatcherFollowsTheDocs: the test's matcher gives the answers
// EventBridge's documentation gives for its own examples.
func TestMatcherFollowsTheDocs(t *testing.T) {
	ev := map[string]any{
		"source": "aws.ec2", "time": "2017-10-02T18:43:48Z", "region": "eu-west-1",
		"detail": map[string]any{
			"state": "initializing", "x-limit": 301.0, "c-count": 5.0, "source-ip": "10.0.0.255",
			"FileName": "image.PNG", "service": "EventBridge", "eventVersion": "", "responseElements": nil,
			"location": "New York", "numbers": []any{1.0, 3.0, 7.0}, "nested": map[string]any{"a": "b"},
			"FilePath": "/usr/lib/x.so",
		},
	}
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{`{"time": [{"prefix": "2017-10-02"}]}`, true},
		{`{"region": [{"prefix": "us-"}]}`, false},
		{`{"detail": {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}}`, true},
		{`{"detail": {"FileName": [{"suffix": ".png"}]}}`, false},
		{`{"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}`, true},
		{`{"detail": {"state": [{"anything-but": "initializing"}]}}`, false},
		{`{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}`, true},
		{`{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}`, true},
		{`{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}`, false},
		{`{"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}}`, true},
		{`{"detail": {"state": [{"anything-but": {"equals-ignore-case": "INITIALIZING"}}]}}`, false},
		{`{"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}}`, false},
		{`{"detail": {"FilePath": [{"wildcard": "/usr/*/x.so"}]}}`, true},
		{`{"detail": {"FilePath": [{"wildcard": "/usr/\\*"}]}}`, false},
		{`{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}`, true},
		{`{"detail": {"c-count": [{"numeric": [">", 5]}]}}`, false},
		{`{"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}`, true},
		{`{"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}`, false},
		{`{"detail": {"state": [{"exists": true}]}}`, true},
		{`{"detail": {"missing": [{"exists": false}]}}`, true},
		{`{"detail": {"missing": [{"exists": true}]}}`, false},
		{`{"detail": {"nested": [{"exists": true}]}}`, false}, // not a leaf
		{`{"detail": {"eventVersion": [""]}}`, true},
		{`{"detail": {"responseElements": [null]}}`, true},
		{`{"detail": {"eventVersion": [null]}}`, false}, // null is not ""
		{`{"detail": {"location": ["New York"], "state": ["initializing"]}}`, true},
		{`{"detail": {"location": [{"equals-ignore-case": "new york"}]}}`, true},
		{`{"detail": {"numbers": [7, 8]}}`, true}, // any element of the event's list
		{`{"detail": {"numbers": [2]}}`, false},
		{`{"detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]}, {"location": ["New York"]}]}}`, true},
		{`{"$or": [{"region": ["us-east-1"]}, {"source": ["aws.s3"]}]}`, false},
		{`{"detail": {"nope": {"deeper": [{"exists": false}]}}}`, true},
	} {
		if got := mustMatch(t, []byte(tc.pattern), ev); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.pattern, got, tc.want)
		}
	}
}

// TestEventBridgePatternsMatchRuleTests: every rule's positive test events,
// delivered as EventBridge delivers them, match its pattern; its negative
// ones do not whenever the pattern tests all that decides them (a fully
// exported rule, or one that loses only portcullis fields and whose plain
// Sigma form, run by the engine, already rejects the event).
func TestEventBridgePatternsMatchRuleTests(t *testing.T) {
	rs, cfg := corpus(t)
	rules := sigmaRules(rs)
	items, err := export.EventBridge(rules, options(cfg))
	if err != nil {
		t.Fatal(err)
	}
	or := newOracle(t, rules, cfg)
	positives, negatives, exported := 0, 0, 0
	for _, it := range items {
		if it.Status == export.Skipped {
			continue
		}
		exported++
		for _, tc := range it.Rule.Portcullis.Tests {
			ev := wrap(t, tc.Event)
			got := mustMatch(t, it.Body, ev)
			switch {
			case tc.Match && !got:
				t.Errorf("%s (%s): positive test %q does not match the pattern\n%s", it.ID, it.Status, tc.Name, it.Body)
			case tc.Match:
				positives++
			case it.Status == export.Full && got:
				t.Errorf("%s: negative test %q matches the fully exported pattern\n%s", it.ID, tc.Name, it.Body)
			case it.Status == export.Full:
				negatives++
			case onlyDerivedLost(it):
				if raw, ok := or.rawDecides(t, it.ID, tc); ok && !raw {
					if got {
						t.Errorf("%s: negative test %q differs only in fields the pattern tests, yet matches\n%s", it.ID, tc.Name, it.Body)
					}
					negatives++
				}
			}
		}
	}
	t.Logf("%d patterns: %d positive test events match, %d negative ones do not", exported, positives, negatives)
	if positives < 20 || negatives < 20 {
		t.Errorf("only %d positive and %d negative checks: the test proves little", positives, negatives)
	}
}

// TestWatchPatternForwardsEveryRule: the combined pattern watch prints
// (its own needs plus the rules' prefilter) forwards every positive test
// event of every rule, correlations' signal rules included.
func TestWatchPatternForwardsEveryRule(t *testing.T) {
	rs, _ := corpus(t)
	eng, err := detect.NewEngine(rs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	combined := watch.EventBridgePattern(eng.Interest()...)
	n := 0
	for _, r := range rs.Rules {
		if r.Detection == nil {
			continue
		}
		for _, tc := range r.Portcullis.Tests {
			if tc.Match && !mustMatch(t, combined, wrap(t, tc.Event)) {
				t.Errorf("%s: positive test %q is not forwarded by watch's pattern", r.Source, tc.Name)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no test events")
	}
}
