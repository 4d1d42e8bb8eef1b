//go:build cgo

package athenafake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/portcullis-sec/portcullis/internal/athena"
)

// serde reads a CloudTrail record into column values as Athena's JSON
// SerDe does for the CloudTrail table:
//   - keys match column and field names case-insensitively (eventName →
//     eventname, resources[].ARN → arn); keys the table does not declare
//     are dropped;
//   - a string column holds a JSON string's text, and any other JSON value
//     (an object in requestParameters, true in readOnly) as its JSON text;
//   - a missing key or a JSON null is NULL; a struct field absent from the
//     record is NULL inside the struct.
type serde struct {
	cols  []athena.Column
	types []*athena.Type
}

func newSerde(cols []athena.Column) *serde {
	s := &serde{cols: cols}
	for _, c := range cols {
		s.types = append(s.types, athena.MustParseType(c.Type))
	}
	return s
}

// row fills vals (one per column) from one record.
func (s *serde) row(rec []byte, vals []any) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(rec, &top); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	low := lowerKeys(top)
	for i, c := range s.cols {
		v, err := value(low[c.Name], s.types[i])
		if err != nil {
			return fmt.Errorf("field %s: %w", c.Name, err)
		}
		vals[i] = v
	}
	return nil
}

func lowerKeys(m map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		if _, dup := out[lk]; !dup || k == lk {
			out[lk] = v
		}
	}
	return out
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

func value(raw json.RawMessage, t *athena.Type) (any, error) {
	if isNull(raw) {
		return nil, nil
	}
	raw = bytes.TrimSpace(raw)
	switch t.Kind {
	case athena.KindStruct:
		var m map[string]json.RawMessage
		if raw[0] != '{' {
			return nil, nil // the SerDe reads a non-object as NULL
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		low := lowerKeys(m)
		out := make(map[string]any, len(t.Fields))
		for _, f := range t.Fields {
			v, err := value(low[f.Name], f.Type)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			out[f.Name] = v
		}
		return out, nil
	case athena.KindArray:
		if raw[0] != '[' {
			return nil, nil
		}
		var a []json.RawMessage
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, err
		}
		out := make([]any, len(a))
		for i, e := range a {
			v, err := value(e, t.Elem)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = v
		}
		return out, nil
	case athena.KindMap:
		if raw[0] != '{' {
			return nil, nil
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		out := duckdb.Map{}
		for k, e := range m {
			v, err := value(e, t.Elem)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = v
		}
		return out, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return s, nil
	}
	return string(raw), nil
}
