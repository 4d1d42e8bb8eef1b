package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseValid(t *testing.T) {
	c, err := Parse([]byte(`
admins:
  - "arn:aws:sts::1:assumed-role/A/*"
  - {pattern: bob@example.com, expires: 2026-12-31, note: cover}
sensitive_accounts: ["012345678901"]
privileged_groups: [PlatformAdmins]
max_session_duration: PT2H
large_group_size: 10
break_glass_permission_sets: [BreakGlass]
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Admins) != 2 || c.Admins[1].Expires.Format("2006-01-02") != "2026-12-31" {
		t.Errorf("admins: %+v", c.Admins)
	}
	if !c.IsSensitive("012345678901") || c.MaxSessionDuration != 2*time.Hour || c.LargeGroupSize != 10 {
		t.Errorf("parsed %+v", c)
	}
}

func TestParseErrorsNameTheKey(t *testing.T) {
	cases := map[string]string{
		"admin: []":                          "admin",
		"max_session_duration: forever":      "max_session_duration",
		"max_session_duration: PT13H":        "max_session_duration",
		"large_group_size: 0":                "large_group_size",
		"large_group_size: many":             "large_group_size",
		"sensitive_accounts: [12345]":        "sensitive_accounts[0]",
		"admins: [{pattern: x, when: now}]":  "admins[0]",
		"admins: [{expires: 2026-01-01}]":    "pattern is required",
		"admins: [{pattern: x, expires: 1}]": "expires",
		"privileged_groups: ['']":            "privileged_groups[0]",
		"[1, 2]":                             "want a mapping",
	}
	for doc, want := range cases {
		_, err := Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want mention of %q", doc, err, want)
		}
	}
}

func TestEmptyIsDefault(t *testing.T) {
	c, err := Parse(nil)
	if err != nil || c.MaxSessionDuration != DefaultMaxSessionDuration || c.LargeGroupSize != DefaultLargeGroupSize {
		t.Fatalf("%+v %v", c, err)
	}
}

func TestTrustedTokenIssuers(t *testing.T) {
	c, err := Parse([]byte("trusted_token_issuers: [\"https://Login.Example.com/oauth2/default/\", https://idp.example.org]\n"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		issuer string
		want   bool
	}{
		{"https://login.example.com/oauth2/default", true},
		{"HTTPS://LOGIN.EXAMPLE.COM/oauth2/default/", true},
		{"https://login.example.com/oauth2/Default", false}, // paths are case-sensitive
		{"https://idp.example.org/", true},
		{"https://evil.example.net", false},
		{"", false},
	}
	for _, tc := range cases {
		if got := c.TrustsIssuer(tc.issuer); got != tc.want {
			t.Errorf("TrustsIssuer(%q) = %v, want %v", tc.issuer, got, tc.want)
		}
	}
	for doc, want := range map[string]string{
		"trusted_token_issuers: [http://idp.example.com]": "trusted_token_issuers[0]",
		"trusted_token_issuers: ['']":                     "trusted_token_issuers[0]",
		"trusted_token_issuers: [[a]]":                    "trusted_token_issuers[0]",
		"trusted_token_issuers: idp":                      "trusted_token_issuers",
	} {
		if _, err := Parse([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want mention of %q", doc, err, want)
		}
	}
}
