package policy

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Element names, matched case-insensitively (see the package comment for why).
var (
	topElements       = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Action", "NotAction", "Resource",
		"NotResource", "Condition", "Principal", "NotPrincipal"}
)

// member is one key/value pair of a JSON object, in document order.
type member struct {
	key  string          // as written
	name string          // canonical element name, "" for an unknown key
	val  json.RawMessage // never empty
}

// objectMembers splits an already validated JSON object into its members. Keys whose
// canonical name is in known must not repeat (in any spelling); other keys are free.
func objectMembers(raw []byte, field string, known []string) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // '{'
		return nil, &ParseError{Field: field, Msg: "invalid JSON", Err: err}
	}
	var out []member
	seen := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, &ParseError{Field: field, Msg: "invalid JSON", Err: err}
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, &ParseError{Field: field + "." + key, Msg: "invalid JSON", Err: err}
		}
		m := member{key: key, val: val}
		for _, k := range known {
			if strings.EqualFold(k, key) {
				m.name = k
				break
			}
		}
		if m.name != "" {
			if prev, dup := seen[m.name]; dup {
				return nil, perr(field+"."+m.name, "repeated element (keys %q and %q)", prev, key)
			}
			seen[m.name] = key
		}
		out = append(out, m)
	}
	return out, nil
}

// arrayElems splits an already validated JSON array into its elements.
func arrayElems(raw []byte, field string) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // '['
		return nil, &ParseError{Field: field, Msg: "invalid JSON", Err: err}
	}
	var out []json.RawMessage
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, &ParseError{Field: field, Msg: "invalid JSON", Err: err}
		}
		out = append(out, v)
	}
	return out, nil
}
