package cloudtrail_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail/cloudtrailtest"
)

// splitOutcome is everything a split reports, in order.
type splitOutcome struct {
	events []string // "rec I RAW" or "bad I OFFSET ERR"
}

func (o *splitOutcome) fn(r *cloudtrail.Record) error {
	o.events = append(o.events, fmt.Sprintf("rec %d %s", r.Index, r.Raw))
	return nil
}

func (o *splitOutcome) bad(i int, off int64, err error) {
	o.events = append(o.events, fmt.Sprintf("bad %d %d %v", i, off, err))
}

func wholeSplit(data []byte) splitOutcome {
	var o splitOutcome
	_ = cloudtrail.SplitRecords(data, o.fn, o.bad)
	return o
}

func windowSplit(data []byte, window int, r func(io.Reader) io.Reader) (splitOutcome, error) {
	var o splitOutcome
	cut, err := cloudtrail.SplitWindow(r(bytes.NewReader(data)), window, o.fn, o.bad)
	if err != nil {
		panic(err)
	}
	return o, cut
}

// checkSameSplit: a split through a small window reports what a whole split
// does, or a prefix of it cut by the record cap.
func checkSameSplit(t *testing.T, data []byte, window int, r func(io.Reader) io.Reader) {
	t.Helper()
	want := wholeSplit(data)
	got, cut := windowSplit(data, window, r)
	if cut != nil {
		if !errors.Is(cut, cloudtrail.ErrRecordTooLarge) {
			t.Fatalf("window %d: cut %v, want none or ErrRecordTooLarge", window, cut)
		}
		if len(got.events) > len(want.events) {
			t.Fatalf("window %d: %d reports before the cut, whole split has %d", window, len(got.events), len(want.events))
		}
		want.events = want.events[:len(got.events)]
	}
	for i := range max(len(got.events), len(want.events)) {
		var g, w string
		if i < len(got.events) {
			g = got.events[i]
		}
		if i < len(want.events) {
			w = want.events[i]
		}
		if g != w {
			t.Fatalf("window %d, report %d:\n got %.300q\nwant %.300q", window, i, g, w)
		}
	}
}

func oneByte(r io.Reader) io.Reader { return iotest.OneByteReader(r) }
func plain(r io.Reader) io.Reader   { return r }

func TestSplitWindowMatchesWholeSplit(t *testing.T) {
	big := cloudtrailtest.New(3).AppendObject(nil, 60, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), "111122223333", "us-east-1")
	var lines bytes.Buffer
	_ = cloudtrail.Split(big, func(_ int, r []byte) error { lines.Write(r); lines.WriteByte('\n'); return nil })
	inputs := map[string][]byte{"envelope of 60 records": big, "JSON lines": lines.Bytes(),
		"array":                            []byte("[" + strings.Join(strings.Split(strings.TrimSpace(lines.String()), "\n"), ",") + "]"),
		"envelope with keys after Records": append(bytes.TrimSuffix(bytes.Clone(big), []byte("}")), `,"x":[1,2],"Records":[`+r1+`],"Records":7}`...),
		"garbage, then lines":              append([]byte(strings.Repeat("\x00", 9000)+"\n"), lines.Bytes()...),
		"damaged record in an envelope":    bytes.Replace(big, []byte(`"eventVersion"`), []byte(`"eventVersion" oops`), 3),
	}
	for _, tc := range splitCases() {
		inputs[tc.name] = []byte(tc.in)
	}
	for name, in := range cliForms(genRecords(13, 40)) {
		inputs["40 records as "+name] = []byte(in)
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			for _, window := range []int{8, 64, 700, 4096, 1 << 20} {
				checkSameSplit(t, data, window, plain)
				checkSameSplit(t, data, window, oneByte)
			}
		})
	}
}

func TestSplitWindowStreamsALargeEnvelope(t *testing.T) {
	data := cloudtrailtest.New(9).AppendObject(nil, 2000, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), "111122223333", "us-east-1")
	n := 0
	cut, err := cloudtrail.SplitWindow(bytes.NewReader(data), 16<<10, func(*cloudtrail.Record) error { n++; return nil }, func(i int, _ int64, err error) {
		t.Errorf("bad record %d: %v", i, err)
	})
	if cut != nil || err != nil || n != 2000 {
		t.Fatalf("%d bytes through a 16 KiB window: %d records, cut %v, err %v", len(data), n, cut, err)
	}
}

func FuzzSplitWindow(f *testing.F) {
	fuzzSeeds(f)
	// CLI forms larger than the largest window, so their elements stream.
	f.Add([]byte(lookupOutput(r1, r2, r3, r1)))
	f.Add([]byte(filterLogEventsOutput(r1, r2, r3, r1, r2, r3)))
	f.Add([]byte(strings.Repeat("2026-05-01T12:00:00.000Z "+r1+"\n2026-05-01T12:00:01Z x\n", 8)))
	f.Add([]byte(`{"Events":[` + strings.Repeat(`{"CloudTrailEvent":`+jsonString(r2)+`},`, 6) + `7],"Records":[` + r1 + `],"eventSource":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, window := range []int{8, 33, 200, 1000} {
			checkSameSplit(t, data, window, plain)
			checkSameSplit(t, data, window, oneByte)
		}
	})
}
