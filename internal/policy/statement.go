package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Statement is one policy statement. It JSON-encodes with IAM's element names, omitting
// empty ones (lists are always written as lists), and decodes a string or a list for each of
// Action, NotAction, Resource and NotResource, with the same checks as Parse.
type Statement struct {
	Sid         string
	Effect      string // "Allow" or "Deny"
	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string
	Condition   map[string]map[string]any
}

// statementJSON fixes the element order IAM documents use.
type statementJSON struct {
	Sid         string                    `json:"Sid,omitempty"`
	Effect      string                    `json:"Effect,omitempty"`
	Action      []string                  `json:"Action,omitempty"`
	NotAction   []string                  `json:"NotAction,omitempty"`
	Resource    []string                  `json:"Resource,omitempty"`
	NotResource []string                  `json:"NotResource,omitempty"`
	Condition   map[string]map[string]any `json:"Condition,omitempty"`
}

// MarshalJSON writes the statement compactly, without HTML escaping (policies are not HTML).
func (s Statement) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(statementJSON(s)); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// UnmarshalJSON decodes one statement object with Parse's rules (null is a no-op, as
// encoding/json expects).
func (s *Statement) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) == 0 || b[0] != '{' {
		return perr("Statement", "want an object, got %s", describe(b))
	}
	if !json.Valid(b) {
		return perr("Statement", "invalid JSON")
	}
	st, err := parseStatement(b, "Statement")
	if err != nil {
		return err
	}
	*s = st
	return nil
}

// Validate reports what IAM would reject in a statement built in code.
func (s Statement) Validate() error {
	switch {
	case s.Effect != "Allow" && s.Effect != "Deny":
		//lint:ignore ST1005 the message starts with the IAM field it is about
		return fmt.Errorf("Effect: want \"Allow\" or \"Deny\", got %q", s.Effect)
	case len(s.Action) > 0 && len(s.NotAction) > 0:
		return fmt.Errorf("has both Action and NotAction")
	case len(s.Action) == 0 && len(s.NotAction) == 0:
		return fmt.Errorf("needs Action or NotAction")
	case len(s.Resource) > 0 && len(s.NotResource) > 0:
		return fmt.Errorf("has both Resource and NotResource")
	case len(s.Resource) == 0 && len(s.NotResource) == 0:
		return fmt.Errorf("needs Resource or NotResource")
	}
	return nil
}
