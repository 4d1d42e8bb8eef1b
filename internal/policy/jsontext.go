package policy

import (
	"encoding/json"
	"strings"
)

// A small walker over JSON text that encoding/json has already validated (prepare and
// Statement.UnmarshalJSON check first). It only splits objects and arrays into raw members,
// iteratively, so it is fast (encoding/json's Decoder.Token costs several times more) and
// cannot recurse on hostile nesting. Values are decoded with encoding/json where it matters.

// Element names, matched case-insensitively (see the package comment for why). Read-only.
var (
	topElements       = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Action", "NotAction", "Resource",
		"NotResource", "Condition", "Principal", "NotPrincipal"}
)

// member is one key/value pair of a JSON object, in document order.
type member struct {
	key  string          // as decoded
	name string          // canonical element name, "" for an unknown key
	val  json.RawMessage // never empty, no surrounding space
}

// objectMembers splits a validated JSON object into its members. Keys whose canonical name is
// in known must not repeat (in any spelling); other keys are free.
func objectMembers(raw []byte, field string, known []string) ([]member, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, perr(field, "want an object, got %s", describe(raw))
	}
	var out []member
	var seen map[string]string
	i = skipSpace(raw, i+1)
	for i < len(raw) && raw[i] != '}' {
		end := skipValue(raw, i)
		key, err := decodeString(raw[i:end])
		if err != nil {
			return nil, &ParseError{Field: field, Msg: "bad key", Err: err}
		}
		i = skipSpace(raw, end)
		i = skipSpace(raw, i+1) // ':'
		end = skipValue(raw, i)
		m := member{key: key, val: raw[i:end]}
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
			if seen == nil {
				seen = map[string]string{}
			}
			seen[m.name] = key
		}
		out = append(out, m)
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return out, nil
}

// arrayElems splits a validated JSON array into its elements.
func arrayElems(raw []byte, field string) ([]json.RawMessage, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return nil, perr(field, "want a list, got %s", describe(raw))
	}
	var out []json.RawMessage
	i = skipSpace(raw, i+1)
	for i < len(raw) && raw[i] != ']' {
		end := skipValue(raw, i)
		out = append(out, raw[i:end])
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return out, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the value starting at b[i]. Nesting is counted, not
// recursed into.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[i])) {
		i++
	}
	return i
}

// skipString returns the index just past the string literal starting at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// decodeString decodes a JSON string literal. Plain ASCII without escapes is sliced as is;
// anything else goes through encoding/json, which also repairs invalid UTF-8.
func decodeString(lit []byte) (string, error) {
	if len(lit) >= 2 && lit[0] == '"' && lit[len(lit)-1] == '"' {
		plain := true
		for _, c := range lit[1 : len(lit)-1] {
			if c == '\\' || c >= 0x80 {
				plain = false
				break
			}
		}
		if plain {
			return string(lit[1 : len(lit)-1]), nil
		}
	}
	var s string
	err := json.Unmarshal(lit, &s)
	return s, err
}
