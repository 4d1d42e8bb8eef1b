package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
)

// maxJoined bounds how many errors Split returns joined together.
const maxJoined = 10

// Split calls fn for every record in data, a whole decompressed object in any
// of the forms CloudTrail arrives in: an S3 object {"Records":[…]}, a bare
// record, JSON lines (records or envelopes), a JSON array of records,
// EventBridge events whose detail is the record, or the forms the AWS CLI
// prints (forms.go): `aws cloudtrail lookup-events` output, `aws logs
// filter-log-events` / `get-log-events` output and CloudWatch Logs exports.
// rec is a sub-slice of data, except for records the CLI forms carry as JSON
// strings, which are unescaped copies. A JSON object that is none of these
// (no Records, no eventSource, no Events or events array) is bad input
// (ErrNotCloudTrail). Bad input does not stop the split; Split returns the
// problems (as *SplitError, joined) after reading everything it could. An
// error from fn stops it and is returned as is.
func Split(data []byte, fn func(index int, rec []byte) error) error {
	var errs []error
	more := 0
	err := SplitErr(data, fn, func(_ int, _ int64, e error) {
		if len(errs) < maxJoined {
			errs = append(errs, e)
		} else {
			more++
		}
	})
	if err != nil {
		return err
	}
	if more > 0 {
		errs = append(errs, fmt.Errorf("and %d more bad records", more))
	}
	return errors.Join(errs...)
}

// SplitErr is Split with a hook: onBad (may be nil) hears about every bad
// slot — a value that is not an object, a truncated record, garbage — with
// its index, byte offset and a *SplitError. The split goes on with the next
// element when the structure allows, else with the next line that starts
// with '{' or '[' (JSON lines). Only fn's error is returned.
func SplitErr(data []byte, fn func(index int, rec []byte) error, onBad func(index int, offset int64, err error)) error {
	return SplitRecords(data, func(r *Record) error { return fn(r.Index, r.Raw) }, onBad)
}

// Record is one record cut out of an object, with what the splitter noticed
// of its top level on the way, so Prefilter.MatchRecord need not search the
// record again.
type Record struct {
	Index int
	Raw   []byte // a sub-slice of the object's data, or of a string unescaped from it (forms.go)

	watched    bool // the splitter saw every top-level key
	src, name  int  // offsets in Raw of the eventSource / eventName values, -1 if absent
	escapedKey bool // a top-level key may spell eventSource or eventName with escapes
}

// MayLackSource reports whether the record may have no usable top-level
// eventSource: none was seen, or its value is not a string. A prefilter
// "no" for such a record is bad input rather than an uninteresting
// record, so the caller decodes it to learn which. Never false for a
// record that lacks one.
func (r *Record) MayLackSource() bool {
	if !r.watched || r.escapedKey || r.src < 0 || r.src+1 >= len(r.Raw) {
		return true
	}
	// O(1) on the hot path: only a non-empty string names a service.
	return r.Raw[r.src] != '"' || r.Raw[r.src+1] == '"'
}

// SplitRecords is SplitErr handing out Records. The *Record is reused: it
// is valid only during the call to fn.
func SplitRecords(data []byte, fn func(*Record) error, onBad func(index int, offset int64, err error)) error {
	s := splitter{data: data, fn: fn, onBad: onBad}
	return s.run()
}

type splitter struct {
	data  []byte
	fn    func(*Record) error
	onBad func(int, int64, error)
	index int
	stop  error // fn's error
	rec   Record
	base  int64 // offset of data[0] in the object (the streamer's window)

	// A splitter over a string unescaped from an outer one (forms.go)
	// reports its problems at the string's offset in the outer data.
	nested bool
	at     int64
	depth  int
}

// Array element modes: inside Records every object is a record; inside a
// top-level array an object may itself be an envelope, and a string may
// carry a record; in the CLI forms each object carries one (forms.go).
const (
	modeRecords = iota + 1 // 0 is no mode (cliArray)
	modeTop
	modeLookup // aws cloudtrail lookup-events: Events[].CloudTrailEvent
	modeLogs   // aws logs filter-log-events / get-log-events: events[].message
)

func (s *splitter) run() error {
	d := s.data
	i := 0
	if bytes.HasPrefix(d, []byte("\xef\xbb\xbf")) { // UTF-8 BOM some exporters add
		i = 3
	}
	lineStart := i
	for i = skipWS(d, i); i < len(d); i = skipWS(d, i) {
		if i == lineStart || d[i-1] == '\n' {
			// A CloudWatch Logs export line: "<timestamp> <message>".
			if n, _ := exportPrefix(d[i:]); n > 0 {
				if i = skipWS(d, i+n); i >= len(d) {
					break
				}
			}
		}
		next, ok := s.top(i)
		if s.stop != nil {
			return s.stop
		}
		if !ok {
			next = resync(d, next)
		}
		i = next
	}
	return nil
}

// top handles one top-level value. ok=false means the structure is lost at
// the returned position (the error is already reported).
func (s *splitter) top(i int) (int, bool) {
	switch s.data[i] {
	case '{':
		return s.object(i)
	case '[':
		return s.array(i, modeTop)
	}
	return s.nonObject(i)
}

// nonObject reports a value in a record slot that is not an object, or
// garbage when it is not a JSON value at all.
func (s *splitter) nonObject(i int) (int, bool) {
	e, err := valueEnd(s.data, i)
	if err != scanOK {
		return s.fail(err, i, e, "")
	}
	s.bad(i, fmt.Errorf("%w: found %s", ErrNotObject, kindOf(s.data[i])))
	return e, true
}

// object reads a top-level object (or one inside a top-level array): an S3
// envelope whose Records are streamed as they are found, an EventBridge event
// whose detail is the record, a record itself, or the output of the AWS CLI
// whose Events / events array carries records (forms.go). Keys may come in
// any order, with one exception that lets an object too large to hold be
// streamed (stream_object.go): an Events or events array is split where it
// stands, unless the keys before it already made the object a record or an
// EventBridge event (the CLI prints the array first; a record has none).
func (s *splitter) object(start int) (int, bool) {
	d := s.data
	var envelope, detailType, detailNotObject, hasSource, carried bool
	detStart, detEnd := -1, -1
	top, detTop := newTopKeys(), newTopKeys()
	i := skipWS(d, start+1)
	if i < len(d) && d[i] == '}' {
		s.bad(start, fmt.Errorf("%w: an empty object", ErrNotCloudTrail))
		return i + 1, true
	}
	for {
		if i >= len(d) {
			return s.fail(scanTruncated, start, i, "")
		}
		if d[i] != '"' {
			return s.fail(scanBadValue, start, i, "want a key")
		}
		ke := stringEnd(d, i)
		if ke < 0 {
			return s.fail(scanTruncated, start, ke, "")
		}
		key := d[i+1 : ke-1]
		i = skipWS(d, ke)
		if i >= len(d) {
			return s.fail(scanTruncated, start, i, "")
		}
		if d[i] != ':' {
			return s.fail(scanBadValue, start, i, "want ':' after key")
		}
		i = skipWS(d, i+1)
		if i >= len(d) {
			return s.fail(scanTruncated, start, i, "")
		}
		switch {
		case keyIs(key, "Records") && d[i] == '[':
			envelope = true
			next, ok := s.array(i, modeRecords)
			if !ok {
				return next, false
			}
			i = next
		case keyIs(key, "detail") && d[i] == '{':
			e, err := containerEnd(d, i, &detTop)
			if err != scanOK {
				return s.fail(err, start, e, "")
			}
			detStart, detEnd = i, e
			i = e
		case d[i] == '[' && !(hasSource || detailType && (detStart >= 0 || detailNotObject)) && cliArray(key) != 0:
			carried = true
			next, ok := s.array(i, cliArray(key))
			if !ok {
				return next, false
			}
			i = next
		default:
			e, err := valueEnd(d, i)
			if err != scanOK {
				return s.fail(err, start, e, "")
			}
			switch string(key) {
			case "eventSource":
				top.src, hasSource = i, true
			case "eventName":
				top.name = i
			default:
				if bytes.IndexByte(key, '\\') >= 0 {
					top.escaped = true
					hasSource = hasSource || keyIs(key, "eventSource")
				}
			}
			switch {
			case keyIs(key, "Records"):
				envelope = true
				s.bad(i, fmt.Errorf("%w: Records is %s, not an array", ErrNotObject, kindOf(d[i])))
			case keyIs(key, "detail"):
				detailNotObject = true
			case keyIs(key, "detail-type"):
				detailType = true
			}
			i = e
		}
		i = skipWS(d, i)
		if i >= len(d) {
			return s.fail(scanTruncated, start, i, "")
		}
		if d[i] == ',' {
			i = skipWS(d, i+1)
			continue
		}
		if d[i] != '}' {
			return s.fail(scanBadValue, start, i, "want ',' or '}'")
		}
		i++
		break
	}
	switch {
	case envelope:
	case detailType && detStart >= 0:
		s.emit(detStart, detEnd, detTop)
	case detailType && detailNotObject:
		s.bad(start, fmt.Errorf("%w: EventBridge event whose detail is not an object", ErrNotObject))
	case hasSource:
		s.emit(start, i, top)
	case carried:
	default:
		s.bad(start, unknownObject(d[start:i]))
	}
	return i, true
}

// array reads the elements of an array starting at data[start] ('[').
func (s *splitter) array(start, mode int) (int, bool) {
	d := s.data
	i := skipWS(d, start+1)
	if i < len(d) && d[i] == ']' {
		return i + 1, true
	}
	for {
		if i >= len(d) {
			return s.fail(scanTruncated, i, i, "the data ends before the array is closed")
		}
		switch {
		case d[i] == '{' && mode == modeRecords:
			top := newTopKeys()
			e, err := containerEnd(d, i, &top)
			if err != scanOK {
				return s.fail(err, i, e, "")
			}
			s.emit(i, e, top)
			i = e
		default:
			e, ok := s.element(i, mode)
			if !ok {
				return e, false
			}
			i = e
		}
		if s.stop != nil {
			return len(d), true
		}
		i = skipWS(d, i)
		if i >= len(d) {
			return s.fail(scanTruncated, i, i, "the data ends before the array is closed")
		}
		if d[i] == ',' {
			i = skipWS(d, i+1)
			continue
		}
		if d[i] != ']' {
			return s.fail(scanBadValue, i, i, "want ',' or ']' after a record")
		}
		return i + 1, true
	}
}

// emit hands out data[a:b] as a record; top holds absolute offsets.
func (s *splitter) emit(a, b int, top topKeys) {
	if s.stop != nil {
		return
	}
	s.rec = Record{Index: s.index, Raw: s.data[a:b], watched: true, src: rel(top.src, a), name: rel(top.name, a), escapedKey: top.escaped}
	if err := s.fn(&s.rec); err != nil {
		s.stop = err
	}
	s.index++
}

func rel(at, base int) int {
	if at < 0 {
		return -1
	}
	return at - base
}
