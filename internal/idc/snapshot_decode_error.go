package idc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Bad snapshots are refused by encoding/json (decodeFast hands them over),
// whose errors say what is wrong but seldom where: a syntax error carries
// an offset it does not print, and a bad time names neither the field nor
// the place. located adds the line, column and field, so a person can open
// the file at the fault.

// located words err, encoding/json's error on doc, with where it is.
func located(doc []byte, err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("no JSON in the file: it is empty or blank")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: the file ends inside the snapshot (unexpected EOF)", position(doc, int64(len(doc))))
	case errors.As(err, &syn):
		// Offset counts the bytes read, the offending one included.
		return fmt.Errorf("%s: %w", position(doc, syn.Offset-1), err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "top level"
		}
		return fmt.Errorf("%s: %s: a JSON %s where %s belongs", position(doc, typeErrorStart(doc, typ)), field, typ.Value, typ.Type)
	}
	// The model's only other errors are its times' own (time.Time's
	// UnmarshalJSON), which say neither where nor which.
	if path, off, ok := badTime(doc); ok {
		return fmt.Errorf("%s: %s: %w", position(doc, off), path, err)
	}
	return err
}

// position is "line L, column C" of byte offset off in doc (both from 1,
// columns in bytes).
func position(doc []byte, off int64) string {
	off = min(max(off, 0), int64(len(doc)))
	before := doc[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := off - int64(bytes.LastIndexByte(before, '\n'))
	return "line " + strconv.Itoa(line) + ", column " + strconv.FormatInt(col, 10)
}

// badTime finds the first time in doc, in document order, that
// encoding/json would refuse: the snapshot's captured_at or a permission
// set's created_at (keys matched as encoding/json matches them, ignoring
// case) holding anything but null or an RFC 3339 string. encoding/json
// stops at that one, so it is the one its error is about. doc is valid
// JSON (encoding/json reports a syntax error before any time).
func badTime(doc []byte) (path string, off int64, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var walk func(path []string) bool
	// walk reads one value; path is the keys leading to it. It reports
	// true when it found the bad time (path, off are set).
	walk = func(at []string) bool {
		start := valueStart(doc, dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if isTimeField(at) {
			s, isString := tok.(string)
			var t time.Time
			if tok != nil && (!isString || t.UnmarshalText([]byte(s)) != nil) {
				path, off = pathString(at), start
				return true
			}
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return false
				}
				if walk(append(at, k.(string))) {
					return true
				}
			}
		case json.Delim('['): // no time of the model is inside an array
			for dec.More() {
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					return false
				}
			}
		default:
			return false
		}
		_, _ = dec.Token() // the closing bracket
		return false
	}
	return path, off, walk(nil)
}

// isTimeField reports whether encoding/json decodes the value at path into
// a time.Time of the model.
func isTimeField(path []string) bool {
	switch len(path) {
	case 1:
		return strings.EqualFold(path[0], "captured_at")
	case 3:
		return strings.EqualFold(path[0], "permission_sets") && strings.EqualFold(path[2], "created_at")
	}
	return false
}

// pathString writes a path as a person reads it: permission_sets["p"].created_at.
func pathString(path []string) string {
	var b strings.Builder
	for i, k := range path {
		switch {
		case i == 2 || i == 0:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(k)
		default:
			b.WriteString("[" + strconv.Quote(k) + "]")
		}
	}
	return b.String()
}

// typeErrorStart is where the value of a type error begins. encoding/json
// gives the offset just past an object's or array's opening bracket, and
// just past the end of any other value.
func typeErrorStart(doc []byte, e *json.UnmarshalTypeError) int64 {
	end := min(max(e.Offset, 0), int64(len(doc)))
	switch {
	case e.Value == "object" || e.Value == "array":
		return max(end-1, 0)
	case end > 0 && doc[end-1] == '"': // back to the opening quote
		for i := end - 2; i >= 0; i-- {
			if doc[i] != '"' {
				continue
			}
			escapes := int64(0)
			for i-1-escapes >= 0 && doc[i-1-escapes] == '\\' {
				escapes++
			}
			if escapes%2 == 0 {
				return i
			}
		}
		return 0
	}
	i := end // a number or literal: back to the byte after a delimiter
	for i > 0 && strings.IndexByte(" \t\r\n:,[{", doc[i-1]) < 0 {
		i--
	}
	return i
}

// valueStart is where the next value begins at or after off: past
// whitespace and the colon or comma before it.
func valueStart(doc []byte, off int64) int64 {
	for off < int64(len(doc)) && strings.IndexByte(" \t\r\n:,", doc[off]) >= 0 {
		off++
	}
	return off
}
