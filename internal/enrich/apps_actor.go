package enrich

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// actorPolicy reads PutApplicationAuthenticationMethod's actor policy: the
// IAM principals that may call CreateTokenWithIAM for the application,
// i.e. mint tokens for its users. "*" or a principal in an account outside
// the organization hands that power out of the organization. The policy
// may be logged as an object or as a JSON string.
func (e *Enricher) actorPolicy(ev *cloudtrail.Event) {
	v, ok := ev.Get("requestParameters.authenticationMethod.iam.actorPolicy")
	if !ok || v == nil {
		return
	}
	doc, err := policyObject(v)
	if err != nil {
		ev.SetDerived("portcullis.app.actor_policy.error", err.Error())
		return
	}
	var principals []string
	wildcard := false
	for _, st := range statements(doc) {
		if eff, _ := st["Effect"].(string); !strings.EqualFold(eff, "Allow") {
			continue
		}
		for _, p := range awsPrincipals(st["Principal"]) {
			if p == "*" {
				wildcard = true
			}
			if !slices.Contains(principals, p) {
				principals = append(principals, p)
			}
		}
	}
	var foreign []string
	for _, p := range principals {
		if acct := principalAccount(p); acct != "" && !e.ownAccount(acct, ev.Account) && !slices.Contains(foreign, acct) {
			foreign = append(foreign, acct)
		}
	}
	ev.SetDerived("portcullis.app.actor_policy.principals", strings.Join(principals, ", "))
	ev.SetDerived("portcullis.app.actor_policy.wildcard", wildcard)
	ev.SetDerived("portcullis.app.actor_policy.foreign", len(foreign) > 0)
	if len(foreign) > 0 {
		ev.SetDerived("portcullis.app.actor_policy.foreign_accounts", strings.Join(foreign, ", "))
	}
}

// policyObject returns a policy document given as an object or as JSON text.
func policyObject(v any) (map[string]any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		if !known(x) {
			return nil, fmt.Errorf("actor policy not logged")
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(x), &m); err != nil {
			return nil, fmt.Errorf("actor policy is not a JSON object: %v", err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("actor policy is a %T, not a policy document", v)
}

// statements returns a document's statements (a list, or one object).
func statements(doc map[string]any) []map[string]any {
	var out []map[string]any
	switch s := getFold(doc, "Statement").(type) {
	case map[string]any:
		out = append(out, s)
	case []any:
		for _, it := range s {
			if m, ok := it.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// awsPrincipals lists a statement's AWS principals: "*" for Principal "*"
// or {"AWS":"*"}, else the ARNs and account ids named.
func awsPrincipals(p any) []string {
	switch x := p.(type) {
	case string:
		return []string{x}
	case map[string]any:
		var out []string
		switch a := getFold(x, "AWS").(type) {
		case string:
			out = append(out, a)
		case []any:
			for _, it := range a {
				if s, ok := it.(string); ok {
					out = append(out, s)
				}
			}
		}
		return out
	}
	return nil
}

var accountID = regexp.MustCompile(`^\d{12}$`)

// principalAccount is the account of an ARN or a bare account id.
func principalAccount(p string) string {
	if accountID.MatchString(p) {
		return p
	}
	if parts := strings.SplitN(p, ":", 6); len(parts) == 6 && accountID.MatchString(parts[4]) {
		return parts[4]
	}
	return ""
}

// ownAccount reports whether acct belongs to the organization: the account
// the call was made in, or one the model knows.
func (e *Enricher) ownAccount(acct, recipient string) bool {
	if acct == recipient || acct == e.state.ManagementAccountID {
		return true
	}
	_, ok := e.state.Accounts[acct]
	return ok
}
