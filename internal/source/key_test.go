package source

import (
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseKey(t *testing.T) {
	cases := []struct {
		path string
		want Key
		ok   bool
	}{
		{"AWSLogs/o-abc123def4/111122223333/CloudTrail/us-east-1/2026/05/01/111122223333_CloudTrail_us-east-1_20260501T0005Z_AbC.json.gz",
			Key{Org: "o-abc123def4", Account: "111122223333", Region: "us-east-1", Day: day(2026, 5, 1), Delivered: time.Date(2026, 5, 1, 0, 5, 0, 0, time.UTC)}, true},
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/05/02/111122223333_CloudTrail_us-east-1_20260501T2355Z_AbC.json.gz", // name and folder disagree
			Key{Account: "111122223333", Region: "us-east-1", Day: day(2026, 5, 2)}, true},
		{"/data/bucket/prefix/AWSLogs/111122223333/CloudTrail/eu-central-2/2024/02/29/f.json.gz",
			Key{Account: "111122223333", Region: "eu-central-2", Day: day(2024, 2, 29)}, true},
		{"s3://ct-logs/o-abc123def4/AWSLogs/111122223333/CloudTrail/us-gov-west-1/2023/12/31/x.json.gz", // Control Tower, older layout
			Key{Org: "o-abc123def4", Account: "111122223333", Region: "us-gov-west-1", Day: day(2023, 12, 31)}, true},
		{"AWSLogs/o-abc123def4/111122223333/CloudTrail-Digest/us-east-1/2026/05/01/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20260501T010203Z.json.gz",
			Key{Org: "o-abc123def4", Account: "111122223333", Region: "us-east-1", Day: day(2026, 5, 1), Digest: true}, true},
		{"AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/05/01/x.json.gz",
			Key{Account: "111122223333", Region: "us-east-1", Day: day(2026, 5, 1), Insight: true}, true},
		{`C:\logs\AWSLogs\111122223333\CloudTrail\ap-southeast-2\2026\01\09\f.json.gz`,
			Key{Account: "111122223333", Region: "ap-southeast-2", Day: day(2026, 1, 9)}, true},
		{"loose/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json",
			Key{Account: "218007301253", Region: "us-east-1", Day: day(2023, 7, 10), Delivered: time.Date(2023, 7, 10, 11, 45, 0, 0, time.UTC)}, true},
		{"111122223333_CloudTrail-Digest_us-east-1_20230710T1145Z_x.json.gz",
			Key{Account: "111122223333", Region: "us-east-1", Day: day(2023, 7, 10), Delivered: time.Date(2023, 7, 10, 11, 45, 0, 0, time.UTC), Digest: true}, true},
		{"AWSLogs/111122223333/CloudTrail/us-east-1/2026/02/31/f.json.gz", // no such day
			Key{Account: "111122223333", Region: "us-east-1"}, true},
		{"AWSLogs/111122223333/CloudTrail/us-east-1/f.json.gz", Key{Account: "111122223333", Region: "us-east-1"}, true},
		{"AWSLogs/111122223333/Config/us-east-1/2026/5/1/f.json.gz", Key{Account: "111122223333"}, true},
		{"AWSLogs/not-an-account/CloudTrail/us-east-1/2026/05/01/f.json", Key{}, false},
		{"AWSLogs/x/AWSLogs/111122223333/CloudTrail/us-east-1/2026/05/01/f.json", // first AWSLogs is not the layout
			Key{Account: "111122223333", Region: "us-east-1", Day: day(2026, 5, 1)}, true},
		{"events.jsonl", Key{}, false},
		{"", Key{}, false},
	}
	for _, tc := range cases {
		got, ok := ParseKey(tc.path)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseKey(%q) = %+v, %v; want %+v, %v", tc.path, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIsRegion(t *testing.T) {
	for s, want := range map[string]bool{
		"us-east-1": true, "us-gov-west-1": true, "cn-northwest-1": true, "eu-central-2": true,
		"us-east": false, "US-EAST-1": false, "us--1": false, "us-east-1a": false, "2026": false,
	} {
		if isRegion(s) != want {
			t.Errorf("isRegion(%q) = %v", s, !want)
		}
	}
}
