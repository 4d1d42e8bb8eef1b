package posture

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/policy"
)

// Organization is an Organizations export: the service control policies
// with their targets, and optionally each account's parent chain. The file
// is built from the AWS CLI, so its element names are the API's:
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
// account's OU ids up to the root (`list-parents`, repeated); without it a
// policy attached to an OU covers only accounts whose OU path in the model
// names that OU. Element names match case-insensitively.
type Organization struct {
	Policies []SCP        `json:"Policies"`
	Accounts []OrgAccount `json:"Accounts,omitempty"`
}

// SCP is one service control policy.
type SCP struct {
	ID            string          `json:"Id,omitempty"`
	Name          string          `json:"Name,omitempty"`
	Content       json.RawMessage `json:"Content,omitempty"`
	Targets       []Target        `json:"Targets"`
	PolicySummary *struct {
		ID   string `json:"Id"`
		Name string `json:"Name"`
		Type string `json:"Type"`
	} `json:"PolicySummary,omitempty"`

	doc *policy.Document
}

// Target is where a policy is attached.
type Target struct {
	TargetID string `json:"TargetId"`
	Type     string `json:"Type"` // ROOT | ORGANIZATIONAL_UNIT | ACCOUNT
	Name     string `json:"Name,omitempty"`
}

// OrgAccount places an account in the organization tree.
type OrgAccount struct {
	ID      string   `json:"Id"`
	Name    string   `json:"Name,omitempty"`
	Parents []string `json:"Parents,omitempty"`
}

// LoadOrganization reads an Organizations export file.
func LoadOrganization(path string) (*Organization, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("organizations export: %w", err)
	}
	defer f.Close()
	return ReadOrganization(f, path)
}

// ReadOrganization decodes and checks an export; errors name the policy
// and field.
func ReadOrganization(r io.Reader, name string) (*Organization, error) {
	b, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("organizations export %s: %w", name, err)
	}
	var o Organization
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("organizations export %s: %w", name, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("organizations export %s: unexpected data after the export object", name)
	}
	for i := range o.Policies {
		p := &o.Policies[i]
		if p.PolicySummary != nil {
			p.ID = firstNonEmpty(p.ID, p.PolicySummary.ID)
			p.Name = firstNonEmpty(p.Name, p.PolicySummary.Name)
		}
		where := fmt.Sprintf("organizations export %s: Policies[%d] (%s)", name, i, firstNonEmpty(p.ID, p.Name, "no id"))
		if p.PolicySummary != nil && p.PolicySummary.Type != "" && p.PolicySummary.Type != "SERVICE_CONTROL_POLICY" {
			continue // tag, backup … policies do not restrict actions
		}
		doc, err := policyContent(p.Content)
		if err != nil {
			return nil, fmt.Errorf("%s: Content: %w", where, err)
		}
		p.doc = doc
		for j, t := range p.Targets {
			if t.TargetID == "" {
				return nil, fmt.Errorf("%s: Targets[%d]: TargetId is missing", where, j)
			}
		}
	}
	for i, a := range o.Accounts {
		if a.ID == "" {
			return nil, fmt.Errorf("organizations export %s: Accounts[%d]: Id is missing", name, i)
		}
	}
	return &o, nil
}

// policyContent accepts the JSON string describe-policy returns, or the
// policy object.
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

// applies reports whether a policy attached to targets applies to account
// acct: attached to the root, to the account, or to an OU above it.
func (o *Organization) applies(p *SCP, acct, ouPath string) bool {
	var parents []string
	for _, a := range o.Accounts {
		if a.ID == acct {
			parents = a.Parents
		}
	}
	segments := strings.Split(ouPath, "/")
	for _, t := range p.Targets {
		switch strings.ToUpper(t.Type) {
		case "ROOT":
			return true
		case "ACCOUNT":
			if t.TargetID == acct {
				return true
			}
		default:
			for _, par := range parents {
				if par == t.TargetID {
					return true
				}
			}
			if len(parents) == 0 && t.Name != "" {
				for _, s := range segments[1:] { // segments[0] is the root
					if s == t.Name {
						return true
					}
				}
			}
		}
		if strings.HasPrefix(t.TargetID, "r-") {
			return true
		}
	}
	return false
}
