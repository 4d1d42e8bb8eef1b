package s3source

import (
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, bucket, prefix string
		ok                 bool
	}{
		{"s3://b", "b", "", true},
		{"s3://b/", "b", "", true},
		{"s3://b/AWSLogs/o-abc/", "b", "AWSLogs/o-abc/", true},
		{"s3://b/a%20b/", "b", "a b/", true},
		{"s3://", "", "", false},
		{"s3:///x", "", "", false},
		{"https://b.s3.amazonaws.com/x", "", "", false},
	}
	for _, tc := range tests {
		b, p, err := ParseURL(tc.in)
		if (err == nil) != tc.ok || b != tc.bucket || p != tc.prefix {
			t.Errorf("ParseURL(%q) = %q, %q, %v", tc.in, b, p, err)
		}
	}
	if !IsURL("s3://b") || IsURL("./s3:") {
		t.Error("IsURL")
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		prefix       string
		lv           level
		org, account string
		region, base string
	}{
		{"", levelAbove, "", "", "", ""},
		{"corp/", levelAbove, "", "", "", ""},
		{"corp/AWSLogs/", levelAWSLogs, "", "", "", ""},
		{"AWSLogs/o-abc123/", levelOrg, "o-abc123", "", "", ""},
		{"AWSLogs/o-abc123/111111111111/", levelAccount, "o-abc123", "111111111111", "", ""},
		{"AWSLogs/111111111111/CloudTrail/", levelTrail, "", "111111111111", "", ""},
		{"o-abc123/AWSLogs/111111111111/CloudTrail/eu-west-1/", levelRegion, "o-abc123", "111111111111", "eu-west-1", "o-abc123/AWSLogs/111111111111/CloudTrail/eu-west-1/"},
		{"x/AWSLogs/111111111111/CloudTrail/eu-west-1/2025/0", levelRegion, "", "111111111111", "eu-west-1", "x/AWSLogs/111111111111/CloudTrail/eu-west-1/"},
		{"AWSLogs/111111111111/CloudTrail/eu-west-1", levelRegion, "", "111111111111", "eu-west-1", ""},
		{"AWSLogs/111111111111/CloudTrail-Digest/", levelInvalid, "", "111111111111", "", ""},
		{"AWSLogs/111111111111/Config/", levelInvalid, "", "111111111111", "", ""},
		{"AWSLogs/1111/", levelInvalid, "", "", "", ""},
	}
	for _, tc := range tests {
		lv, k, base := classify(tc.prefix)
		if lv != tc.lv || k.Org != tc.org || k.Account != tc.account || k.Region != tc.region || base != tc.base {
			t.Errorf("classify(%q) = %v %+v %q", tc.prefix, lv, k, base)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"", "AWSLogs/", "a/AWSLogs/o-abc1/111111111111/CloudTrail/us-east-1/2025/01/01/x.json.gz", "AWSLogs/AWSLogs/111111111111/CloudTrail//", "/CloudTrail/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, prefix string) {
		lv, k, base := classify(prefix)
		if lv == levelRegion && base != "" {
			if len(base) > len(prefix) || prefix[:len(base)] != base {
				t.Fatalf("base %q is not a prefix of %q", base, prefix)
			}
			if k.Account == "" {
				t.Fatalf("region level without account: %q", prefix)
			}
		}
		ParseURL("s3://b/" + prefix)
	})
}
