package posture

import (
	"strings"
	"testing"
)

func TestReadOrganization(t *testing.T) {
	const deny = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sso:*","Resource":"*"}]}`
	cases := []struct {
		name     string
		doc      string
		policies int // policies with a parsed document
		wantErr  string
	}{
		{name: "AWS CLI shape with content as a JSON string", doc: `{"Policies":[{"PolicySummary":{"Id":"p-1","Name":"n","Type":"SERVICE_CONTROL_POLICY"},"Content":` + quote(deny) + `,"Targets":[{"TargetId":"r-1","Type":"ROOT"}]}]}`, policies: 1},
		{name: "flat lower-case shape with content as an object", doc: `{"policies":[{"id":"p-1","name":"n","content":` + deny + `,"targets":[{"targetId":"ou-1","type":"ORGANIZATIONAL_UNIT"}]}]}`, policies: 1},
		{name: "other policy types are not parsed", doc: `{"Policies":[{"PolicySummary":{"Id":"p-2","Type":"TAG_POLICY"},"Content":"{\"tags\":{}}","Targets":[]}]}`, policies: 0},
		{name: "content is not a policy", doc: `{"Policies":[{"Id":"p-3","Content":"{\"Statement\":5}","Targets":[]}]}`, wantErr: "Policies[0] (p-3): Content"},
		{name: "content missing", doc: `{"Policies":[{"Id":"p-4","Targets":[]}]}`, wantErr: "Policies[0] (p-4): Content: missing"},
		{name: "target without id", doc: `{"Policies":[{"Id":"p-5","Content":` + quote(deny) + `,"Targets":[{"Type":"ROOT"}]}]}`, wantErr: "Targets[0]: TargetId is missing"},
		{name: "account without id", doc: `{"Policies":[],"Accounts":[{"Name":"x"}]}`, wantErr: "Accounts[0]: Id is missing"},
		{name: "trailing data", doc: `{"Policies":[]} {}`, wantErr: "unexpected data"},
		{name: "not JSON", doc: `Policies:`, wantErr: "org.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := ReadOrganization(strings.NewReader(c.doc), "org.json")
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, p := range o.Policies {
				if p.doc != nil {
					n++
				}
			}
			if n != c.policies {
				t.Fatalf("parsed %d policies, want %d", n, c.policies)
			}
		})
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func TestPolicyAppliesThroughParentsOrOUPath(t *testing.T) {
	o := &Organization{Accounts: []OrgAccount{{ID: "222222222222", Parents: []string{"ou-prod", "r-1"}}}}
	ou := &SCP{Targets: []Target{{TargetID: "ou-prod", Type: "ORGANIZATIONAL_UNIT", Name: "Prod"}}}
	acct := &SCP{Targets: []Target{{TargetID: "333333333333", Type: "ACCOUNT"}}}
	cases := []struct {
		p            *SCP
		acct, ouPath string
		want         bool
	}{
		{ou, "222222222222", "", true},                    // listed parent
		{ou, "333333333333", "Root/Prod", true},           // no parents: OU path names it
		{ou, "333333333333", "Root/Dev", false},           // no parents, other OU
		{ou, "444444444444", "Root/Workloads/Prod", true}, // nested OU path
		{acct, "333333333333", "", true},
		{acct, "222222222222", "", false},
		{&SCP{Targets: []Target{{TargetID: "r-1", Type: "ROOT"}}}, "999999999999", "", true},
	}
	for i, c := range cases {
		if got := o.applies(c.p, c.acct, c.ouPath); got != c.want {
			t.Errorf("case %d: applies(%s, %q) = %t", i, c.acct, c.ouPath, got)
		}
	}
}

// FuzzReadOrganization: no input panics, and an accepted export can be
// evaluated by the SCP check.
func FuzzReadOrganization(f *testing.F) {
	f.Add(`{"Policies":[{"Id":"p","Content":"{\"Statement\":{\"Effect\":\"Deny\",\"NotAction\":\"s3:*\",\"Resource\":\"*\"}}","Targets":[{"TargetId":"r-1","Type":"ROOT"}]}]}`)
	f.Add(`{"Policies":[{"PolicySummary":{"Id":"p"},"Content":{"Statement":[]},"Targets":[]}],"Accounts":[{"Id":"1","Parents":["r-1"]}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		o, err := ReadOrganization(strings.NewReader(doc), "fuzz")
		if err != nil {
			return
		}
		Run(Input{Model: nil, Org: o})
	})
}
