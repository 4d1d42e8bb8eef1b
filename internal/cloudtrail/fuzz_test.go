package cloudtrail_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// refSplit is the splitter's specification written with encoding/json. It
// answers only for input encoding/json reads as a stream of valid values
// (ok=false otherwise): the raw records and the count of non-object slots.
func refSplit(data []byte) (recs []string, notObj int, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var v json.RawMessage
		if err := dec.Decode(&v); err == io.EOF {
			return recs, notObj, true
		} else if err != nil {
			return nil, 0, false
		}
		switch v[0] {
		case '[':
			var elems []json.RawMessage
			if json.Unmarshal(v, &elems) != nil {
				return nil, 0, false
			}
			for _, e := range elems {
				if e[0] == '{' {
					recs, notObj = refObject(e, recs, notObj)
				} else {
					notObj++
				}
			}
		case '{':
			recs, notObj = refObject(v, recs, notObj)
		default:
			// encoding/json reads "00" or "truefalse" as two values with
			// nothing between them; the splitter calls that garbage.
			if off := dec.InputOffset(); off < int64(len(data)) && !bytes.ContainsAny(data[off:off+1], " \t\r\n{[\"]},:") {
				return nil, 0, false
			}
			notObj++
		}
	}
}

// refObject classifies one object: envelope, EventBridge event or record.
func refObject(obj json.RawMessage, recs []string, notObj int) ([]string, int) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	_, _ = dec.Token() // {
	var envelope, detailType, detailNotObject bool
	var detail json.RawMessage
	for dec.More() {
		tok, _ := dec.Token()
		key := tok.(string)
		var val json.RawMessage
		_ = dec.Decode(&val)
		switch {
		case key == "Records" && val[0] == '[':
			envelope = true
			var elems []json.RawMessage
			_ = json.Unmarshal(val, &elems)
			for _, e := range elems {
				if e[0] == '{' {
					recs = append(recs, string(e))
				} else {
					notObj++
				}
			}
		case key == "Records":
			envelope = true
			notObj++
		case key == "detail" && val[0] == '{':
			detail = val
		case key == "detail":
			detailNotObject = true
		case key == "detail-type":
			detailType = true
		}
	}
	switch {
	case envelope:
	case detailType && detail != nil:
		recs = append(recs, string(detail))
	case detailType && detailNotObject:
		notObj++
	default:
		recs = append(recs, string(obj))
	}
	return recs, notObj
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
		var notObj int
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
			if i := bytes.Index(data, rec); i < 0 {
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
		})
		if err != nil {
			t.Fatalf("SplitRecords returned %v without a callback error", err)
		}
		want, wantNotObj, ok := refSplit(data)
		if !ok || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
			return // not valid JSON: only the invariants above hold
		}
		if len(got) != len(want) || notObj != wantNotObj {
			t.Fatalf("got %d records and %d non-objects, encoding/json says %d and %d\ngot  %q\nwant %q", len(got), notObj, len(want), wantNotObj, got, want)
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
