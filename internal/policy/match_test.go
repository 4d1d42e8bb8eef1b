package policy

import (
	"math/rand/v2"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/wildcard"
)

func randWord(r *rand.Rand, alphabet string, max int) string {
	n := r.IntN(max + 1)
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// TestPrefixReasoningSound checks coversPrefix and intersectsPrefix against sampled suffixes:
// a covering pattern must match every sample, a non-intersecting one none.
func TestPrefixReasoningSound(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		p := randWord(r, "ab:*?", 7)
		prefix := randWord(r, "ab:", 3)
		covers, meets := coversPrefix(p, prefix), intersectsPrefix(p, prefix)
		if covers && !meets {
			t.Fatalf("%q covers %q but does not intersect it", p, prefix)
		}
		for j := 0; j < 40; j++ {
			suffix := randWord(r, "ab:", 6)
			if suffix == "" {
				continue
			}
			m := wildcard.Match(p, prefix+suffix)
			if covers && !m {
				t.Fatalf("coversPrefix(%q, %q) but %q does not match", p, prefix, prefix+suffix)
			}
			if !meets && m {
				t.Fatalf("!intersectsPrefix(%q, %q) but %q matches", p, prefix, prefix+suffix)
			}
		}
	}
}

func TestPrefixReasoning(t *testing.T) {
	cases := []struct {
		p, prefix     string
		covers, meets bool
	}{
		{"iam:*", "iam:", true, true},
		{"*", "iam:", true, true},
		{"*:*", "iam:", true, true},
		{"i*", "iam:", true, true},
		{"iam:?*", "iam:", true, true},
		{"iam:get*", "iam:", false, true},
		{"iam:getuser", "iam:", false, true},
		{"iam:", "iam:", false, false},
		{"sts:*", "sso:", false, false},
		{"s*:*", "sso:", true, true},
		{"*:get*", "iam:", false, true},
		{"iam*", "iam:", true, true},
		{"ia", "iam:", false, false},
	}
	for _, tc := range cases {
		if got := coversPrefix(tc.p, tc.prefix); got != tc.covers {
			t.Errorf("coversPrefix(%q, %q) = %v", tc.p, tc.prefix, got)
		}
		if got := intersectsPrefix(tc.p, tc.prefix); got != tc.meets {
			t.Errorf("intersectsPrefix(%q, %q) = %v", tc.p, tc.prefix, got)
		}
	}
}

func TestUniversalAction(t *testing.T) {
	yes := []string{"*", "**", "*:*", "?*:*", "*:?*", "*?*"}
	no := []string{"s*:*", "*:get*", "iam:*", "??*:*", "*:", "", "a*"}
	for _, p := range yes {
		if !universalAction(p) {
			t.Errorf("universalAction(%q) = false", p)
		}
	}
	for _, p := range no {
		if universalAction(p) {
			t.Errorf("universalAction(%q) = true", p)
		}
	}
}

func TestResourceCoverage(t *testing.T) {
	cases := []struct {
		res  string
		key  string
		want bool
	}{
		{"*", allKey, true},
		{"arn:*", allKey, true},
		{"arn:aws:*:*:*:*", allKey, true},
		{"arn:aws-us-gov:*", allKey, true},
		{"arn:aws:iam::*:*", allKey, false},
		{"arn:aws:iam::*:*", "iam", true},
		{"arn:aws:iam::123456789012:*", "iam", true},
		{"arn:aws:iam::*:role/*", "iam", false},
		{"arn:aws:iam::*:role/*", "role", true},
		{"arn:aws:iam::111122223333:role/deploy", "role", false},
		{"arn:aws:sso:::*", "sso", true},
		{"arn:aws:sso:::permissionSet/*", "sso", false},
		{"arn:aws:s3:::*", allKey, false},
		{"arn:aws:identitystore::*:identitystore/*", "identitystore", false},
		{"arn:aws:ec2:*:*:*", "ec2", true},
		{"arn:aws:ec2:us-east-1:*:*", "ec2", false},
	}
	for _, tc := range cases {
		if got := coversAll([]string{normalizeResource(tc.res)}, tc.key); got != tc.want {
			t.Errorf("coversAll(%q, %q) = %v, want %v", tc.res, tc.key, got, tc.want)
		}
	}
	if !coversAll([]string{"arn:aws:iam::*:role/*", "arn:aws:iam::*:user/*", "arn:aws:iam::*:group/*", "arn:aws:iam::*:policy/*"}, "iam") {
		t.Error("a list covering every IAM resource type, together, is all of IAM")
	}
	if !touchesService([]string{"arn:aws:iam::*:user/${aws:username}"}, "iam") || touchesService([]string{"arn:aws:s3:::b/*"}, "iam") {
		t.Error("touchesService")
	}
}

func TestNormalizeResource(t *testing.T) {
	cases := map[string]string{
		"arn:aws:iam::123456789012:role/x":     "arn:aws:iam::*:role/x",
		"arn:aws:s3:::bucket":                  "arn:aws:s3:::bucket",
		"arn:aws:iam::12345678901:role/x":      "arn:aws:iam::12345678901:role/x",
		"arn:aws:iam::aws:policy/x":            "arn:aws:iam::aws:policy/x",
		"*":                                    "*",
		"arn:aws:ec2:us-east-1:123456789012:*": "arn:aws:ec2:us-east-1:*:*",
	}
	for in, want := range cases {
		if got := normalizeResource(in); got != want {
			t.Errorf("normalizeResource(%q) = %q, want %q", in, got, want)
		}
	}
}
