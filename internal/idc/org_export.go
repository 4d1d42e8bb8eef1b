package idc

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/portcullis-sec/portcullis/internal/policy"
)

// orgExport is the Organizations export file. It is built from the AWS
// CLI, so its element names are the API's:
//
//	{
//	  "Policies": [
//	    {
//	      "PolicySummary": {"Id": "p-…", "Name": "…", "Type": "SERVICE_CONTROL_POLICY"},
//	      "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[…]}",
//	      "Targets": [{"TargetId": "r-…", "Type": "ROOT", "Name": "Root"}]
//	    }
//	  ],
//	  "Accounts": [{"Id": "222222222222", "Name": "prod", "Parents": ["ou-…", "r-…"]}]
//	}
//
// Each policy is `aws organizations describe-policy --policy-id ID` (its
// "Policy" object) plus "Targets" from `list-targets-for-policy`; a flat
// {"Id", "Name", "Content", "Targets"} is accepted too, and Content may be
// the policy object itself instead of a JSON string. Parents lists an
// account's OU ids up to the root (`list-parents`, repeated). Element
// names match case-insensitively.
type orgExport struct {
	Policies []struct {
		ID            string          `json:"Id"`
		Name          string          `json:"Name"`
		Content       json.RawMessage `json:"Content"`
		Targets       []exportTarget  `json:"Targets"`
		PolicySummary *struct {
			ID   string `json:"Id"`
			Name string `json:"Name"`
			Type string `json:"Type"`
		} `json:"PolicySummary"`
	} `json:"Policies"`
	Accounts []struct {
		ID      string   `json:"Id"`
		Name    string   `json:"Name"`
		Parents []string `json:"Parents"`
	} `json:"Accounts"`
}

type exportTarget struct {
	TargetID string `json:"TargetId"`
	Type     string `json:"Type"`
	Name     string `json:"Name"`
}

// LoadOrganization reads an Organizations export file (see ReadOrganization).
func LoadOrganization(path string) (*Organization, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("organizations export: %w", err)
	}
	defer f.Close()
	return ReadOrganization(f, path)
}

// ReadOrganization decodes and checks an Organizations export: the
// describe-policy objects of the service control policies with their
// targets, and optionally each account's parents (the file's shape is
// documented on orgExport). Policies of other types (tag, backup …) do not
// restrict actions and are left out. Errors name the file, policy and
// field.
func ReadOrganization(r io.Reader, name string) (*Organization, error) {
	b, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("organizations export %s: %w", name, err)
	}
	var x orgExport
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("organizations export %s: %w", name, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("organizations export %s: unexpected data after the export object", name)
	}
	o := &Organization{Policies: []SCP{}}
	for i, p := range x.Policies {
		if s := p.PolicySummary; s != nil {
			p.ID = cmp.Or(p.ID, s.ID)
			p.Name = cmp.Or(p.Name, s.Name)
			if s.Type != "" && s.Type != "SERVICE_CONTROL_POLICY" {
				continue
			}
		}
		where := fmt.Sprintf("organizations export %s: Policies[%d] (%s)", name, i, cmp.Or(p.ID, p.Name, "no id"))
		doc, err := policyContent(p.Content)
		if err != nil {
			return nil, fmt.Errorf("%s: Content: %w", where, err)
		}
		scp := SCP{ID: p.ID, Name: p.Name, Document: doc, Targets: []PolicyTarget{}}
		for j, t := range p.Targets {
			if t.TargetID == "" {
				return nil, fmt.Errorf("%s: Targets[%d]: TargetId is missing", where, j)
			}
			scp.Targets = append(scp.Targets, PolicyTarget{ID: t.TargetID, Type: t.Type, Name: t.Name})
		}
		o.Policies = append(o.Policies, scp)
	}
	for i, a := range x.Accounts {
		if a.ID == "" {
			return nil, fmt.Errorf("organizations export %s: Accounts[%d]: Id is missing", name, i)
		}
		o.Accounts = append(o.Accounts, OrgAccount{ID: a.ID, Name: a.Name, Parents: a.Parents})
	}
	return o, nil
}

// policyContent parses a policy's Content: the JSON string describe-policy
// returns, or the policy object.
func policyContent(raw json.RawMessage) (*policy.Document, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fmt.Errorf("missing")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		raw = []byte(s)
	}
	return policy.Parse(raw)
}
