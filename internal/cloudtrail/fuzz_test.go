package cloudtrail_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// refSplit is the splitter's specification written with encoding/json. It
// answers only for input encoding/json reads as a stream of valid values
// (ok=false otherwise): the records, and the counts of non-object slots and
// of objects that are no CloudTrail record (ErrNotCloudTrail).
func refSplit(data []byte) (recs []string, notObj, notCT int, ok bool) {
	r := refSplitter{}
	if !r.split(data, 0) {
		return nil, 0, 0, false
	}
	return r.recs, r.notObj, r.notCT, true
}

// exportLine is the CloudWatch Logs export prefix; inputs holding one are
// left to the table tests (the reference would have to know line starts).
var exportLine = regexp.MustCompile(`[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z `)

type refSplitter struct {
	recs          []string
	notObj, notCT int
}

func (r *refSplitter) split(data []byte, depth int) bool {
	if exportLine.Match(data) || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var v json.RawMessage
		if err := dec.Decode(&v); err == io.EOF {
			return true
		} else if err != nil {
			return false
		}
		switch v[0] {
		case '[':
			var elems []json.RawMessage
			if json.Unmarshal(v, &elems) != nil {
				return false
			}
			for _, e := range elems {
				switch e[0] {
				case '{':
					if !r.object(e, depth) {
						return false
					}
				case '"':
					if !r.embedded(e, depth, false) {
						return false
					}
				default:
					r.notObj++
				}
			}
		case '{':
			if !r.object(v, depth) {
				return false
			}
		default:
			// encoding/json reads "00" or "truefalse" as two values with
			// nothing between them; the splitter calls that garbage.
			if off := dec.InputOffset(); off < int64(len(data)) && !bytes.ContainsAny(data[off:off+1], " \t\r\n{[\"]},:") {
				return false
			}
			r.notObj++
		}
	}
}

// object classifies one object: S3 envelope, EventBridge event, record (it
// has eventSource), or none of them; an Events (events) array is split as
// lookup-events (logs) output where it stands, unless the keys before it
// made the object a record or an EventBridge event.
func (r *refSplitter) object(obj json.RawMessage, depth int) bool {
	dec := json.NewDecoder(bytes.NewReader(obj))
	_, _ = dec.Token() // {
	var envelope, detailType, detailNotObject, hasSource, carried bool
	var detail json.RawMessage
	for dec.More() {
		tok, _ := dec.Token()
		key := tok.(string)
		var val json.RawMessage
		_ = dec.Decode(&val)
		decided := hasSource || detailType && (detail != nil || detailNotObject)
		switch {
		case key == "Records" && val[0] == '[':
			envelope = true
			var elems []json.RawMessage
			_ = json.Unmarshal(val, &elems)
			for _, e := range elems {
				if e[0] == '{' {
					r.recs = append(r.recs, string(e))
				} else {
					r.notObj++
				}
			}
		case key == "Records":
			envelope = true
			r.notObj++
		case key == "detail" && val[0] == '{':
			detail = val
		case key == "detail":
			detailNotObject = true
		case key == "detail-type":
			detailType = true
		case key == "eventSource":
			hasSource = true
		case (key == "Events" || key == "events") && val[0] == '[' && !decided:
			carried = true
			field := "CloudTrailEvent"
			if key == "events" {
				field = "message"
			}
			if !r.carriers(val, field, depth) {
				return false
			}
		}
	}
	switch {
	case envelope:
	case detailType && detail != nil:
		r.recs = append(r.recs, string(detail))
	case detailType && detailNotObject:
		r.notObj++
	case hasSource:
		r.recs = append(r.recs, string(obj))
	case carried:
	default:
		r.notCT++
	}
	return true
}

// carriers reads a CLI form's array: each object's field string holds JSON.
func (r *refSplitter) carriers(arr json.RawMessage, field string, depth int) bool {
	var elems []json.RawMessage
	_ = json.Unmarshal(arr, &elems)
	for _, e := range elems {
		if e[0] != '{' {
			r.notObj++
			continue
		}
		var m map[string]json.RawMessage
		_ = json.Unmarshal(e, &m)
		if v := m[field]; len(v) > 0 && v[0] == '"' {
			if !r.embedded(v, depth, true) {
				return false
			}
		} else {
			r.notCT++
		}
	}
	return true
}

// embedded splits the JSON held in a string.
func (r *refSplitter) embedded(str json.RawMessage, depth int, carried bool) bool {
	var s string
	if json.Unmarshal(str, &s) != nil {
		return false
	}
	t := strings.TrimLeft(s, " \t\r\n")
	switch {
	case t != "" && (t[0] == '{' || t[0] == '['):
	case carried:
		r.notCT++
		return true
	default:
		r.notObj++
		return true
	}
	if depth >= 4 {
		r.notCT++
		return true
	}
	return r.split([]byte(s), depth+1)
}

func fuzzSeeds(f *testing.F) {
	for _, tc := range splitCases() {
		f.Add([]byte(tc.in))
	}
}

func FuzzSplit(f *testing.F) {
	fuzzSeeds(f)
	p := cloudtrail.NewPrefilter(testInterests())
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []string
		var notObj, notCT int
		last := -1
		err := cloudtrail.SplitRecords(data, func(r *cloudtrail.Record) error {
			if r.Index <= last {
				t.Fatalf("index %d after %d", r.Index, last)
			}
			last = r.Index
			rec := r.Raw
			if len(rec) < 2 || rec[0] != '{' || rec[len(rec)-1] != '}' {
				t.Fatalf("record %q is not an object", rec)
			}
			// Records carried in JSON strings are unescaped copies.
			if i := bytes.Index(data, rec); i < 0 && bytes.IndexByte(data, '\\') < 0 {
				t.Fatalf("record %q is not part of the input", rec)
			}
			// The fused prefilter must never lose a record Decode would match.
			if ev, err := cloudtrail.Decode(rec, cloudtrail.Origin{}); err == nil && p.MatchEvent(ev) && !p.MatchRecord(r) {
				t.Fatalf("MatchRecord lost %q", rec)
			}
			got = append(got, string(rec))
			return nil
		}, func(i int, off int64, err error) {
			if i <= last || off < 0 || off > int64(len(data)) {
				t.Fatalf("bad slot %d at %d after %d: %v", i, off, last, err)
			}
			last = i
			if errors.Is(err, cloudtrail.ErrNotObject) {
				notObj++
			}
			if errors.Is(err, cloudtrail.ErrNotCloudTrail) {
				notCT++
			}
		})
		if err != nil {
			t.Fatalf("SplitRecords returned %v without a callback error", err)
		}
		want, wantNotObj, wantNotCT, ok := refSplit(data)
		if !ok {
			return // not valid JSON: only the invariants above hold
		}
		if len(got) != len(want) || notObj != wantNotObj || notCT != wantNotCT {
			t.Fatalf("got %d records, %d non-objects, %d non-CloudTrail; encoding/json says %d, %d and %d\ngot  %q\nwant %q",
				len(got), notObj, notCT, len(want), wantNotObj, wantNotCT, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("record %d: got %q, want %q", i, got[i], want[i])
			}
		}
	})
}

func FuzzPrefilter(f *testing.F) {
	for _, s := range []string{r1, r2, r3, eb,
		`{"event\u0053ource":"sso.amazonaws.com"}`,
		`{"eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithSAML","r":"AWSReservedSSO_x"}`,
		`{"eventSource" : "signin.amazonaws.com" , "eventSource":"s3.amazonaws.com"}`,
		`{"a":{"eventSource":"sso.amazonaws.com"},"eventSource":"sso.amazonaws.co\u006d"}`,
	} {
		f.Add([]byte(s))
	}
	p := cloudtrail.NewPrefilter(testInterests())
	f.Fuzz(func(t *testing.T, rec []byte) {
		pre := p.Match(rec)
		ev, err := cloudtrail.Decode(rec, cloudtrail.Origin{})
		if err == nil && p.MatchEvent(ev) && !pre {
			t.Fatalf("Match lost a wanted record: source %q name %q in %q", ev.Source, ev.Name, rec)
		}
		_ = cloudtrail.SplitRecords(rec, func(r *cloudtrail.Record) error {
			if len(r.Raw) != len(rec) {
				return nil
			}
			if err == nil && p.MatchEvent(ev) && !p.MatchRecord(r) {
				t.Fatalf("MatchRecord lost a wanted record: source %q name %q in %q", ev.Source, ev.Name, rec)
			}
			return nil
		}, nil)
	})
}
