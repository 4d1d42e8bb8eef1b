package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// InlinePolicyMaxBytes is Identity Center's limit on a permission set's inline policy.
const InlinePolicyMaxBytes = 32768

// ErrVersionChange refuses a merge that would silently change what existing statements mean.
var ErrVersionChange = errors.New("policy: existing 2008-10-17 document uses ${…}, which Version 2012-10-17 would read as policy variables")

// MergeStatements adds statements to an existing document (empty existing => a new document)
// and returns it minified, with Version "2012-10-17" and Statement as a list. Existing
// statements are kept byte for byte (only whitespace is removed), as are other top-level
// keys such as Id. A statement whose Sid matches an existing statement's Sid replaces that
// one statement (the first, if the document repeats a Sid); others are appended in order.
// It fails with ErrTooLarge if the result is over maxBytes (<= 0 means
// InlinePolicyMaxBytes), and with the *ParseError if existing is malformed.
func MergeStatements(existing []byte, add []Statement, maxBytes int) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = InlinePolicyMaxBytes
	}
	for i, s := range add {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("policy: merge: statement %d to add: %w", i, err)
		}
	}
	var (
		stmts  [][]byte    // compacted statements, in order
		sids   []string    // their Sids
		others [][2][]byte // other top-level members: key JSON, value JSON
	)
	if len(bytes.TrimSpace(existing)) > 0 {
		doc, raw, err := parse(existing)
		if err != nil {
			return nil, fmt.Errorf("policy: merge: existing document: %w", err)
		}
		members, err := objectMembers(raw, "document", topElements)
		if err != nil {
			return nil, fmt.Errorf("policy: merge: existing document: %w", err)
		}
		for _, m := range members {
			switch m.name {
			case "Version":
			case "Statement":
				if stmts, err = splitStatements(m.val); err != nil {
					return nil, fmt.Errorf("policy: merge: existing document: %w", err)
				}
			default:
				key, _ := json.Marshal(m.key)
				others = append(others, [2][]byte{key, compact(m.val)})
			}
		}
		if doc.Version == "2008-10-17" && bytes.Contains(raw, []byte("${")) {
			return nil, ErrVersionChange
		}
		for _, s := range doc.Statement {
			sids = append(sids, s.Sid)
		}
	}
	for _, s := range add {
		b, err := s.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("policy: merge: encode statement %q: %w", s.Sid, err)
		}
		if j := indexSid(sids, s.Sid); j >= 0 {
			stmts[j] = b
			continue
		}
		stmts = append(stmts, b)
		sids = append(sids, s.Sid)
	}

	var out bytes.Buffer
	out.WriteString(`{"Version":"2012-10-17"`)
	for _, kv := range others {
		out.WriteByte(',')
		out.Write(kv[0])
		out.WriteByte(':')
		out.Write(kv[1])
	}
	out.WriteString(`,"Statement":[`)
	out.Write(bytes.Join(stmts, []byte(",")))
	out.WriteString(`]}`)
	if out.Len() > maxBytes {
		return nil, fmt.Errorf("%w: merged policy is %d bytes, limit %d", ErrTooLarge, out.Len(), maxBytes)
	}
	return out.Bytes(), nil
}

func indexSid(sids []string, sid string) int {
	if sid == "" {
		return -1
	}
	for i, s := range sids {
		if s == sid {
			return i
		}
	}
	return -1
}

// splitStatements normalises a Statement value (one object or a list) to compacted objects.
func splitStatements(raw json.RawMessage) ([][]byte, error) {
	if isNull(raw) {
		return nil, nil
	}
	if raw[0] == '{' {
		return [][]byte{compact(raw)}, nil
	}
	elems, err := arrayElems(raw, "Statement")
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(elems))
	for i, e := range elems {
		out[i] = compact(e)
	}
	return out, nil
}

// compact removes insignificant whitespace; the input was validated, so it cannot fail.
func compact(raw []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return append([]byte(nil), raw...)
	}
	return b.Bytes()
}
