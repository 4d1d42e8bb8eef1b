// Package cloudtrail holds the Event type and every input format CloudTrail
// records arrive in: S3 objects ({"Records":[…]}), single records, JSON lines
// and EventBridge envelopes. Records are split without a full parse and only
// decoded when a cheap byte-level prefilter says a rule may care.
package cloudtrail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Origin says where a record was read from, for error messages and findings.
type Origin struct {
	File  string `json:"file,omitempty"`
	Index int    `json:"index"`
}

// Event is one decoded CloudTrail record. The common top-level fields are
// typed; everything else is reachable through Get with a dotted path.
type Event struct {
	Raw       []byte         // the record's bytes (owned by the Event)
	Fields    map[string]any // the whole record; numbers are json.Number
	Time      time.Time      // eventTime (zero if absent or unparseable)
	Source    string         // eventSource
	Name      string         // eventName
	ID        string         // eventID
	Region    string         // awsRegion
	Account   string         // recipientAccountId
	ErrorCode string         // errorCode ("" when the call succeeded)
	ReadOnly  bool           // readOnly
	Origin    Origin

	// Derived holds fields computed during enrichment (actor identity,
	// admin-ness, policy analysis …). Get consults it first, so rules match on
	// derived and raw fields alike.
	Derived map[string]any

	lazy bool // Fields not built yet (DecodeLazy); Resolve builds them
}

// DecodeError names what was wrong with a record.
type DecodeError struct {
	Origin Origin
	Field  string
	Err    error
}

func (e *DecodeError) Error() string {
	loc := e.Origin.File
	if loc == "" {
		loc = "<input>"
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: record %d: field %s: %v", loc, e.Origin.Index, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: record %d: %v", loc, e.Origin.Index, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decode parses one record. rec is copied, so the caller may reuse its buffer.
func Decode(rec []byte, origin Origin) (*Event, error) {
	raw := bytes.Clone(rec)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &DecodeError{Origin: origin, Err: fmt.Errorf("invalid JSON: %w", err)}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &DecodeError{Origin: origin, Err: fmt.Errorf("record is %s, not an object", jsonKind(v))}
	}
	return FromMap(m, raw, origin)
}

// FromMap builds an Event from an already decoded record.
func FromMap(m map[string]any, raw []byte, origin Origin) (*Event, error) {
	e := &Event{Raw: raw, Fields: m, Origin: origin}
	var err error
	if e.Source, err = topString(m, "eventSource", origin); err != nil {
		return nil, err
	}
	if e.Name, err = topString(m, "eventName", origin); err != nil {
		return nil, err
	}
	if e.ID, err = topString(m, "eventID", origin); err != nil {
		return nil, err
	}
	if e.Region, err = topString(m, "awsRegion", origin); err != nil {
		return nil, err
	}
	if e.Account, err = topString(m, "recipientAccountId", origin); err != nil {
		return nil, err
	}
	if e.ErrorCode, err = topString(m, "errorCode", origin); err != nil {
		return nil, err
	}
	switch ro := m["readOnly"].(type) {
	case bool:
		e.ReadOnly = ro
	case string: // some producers stringify booleans
		e.ReadOnly = ro == "true"
	}
	if e.Source == "" {
		// Every CloudTrail record names its service; without one no rule or
		// state change can read it, and dropping it quietly would hide bad
		// input (the README promises a line per such record).
		return nil, &DecodeError{Origin: origin, Field: "eventSource", Err: fmt.Errorf("missing: not a CloudTrail record")}
	}
	ts, err := topString(m, "eventTime", origin)
	if err != nil {
		return nil, err
	}
	if ts != "" {
		t, perr := ParseTime(ts)
		if perr != nil {
			return nil, &DecodeError{Origin: origin, Field: "eventTime", Err: perr}
		}
		e.Time = t
	}
	return e, nil
}

func topString(m map[string]any, key string, origin Origin) (string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", &DecodeError{Origin: origin, Field: key, Err: fmt.Errorf("want a string, got %s", jsonKind(v))}
	}
	return s, nil
}

// timeLayouts are the eventTime shapes seen in real data: CloudTrail's own
// RFC 3339, and normalised copies (Panther) with a space and nanoseconds.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"Jan 2, 2006 3:04:05 PM",
}

// ParseTime parses an eventTime in any shape seen in real records.
func ParseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}

// Get returns the value at a dotted path (derived fields first). Array
// elements are addressed by index ("resources.0.ARN").
func (e *Event) Get(path string) (any, bool) {
	if v, ok := e.Derived[path]; ok {
		return v, true
	}
	var cur any = e.Fields
	for path != "" {
		key := path
		if i := strings.IndexByte(path, '.'); i >= 0 {
			key, path = path[:i], path[i+1:]
		} else {
			path = ""
		}
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[key]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// String returns the value at path as a string ("" when absent or not a
// scalar). Numbers and booleans are formatted.
func (e *Event) String(path string) string {
	v, ok := e.Get(path)
	if !ok {
		return ""
	}
	return Scalar(v)
}

// Scalar formats a scalar JSON value as a string; objects and arrays give "".
func Scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return ""
}

// Hidden is what CloudTrail writes in place of a sensitive value (user
// names of failed sign-ins, group names, tokens). A Hidden value is
// unknown: it never equals anything, and never proves a field is absent.
const Hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// IsHidden reports whether v is CloudTrail's placeholder for a redacted
// value.
func IsHidden(v any) bool {
	s, ok := v.(string)
	return ok && s == Hidden
}

// Known is String for values that may be redacted: "" when the value at
// path is missing or Hidden.
func (e *Event) Known(path string) string {
	if s := e.String(path); s != Hidden {
		return s
	}
	return ""
}

// SetDerived records an enrichment field.
func (e *Event) SetDerived(key string, v any) {
	if e.Derived == nil {
		// Enrichment sets 16 to 38 fields on a matched event: sized once
		// instead of grown three times.
		e.Derived = make(map[string]any, 32)
	}
	e.Derived[key] = v
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}
