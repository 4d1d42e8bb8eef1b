package posture

import (
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

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
