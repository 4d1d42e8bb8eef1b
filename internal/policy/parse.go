package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// MaxDocumentBytes bounds what Parse and Analyze accept. IAM's own limits are far lower
// (32 KiB for a permission set's inline policy); anything bigger is hostile or a mistake.
const MaxDocumentBytes = 1 << 20

// ErrTooLarge reports a document over MaxDocumentBytes (wrapped in a *ParseError) or a merge
// result over the caller's byte limit.
var ErrTooLarge = errors.New("policy: too large")

// ParseError names the field of a malformed document, e.g.
// `Statement[1].Effect: want "Allow" or "Deny", got 5`.
type ParseError struct {
	Field string // "document", "Statement", "Statement[1].Action[2]", …
	Msg   string
	Err   error // underlying cause, if any (ErrTooLarge, a *json.SyntaxError)
}

func (e *ParseError) Error() string { return e.Field + ": " + e.Msg }
func (e *ParseError) Unwrap() error { return e.Err }

func perr(field, format string, args ...any) *ParseError {
	return &ParseError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Document is a parsed policy. Statement is always a list, whatever the JSON held.
type Document struct {
	Version   string
	ID        string
	Statement []Statement
}

// Parse decodes a policy document: JSON text as found in an inline policy string (a UTF-8
// BOM and surrounding space are tolerated, and so is the URL-encoded form IAM's Get*Policy
// APIs return). It never panics; malformed input yields a *ParseError.
func Parse(doc []byte) (*Document, error) {
	d, _, err := parse(doc)
	return d, err
}

// parse also returns the prepared JSON text, which MergeStatements reuses.
func parse(doc []byte) (*Document, []byte, error) {
	raw, err := prepare(doc)
	if err != nil {
		return nil, nil, err
	}
	members, err := objectMembers(raw, "document", topElements)
	if err != nil {
		return nil, nil, err
	}
	d := &Document{}
	haveStatement := false
	for _, m := range members {
		switch m.name {
		case "Version":
			if d.Version, err = optString(m.val, "Version"); err != nil {
				return nil, nil, err
			}
		case "Id":
			if d.ID, err = optString(m.val, "Id"); err != nil {
				return nil, nil, err
			}
		case "Statement":
			if isNull(m.val) {
				continue
			}
			haveStatement = true
			if d.Statement, err = parseStatements(m.val); err != nil {
				return nil, nil, err
			}
		}
	}
	if !haveStatement {
		return nil, nil, perr("Statement", "missing")
	}
	return d, raw, nil
}

// prepare bounds, unwraps and validates the text, leaving exactly one JSON object.
func prepare(doc []byte) ([]byte, error) {
	if len(doc) > MaxDocumentBytes {
		return nil, &ParseError{Field: "document", Err: ErrTooLarge,
			Msg: fmt.Sprintf("%d bytes is over the %d-byte limit", len(doc), MaxDocumentBytes)}
	}
	b := bytes.TrimSpace(bytes.TrimPrefix(doc, []byte("\xef\xbb\xbf")))
	if len(b) > 0 && b[0] == '%' {
		s, err := url.PathUnescape(string(b))
		if err != nil {
			return nil, &ParseError{Field: "document", Msg: "bad URL encoding", Err: err}
		}
		b = bytes.TrimSpace([]byte(s))
	}
	if len(b) == 0 {
		return nil, perr("document", "empty")
	}
	if !json.Valid(b) {
		var v json.RawMessage
		err := json.Unmarshal(b, &v) // for the message
		msg := "invalid JSON: " + err.Error()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			msg += fmt.Sprintf(" (at byte %d)", se.Offset)
		}
		return nil, &ParseError{Field: "document", Msg: msg, Err: err}
	}
	if b[0] != '{' {
		return nil, perr("document", "want a JSON object, got %s", describe(b))
	}
	return b, nil
}

func parseStatements(raw json.RawMessage) ([]Statement, error) {
	switch raw[0] {
	case '{':
		s, err := parseStatement(raw, "Statement")
		if err != nil {
			return nil, err
		}
		return []Statement{s}, nil
	case '[':
		elems, err := arrayElems(raw, "Statement")
		if err != nil {
			return nil, err
		}
		out := make([]Statement, 0, len(elems))
		for i, e := range elems {
			field := fmt.Sprintf("Statement[%d]", i)
			if e[0] != '{' {
				return nil, perr(field, "want an object, got %s", describe(e))
			}
			s, err := parseStatement(e, field)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, perr("Statement", "want an object or a list of objects, got %s", describe(raw))
}

func parseStatement(raw json.RawMessage, field string) (Statement, error) {
	var s Statement
	members, err := objectMembers(raw, field, statementElements)
	if err != nil {
		return s, err
	}
	var haveAction, haveNotAction, haveRes, haveNotRes bool
	for _, m := range members {
		f := field + "." + m.name
		switch m.name {
		case "Sid":
			s.Sid, err = optString(m.val, f)
		case "Effect":
			// Case-sensitive, as IAM evaluates it: "allow" is not an Effect.
			e, err := decodeString(m.val)
			if m.val[0] != '"' || err != nil || (e != "Allow" && e != "Deny") {
				return s, perr(f, `want "Allow" or "Deny", got %s`, describe(m.val))
			}
			s.Effect = e
		case "Action":
			s.Action, haveAction, err = stringList(m.val, f)
		case "NotAction":
			s.NotAction, haveNotAction, err = stringList(m.val, f)
		case "Resource":
			s.Resource, haveRes, err = stringList(m.val, f)
		case "NotResource":
			s.NotResource, haveNotRes, err = stringList(m.val, f)
		case "Condition":
			s.Condition, err = parseCondition(m.val, f)
		}
		if err != nil {
			return s, err
		}
	}
	switch {
	case s.Effect == "":
		return s, perr(field+".Effect", "missing")
	case haveAction && haveNotAction:
		return s, perr(field, "has both Action and NotAction")
	case !haveAction && !haveNotAction:
		return s, perr(field, "needs Action or NotAction")
	case haveRes && haveNotRes:
		return s, perr(field, "has both Resource and NotResource")
	case !haveRes && !haveNotRes:
		return s, perr(field, "needs Resource or NotResource")
	}
	return s, nil
}

// parseCondition reads {"Operator": {"key": value, …}, …}. Values are kept as decoded JSON
// (numbers as json.Number) so that re-encoding does not alter them. The content never changes
// the analysis, only whether a condition is present.
func parseCondition(raw json.RawMessage, field string) (map[string]map[string]any, error) {
	if isNull(raw) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, perr(field, "want an object, got %s", describe(raw))
	}
	ops, err := objectMembers(raw, field, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]any, len(ops))
	for _, op := range ops {
		f := field + "." + op.key
		if isNull(op.val) {
			out[op.key] = map[string]any{} // present, so still a condition
			continue
		}
		if op.val[0] != '{' {
			return nil, perr(f, "want an object, got %s", describe(op.val))
		}
		keys, err := objectMembers(op.val, f, nil)
		if err != nil {
			return nil, err
		}
		m := out[op.key]
		if m == nil {
			m = make(map[string]any, len(keys))
			out[op.key] = m
		}
		for _, k := range keys {
			dec := json.NewDecoder(bytes.NewReader(k.val))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, &ParseError{Field: f + "." + k.key, Msg: "invalid value", Err: err}
			}
			m[k.key] = v
		}
	}
	return out, nil
}

// stringList reads a string or a list of strings. present is false for a missing or null
// value. An empty list is present and matches nothing.
func stringList(raw json.RawMessage, field string) (list []string, present bool, err error) {
	switch raw[0] {
	case 'n':
		return nil, false, nil
	case '"':
		s, err := decodeString(raw)
		if err != nil {
			return nil, false, &ParseError{Field: field, Msg: "bad string", Err: err}
		}
		return []string{s}, true, nil
	case '[':
		elems, err := arrayElems(raw, field)
		if err != nil {
			return nil, false, err
		}
		out := make([]string, 0, len(elems))
		for i, e := range elems {
			if e[0] != '"' {
				return nil, false, perr(fmt.Sprintf("%s[%d]", field, i), "want string, got %s", describe(e))
			}
			s, err := decodeString(e)
			if err != nil {
				return nil, false, perr(fmt.Sprintf("%s[%d]", field, i), "want string, got %s", describe(e))
			}
			out = append(out, s)
		}
		return out, true, nil
	}
	return nil, false, perr(field, "want a string or a list of strings, got %s", describe(raw))
}

func optString(raw json.RawMessage, field string) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	if raw[0] != '"' {
		return "", perr(field, "want string, got %s", describe(raw))
	}
	s, err := decodeString(raw)
	if err != nil {
		return "", &ParseError{Field: field, Msg: "bad string", Err: err}
	}
	return s, nil
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || raw[0] == 'n' }

// describe renders a JSON value for an error message: scalars as written (shortened),
// containers by kind.
func describe(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return "nothing"
	case raw[0] == '{':
		return "an object"
	case raw[0] == '[':
		return "a list"
	}
	const max = 40
	if len(raw) > max {
		return strings.ToValidUTF8(string(raw[:max]), "") + "…"
	}
	return string(raw)
}
