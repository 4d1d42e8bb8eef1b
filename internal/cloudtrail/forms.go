package cloudtrail

import (
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
// problems are reported at the string's offset. These forms are small (the
// CLI's output, an export of one log group) and never the hot path: the
// S3 object form does not reach this file.

// maxNest bounds records in strings in records in strings.
const maxNest = 4

// span is a value's [a, b) in the data; the zero span is unset.
type span struct{ a, b int }

func (p span) set() bool { return p.b > p.a }

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
	off := int64(at)
	if s.nested {
		off = s.at
	}
	in := splitter{data: u, fn: s.fn, onBad: s.onBad, index: s.index, nested: true, at: off, depth: s.depth + 1}
	in.run()
	s.index, s.stop = in.index, in.stop
}

// exportPrefix returns the length of the timestamp and space that start a
// line of a CloudWatch Logs export ("2026-05-01T12:00:00.000Z "), or 0.
func exportPrefix(b []byte) int {
	const layout = "0000-00-00T00:00:00"
	if len(b) < len(layout)+2 {
		return 0
	}
	for i := range len(layout) {
		c := b[i]
		if layout[i] == '0' {
			if c < '0' || c > '9' {
				return 0
			}
		} else if c != layout[i] {
			return 0
		}
	}
	i := len(layout)
	if b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return 0
		}
	}
	if i+2 > len(b) || b[i] != 'Z' || b[i+1] != ' ' {
		return 0
	}
	return i + 2
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
	var keys []string
	n := 0
	members(obj, 0, func(key []byte, _, _ int) {
		if n++; len(keys) == 5 {
			return
		}
		k, ok := unescape(key)
		if !ok {
			k = string(key)
		}
		if len(k) > 40 {
			k = k[:40] + "…"
		}
		keys = append(keys, strconv.Quote(k))
	})
	more := ""
	if n > len(keys) {
		more = fmt.Sprintf(" and %d more", n-len(keys))
	}
	return fmt.Errorf(`%w: an object with keys %s%s; want {"Records":[…]}, a record (with eventSource), `+
		`aws cloudtrail lookup-events output {"Events":[…]} or aws logs output {"events":[…]}`,
		ErrNotCloudTrail, strings.Join(keys, ", "), more)
}

// preview quotes the start of a string for an error message.
func preview(b []byte) string {
	if len(b) > 40 {
		return strconv.Quote(string(b[:40])) + "…"
	}
	return strconv.Quote(string(b))
}
