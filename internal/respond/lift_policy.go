package respond

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// denySids lists the Sids of the statements a containment added.
func denySids(doc string) ([]string, error) {
	stmts, err := statements(doc)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range stmts {
		if strings.HasPrefix(s.sid, DenySidPrefix) {
			out = append(out, s.sid)
		}
	}
	return out, nil
}

type rawStatement struct {
	sid string
	raw json.RawMessage
}

// statements splits a policy document's Statement (a list or one object).
func statements(doc string) ([]rawStatement, error) {
	if strings.TrimSpace(doc) == "" {
		return nil, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return nil, fmt.Errorf("not a JSON policy document: %w", err)
	}
	raw := bytes.TrimSpace(top["Statement"])
	var list []json.RawMessage
	if len(raw) > 0 && raw[0] == '{' {
		list = []json.RawMessage{raw}
	} else if len(raw) > 0 {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("Statement: %w", err)
		}
	}
	out := make([]rawStatement, 0, len(list))
	for i, r := range list {
		var s struct{ Sid string }
		if err := json.Unmarshal(r, &s); err != nil {
			return nil, fmt.Errorf("Statement[%d]: %w", i, err)
		}
		out = append(out, rawStatement{sid: s.Sid, raw: r})
	}
	return out, nil
}

// RemoveStatements drops the statements whose Sid is in sids from a policy
// document and returns the rest (minified, Version and other top-level keys
// kept; "" when no statement is left) and the Sids it removed. Statements
// it keeps are byte for byte the same, bar whitespace.
func RemoveStatements(doc string, sids []string) (string, []string, error) {
	stmts, err := statements(doc)
	if err != nil {
		return "", nil, err
	}
	var keep []json.RawMessage
	var removed []string
	for _, s := range stmts {
		if s.sid != "" && slices.Contains(sids, s.sid) {
			removed = append(removed, s.sid)
			continue
		}
		keep = append(keep, s.raw)
	}
	if len(removed) == 0 {
		return doc, nil, nil
	}
	if len(keep) == 0 {
		return "", removed, nil
	}
	var top map[string]json.RawMessage
	_ = json.Unmarshal([]byte(doc), &top) // parsed above
	var b bytes.Buffer
	b.WriteString(`{"Version":`)
	if v, ok := top["Version"]; ok {
		b.Write(compactJSON(v))
	} else {
		b.WriteString(`"2012-10-17"`)
	}
	for _, k := range slices.Sorted(maps.Keys(top)) {
		if k == "Version" || k == "Statement" {
			continue
		}
		kb, _ := json.Marshal(k)
		b.WriteByte(',')
		b.Write(kb)
		b.WriteByte(':')
		b.Write(compactJSON(top[k]))
	}
	b.WriteString(`,"Statement":[`)
	for i, r := range keep {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(compactJSON(r))
	}
	b.WriteString("]}")
	return b.String(), removed, nil
}

func compactJSON(r json.RawMessage) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, r); err != nil {
		return r
	}
	return b.Bytes()
}
