package cloudtrail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The forms responders hand over, as the AWS CLI prints them:
//
//	aws cloudtrail lookup-events     {"Events":[{"EventId":…,"CloudTrailEvent":"{…record…}"}, …],"NextToken":…}
//	aws logs filter-log-events       {"events":[{"logStreamName":…,"message":"{…record…}"}, …],"searchedLogStreams":…}
//	aws logs get-log-events          {"events":[{"timestamp":…,"message":"{…record…}"}, …],"nextForwardToken":…}
//	CloudWatch Logs export (S3)      2026-05-01T12:00:00.000Z {…record…}   (one per line)
//	--query 'Events[].CloudTrailEvent'  ["{…record…}", …]
//
// A record carried in a JSON string is unescaped into a buffer of its own and
// split again (so a string holding an envelope or JSON lines works too); its
// problems are reported at the string's offset. The S3 object form does not
// reach this file. An object too large for the streamer's window is split
// element by element (stream_object.go), each element within the record cap.

// maxNest bounds records in strings in records in strings.
const maxNest = 4

// span is a value's [a, b) in the data; the zero span is unset.
type span struct{ a, b int }

func (p span) set() bool { return p.b > p.a }

// cliArray returns the mode of an array under key when the key names a CLI
// form's array (Events: lookup-events, events: logs), else 0.
func cliArray(key []byte) int {
	switch {
	case keyIs(key, "Events"):
		return modeLookup
	case keyIs(key, "events"):
		return modeLogs
	}
	return 0
}

// element reads one element of an array in a mode other than modeRecords,
// or a non-object element of Records: in a top-level array an object may be
// an envelope and a string may carry a record; in a CLI form's array each
// object carries one.
func (s *splitter) element(i, mode int) (int, bool) {
	d := s.data
	switch {
	case d[i] == '{' && mode == modeTop:
		return s.object(i)
	case d[i] == '{' && (mode == modeLookup || mode == modeLogs):
		return s.carrier(i, mode)
	case d[i] == '"' && mode == modeTop:
		e := stringEnd(d, i)
		if e < 0 {
			return s.fail(scanTruncated, i, e, "")
		}
		s.embedded(i, d[i:e], "a string", ErrNotObject)
		return e, true
	}
	return s.nonObject(i)
}

// carrier reads one element of a CLI form's array: an object whose
// CloudTrailEvent (lookup-events) or message (logs) string holds the record.
func (s *splitter) carrier(start, mode int) (int, bool) {
	field, form := "CloudTrailEvent", "lookup-events event"
	if mode == modeLogs {
		field, form = "message", "log event"
	}
	var str span // the last occurrence of field decides, as in a decoder
	end, code, what := members(s.data, start, func(key []byte, v, e int) {
		if keyIs(key, field) {
			str = span{}
			if s.data[v] == '"' {
				str = span{v, e}
			}
		}
	})
	if code != scanOK {
		return s.fail(code, start, end, what)
	}
	if !str.set() {
		s.bad(start, fmt.Errorf("%w: %s without a %s string", ErrNotCloudTrail, form, field))
		return end, true
	}
	s.embedded(start, s.data[str.a:str.b], form+" "+field, ErrNotCloudTrail)
	return end, true
}

// embedded splits the JSON in the string quoted (with its quotes), found at
// data[at]. A string that holds no JSON object or array is reported with
// notJSON: ErrNotObject where a record was expected (a top-level array's
// element), ErrNotCloudTrail in a CLI form (a log group of something else).
func (s *splitter) embedded(at int, quoted []byte, what string, notJSON error) {
	var str string
	if err := json.Unmarshal(quoted, &str); err != nil {
		s.bad(at, fmt.Errorf("%w: %s is not a valid JSON string", ErrSyntax, what))
		return
	}
	u := []byte(str)
	j := skipWS(u, 0)
	switch {
	case j < len(u) && (u[j] == '{' || u[j] == '['):
	case notJSON == ErrNotObject:
		s.bad(at, fmt.Errorf("%w: found a string", ErrNotObject))
		return
	default:
		s.bad(at, fmt.Errorf("%w: %s is %s, not a JSON record", ErrNotCloudTrail, what, preview(u)))
		return
	}
	if s.depth >= maxNest {
		s.bad(at, fmt.Errorf("%w: %s nested more than %d deep", ErrNotCloudTrail, what, maxNest))
		return
	}
	off := s.base + int64(at)
	if s.nested {
		off = s.at
	}
	in := splitter{data: u, fn: s.fn, onBad: s.onBad, index: s.index, nested: true, at: off, depth: s.depth + 1}
	in.run()
	s.index, s.stop = in.index, in.stop
}

// exportPrefix returns the length of the timestamp and space that start a
// line of a CloudWatch Logs export ("2026-05-01T12:00:00.000Z "), or 0;
// short says b ends before that is decided (the streamer reads on).
func exportPrefix(b []byte) (n int, short bool) {
	const layout = "0000-00-00T00:00:00"
	for i := range len(layout) {
		if i == len(b) {
			return 0, true
		}
		c := b[i]
		if layout[i] == '0' {
			if c < '0' || c > '9' {
				return 0, false
			}
		} else if c != layout[i] {
			return 0, false
		}
	}
	i := len(layout)
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == len(b) {
			return 0, true
		}
		if i == d {
			return 0, false
		}
	}
	switch {
	case i < len(b) && b[i] != 'Z', i+1 < len(b) && b[i+1] != ' ':
		return 0, false
	case i+2 > len(b):
		return 0, true
	}
	return i + 2, false
}

// members walks the keys of the valid-so-far object at d[start] ('{'),
// calling fn with each raw key and its value's [v, e). It returns the index
// just after the object, or a scan error, where it was found and what was
// wanted there.
func members(d []byte, start int, fn func(key []byte, v, e int)) (int, scanErr, string) {
	i := skipWS(d, start+1)
	if i < len(d) && d[i] == '}' {
		return i + 1, scanOK, ""
	}
	for {
		if i >= len(d) {
			return i, scanTruncated, ""
		}
		if d[i] != '"' {
			return i, scanBadValue, "want a key"
		}
		ke := stringEnd(d, i)
		if ke < 0 {
			return len(d), scanTruncated, ""
		}
		key := d[i+1 : ke-1]
		if i = skipWS(d, ke); i >= len(d) {
			return i, scanTruncated, ""
		}
		if d[i] != ':' {
			return i, scanBadValue, "want ':' after key"
		}
		if i = skipWS(d, i+1); i >= len(d) {
			return i, scanTruncated, ""
		}
		e, err := valueEnd(d, i)
		if err != scanOK {
			return e, err, ""
		}
		fn(key, i, e)
		if i = skipWS(d, e); i >= len(d) {
			return i, scanTruncated, ""
		}
		switch d[i] {
		case ',':
			i = skipWS(d, i+1)
		case '}':
			return i + 1, scanOK, ""
		default:
			return i, scanBadValue, "want ',' or '}'"
		}
	}
}

// unknownObject says what a JSON object in none of the known forms holds,
// so a user sees which file they passed by mistake.
func unknownObject(obj []byte) error {
	var k keyList
	members(obj, 0, func(key []byte, _, _ int) { k.add(key) })
	return k.unknown()
}

// keyList keeps the first keys of an object for unknownObject's message,
// and counts the rest.
type keyList struct {
	names []string
	n     int
}

func (k *keyList) add(key []byte) {
	if k.n++; len(k.names) == 5 {
		return
	}
	name := string(key)
	if bytes.IndexByte(key, '\\') >= 0 {
		if u, ok := unescape(key); ok {
			name = u
		}
	}
	if len(name) > 40 {
		name = name[:40] + "…"
	}
	k.names = append(k.names, strconv.Quote(name))
}

func (k *keyList) unknown() error {
	more := ""
	if k.n > len(k.names) {
		more = fmt.Sprintf(" and %d more", k.n-len(k.names))
	}
	return fmt.Errorf(`%w: an object with keys %s%s; want {"Records":[…]}, a record (with eventSource), `+
		`aws cloudtrail lookup-events output {"Events":[…]} or aws logs output {"events":[…]}`,
		ErrNotCloudTrail, strings.Join(k.names, ", "), more)
}

// preview quotes the start of a string for an error message.
func preview(b []byte) string {
	if len(b) > 40 {
		return strconv.Quote(string(b[:40])) + "…"
	}
	return strconv.Quote(string(b))
}
