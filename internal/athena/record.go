package athena

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// Row is one result row: a value per selected column (nil = SQL NULL),
// then the object path.
type Row []*string

// Decoder turns rows of a Query back into CloudTrail records.
type Decoder struct {
	cols  []Column
	types []*Type
	buf   bytes.Buffer
}

// NewDecoder reads rows of q.
func NewDecoder(q Query) *Decoder {
	d := &Decoder{cols: q.Columns}
	for _, c := range q.Columns {
		d.types = append(d.types, MustParseType(c.Type))
	}
	return d
}

// Decode rebuilds the record as CloudTrail wrote it (its keys, JSON values
// in place of JSON text) and decodes it as a local hunt would, so rules see
// the same fields. origin names the row for errors and findings; the
// object's path, when the row has one, replaces origin.File.
func (d *Decoder) Decode(row Row, origin cloudtrail.Origin) (*cloudtrail.Event, error) {
	if len(row) != len(d.cols)+1 {
		return nil, &cloudtrail.DecodeError{Origin: origin, Err: fmt.Errorf("row has %d values, want %d", len(row), len(d.cols)+1)}
	}
	if p := row[len(d.cols)]; p != nil && *p != "" {
		origin.File = *p
	}
	b := &d.buf
	b.Reset()
	b.WriteByte('{')
	first := true
	for i, c := range d.cols {
		v := row[i]
		if v == nil {
			continue // absent from the record (the SerDe reads a missing key as NULL)
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, keyFor("", c.Name))
		b.WriteByte(':')
		if err := d.value(b, c, d.types[i], *v); err != nil {
			return nil, &cloudtrail.DecodeError{Origin: origin, Field: c.Name, Err: err}
		}
	}
	b.WriteByte('}')
	return cloudtrail.DecodeFast(b.Bytes(), origin)
}

func (d *Decoder) value(b *bytes.Buffer, c Column, t *Type, v string) error {
	switch {
	case t.Complex():
		dec := json.NewDecoder(bytes.NewReader([]byte(v)))
		dec.UseNumber()
		var x any
		if err := dec.Decode(&x); err != nil {
			return fmt.Errorf("JSON of a %s column: %w", c.Type, err)
		}
		x = restore(c.Name, t, x)
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(x); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
	case c.Name == "readonly" && (v == "true" || v == "false"):
		b.WriteString(v) // a boolean in CloudTrail, text in the table
	case jsonText[c.Name] && (v != "" && (v[0] == '{' || v[0] == '[')) && json.Valid([]byte(v)):
		b.WriteString(v)
	default:
		writeString(b, v)
	}
	return nil
}

// restore gives struct fields their CloudTrail names and drops the nulls
// the cast adds for fields the record did not have. Athena engine 2 casts
// a row to a JSON array: its values are matched to the declared fields.
func restore(name string, t *Type, x any) any {
	switch t.Kind {
	case KindStruct:
		out := map[string]any{}
		switch v := x.(type) {
		case map[string]any:
			for _, f := range t.Fields {
				if fv, ok := v[f.Name]; ok && fv != nil {
					out[keyFor(name, f.Name)] = restore(f.Name, f.Type, fv)
				}
			}
			for k, fv := range v { // fields the declared type does not know
				if _, known := fieldOf(t, k); !known && fv != nil {
					out[k] = fv
				}
			}
		case []any:
			for i, fv := range v {
				if i < len(t.Fields) && fv != nil {
					f := t.Fields[i]
					out[keyFor(name, f.Name)] = restore(f.Name, f.Type, fv)
				}
			}
		default:
			return x
		}
		return out
	case KindArray:
		v, ok := x.([]any)
		if !ok {
			return x
		}
		for i := range v {
			v[i] = restore(name, t.Elem, v[i])
		}
		return v
	}
	return x // maps keep their keys: they are data
}

func fieldOf(t *Type, name string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// writeString writes s as a JSON string, leaving <, > and & as they are
// (CloudTrail does not escape them).
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}
