package awscollect

import (
	"encoding/json"
	"slices"
)

type statement struct {
	Sid      string   `json:"Sid"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource string   `json:"Resource"`
}

// Policy returns the least-privilege IAM policy for the calls the collector
// makes, generated from Actions(): one statement per service. Resource is
// "*" because these list and describe calls are not all resource-scoped.
func Policy() []byte {
	sids := map[string]string{
		"sso-admin":     "PortcullisSnapshotIdentityCenter",
		"identitystore": "PortcullisSnapshotIdentityStore",
		"organizations": "PortcullisSnapshotOrganizations",
	}
	var stmts []statement
	for _, svc := range []string{"sso-admin", "identitystore", "organizations"} {
		st := statement{Sid: sids[svc], Effect: "Allow", Resource: "*"}
		for _, a := range Actions() {
			if a.Service == svc {
				st.Action = append(st.Action, a.IAM)
			}
		}
		slices.Sort(st.Action)
		stmts = append(stmts, st)
	}
	doc := struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", stmts}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil // cannot happen: the document is plain strings
	}
	return append(b, '\n')
}
