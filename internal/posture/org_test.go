package posture

import (
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

func TestGlob(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"sso:*", "sso:createaccountassignment", true},
		{"sso:create*", "sso:createaccountassignment", true},
		{"sso:delete*", "sso:createaccountassignment", false},
		{"*", "", true},
		{"arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*", "arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_X_1", true},
		{"arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*", "arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_X_1", false},
		{"iam:?ut*", "iam:putrolepolicy", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
	}
	for _, c := range cases {
		if got := glob(c.p, c.s); got != c.want {
			t.Errorf("glob(%q, %q) = %t", c.p, c.s, got)
		}
	}
}

// FuzzReadOrganization: no input panics, and an accepted export can be
// evaluated by the SCP check.
func FuzzReadOrganization(f *testing.F) {
	f.Add(`{"Policies":[{"Id":"p","Content":"{\"Statement\":{\"Effect\":\"Deny\",\"NotAction\":\"s3:*\",\"Resource\":\"*\"}}","Targets":[{"TargetId":"r-1","Type":"ROOT"}]}]}`)
	f.Add(`{"Policies":[{"PolicySummary":{"Id":"p"},"Content":{"Statement":[]},"Targets":[]}],"Accounts":[{"Id":"1","Parents":["r-1"]}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		o, err := idc.ReadOrganization(strings.NewReader(doc), "fuzz")
		if err != nil {
			return
		}
		Run(Input{Model: nil, Org: o})
	})
}
