package cloudtrail

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// How the splitter reports bad input and finds its feet again.

// SplitError says which record slot was bad and where in the data.
type SplitError struct {
	Index  int   // record index (every slot counts, bad ones too)
	Offset int64 // byte offset in the decompressed object
	Err    error // wraps ErrTruncated, ErrSyntax or ErrNotObject
}

func (e *SplitError) Error() string {
	return fmt.Sprintf("record %d at byte %d: %v", e.Index, e.Offset, e.Err)
}

func (e *SplitError) Unwrap() error { return e.Err }

// bad reports a problem in the current record slot and moves past it.
func (s *splitter) bad(offset int, err error) {
	if s.onBad != nil && s.stop == nil { // after fn failed, nothing more is reported
		off := s.base + int64(offset)
		if s.nested {
			off = s.at
		}
		s.onBad(s.index, off, &SplitError{Index: s.index, Offset: off, Err: err})
	}
	s.index++
}

// fail reports a structural error for the record starting at start; at is
// where it was found. It returns where to resync and ok=false.
func (s *splitter) fail(code scanErr, start, at int, what string) (int, bool) {
	if at < 0 || at >= len(s.data) {
		at, code = len(s.data), scanTruncated
	}
	var err error
	switch code {
	case scanTruncated:
		if what == "" {
			what = "the data ends inside the record"
		}
		err = fmt.Errorf("%w: %s", ErrTruncated, what)
		s.bad(start, err)
		return len(s.data), false
	case scanMismatch:
		err = fmt.Errorf("%w: mismatched %q at byte %d", ErrSyntax, s.data[at], s.base+int64(at))
	case scanBadValue:
		if what == "" {
			err = fmt.Errorf("%w: unexpected %q at byte %d", ErrSyntax, s.data[at], s.base+int64(at))
		} else {
			err = fmt.Errorf("%w: %s, found %q at byte %d", ErrSyntax, what, s.data[at], s.base+int64(at))
		}
	}
	s.bad(start, err)
	return at, false
}

// resync finds the next line that starts with '{' or '[' (or a CloudWatch
// Logs export timestamp) after i, so one broken line of a JSON lines file
// does not lose the rest.
func resync(d []byte, i int) int {
	for i < len(d) {
		k := bytes.IndexByte(d[i:], '\n')
		if k < 0 {
			return len(d)
		}
		i += k + 1
		if i < len(d) && (d[i] == '{' || d[i] == '[') {
			return i
		}
		if n, _ := exportPrefix(d[i:]); n > 0 {
			return i
		}
	}
	return len(d)
}

// keyIs compares a raw (still escaped) key with name.
func keyIs(raw []byte, name string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw) == name
	}
	u, ok := unescape(raw)
	return ok && u == name
}

// unescape decodes the contents of a JSON string (without its quotes).
func unescape(raw []byte) (string, bool) {
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return "", false
	}
	return s, true
}

func kindOf(c byte) string {
	switch c {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case '{':
		return "an object"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
