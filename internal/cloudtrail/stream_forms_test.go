package cloudtrail_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail/cloudtrailtest"
)

// genRecords is n generated records, each its own string.
func genRecords(seed uint64, n int) []string {
	g := cloudtrailtest.New(seed)
	t := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	recs := make([]string, n)
	for i := range recs {
		recs[i] = string(g.AppendRecord(nil, t.Add(time.Duration(i)*time.Second), "111122223333", "us-east-1"))
	}
	return recs
}

// cliForms are the AWS CLI's forms of recs, each too large for a small
// window, with some bad elements among them.
func cliForms(recs []string) map[string]string {
	var export, strs strings.Builder
	for i, r := range recs {
		fmt.Fprintf(&export, "2026-05-01T00:%02d:%02d.%03dZ %s\n", i/60%60, i%60, i, r)
		if i%17 == 5 {
			export.WriteString("2026-05-01T00:00:00Z START RequestId: 6959\n")
		}
		if i > 0 {
			strs.WriteString(",\n")
		}
		strs.WriteString(jsonString(r))
	}
	withBad := append([]string{`{"eventVersion":"1.08"}`}, recs...)
	return map[string]string{
		"lookup-events":                  lookupOutput(recs...),
		"lookup-events with a bad event": lookupOutput(withBad...),
		"filter-log-events":              filterLogEventsOutput(recs...),
		"CloudWatch Logs export":         export.String(),
		"array of CloudTrailEvent":       "[" + strs.String() + "]",
		"lookup-events pages as lines":   lookupOutput(recs[:len(recs)/2]...) + lookupOutput(recs[len(recs)/2:]...),
		"records after a big Events":     `{"Events":[{"CloudTrailEvent":` + jsonString(r1) + `}` + strings.Repeat(`,{"EventId":"x"}`, 5000) + `],"Records":[` + r2 + `]}`,
	}
}

// TestSplitWindowStreamsCLIForms: the CLI forms larger than the window are
// streamed element by element, with the whole split's answer and no cut.
func TestSplitWindowStreamsCLIForms(t *testing.T) {
	recs := genRecords(11, 300)
	for name, in := range cliForms(recs) {
		t.Run(name, func(t *testing.T) {
			data := []byte(in)
			want := wholeSplit(data)
			for _, window := range []int{16 << 10, 64 << 10} {
				if len(data) <= window {
					t.Fatalf("%d bytes fit the %d-byte window: not streamed", len(data), window)
				}
				for _, r := range []func(io.Reader) io.Reader{plain, oneByte} {
					got, cut := windowSplit(data, window, r)
					if cut != nil {
						t.Fatalf("window %d: cut %v", window, cut)
					}
					if !equalReports(got.events, want.events) {
						t.Fatalf("window %d: %d reports, whole split %d; first difference at %d", window, len(got.events), len(want.events), firstDiff(got.events, want.events))
					}
				}
			}
			if n := strings.Count(strings.Join(want.events, "\n"), "\nrec ") + 1; n < len(recs) && name != "records after a big Events" {
				t.Errorf("whole split found %d records, want at least %d", n, len(recs))
			}
		})
	}
}

func equalReports(a, b []string) bool { return firstDiff(a, b) < 0 }

func firstDiff(a, b []string) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestSplitWindowCutsWhatItCannotHold: a piece of a CLI form over the cap,
// or an object that turns out to be one record, cuts the split after the
// records before it.
func TestSplitWindowCutsWhatItCannotHold(t *testing.T) {
	pad := strings.Repeat("x", 9000)
	huge := `{"eventSource":"sso.amazonaws.com","pad":"` + pad + `"}`
	cases := []struct {
		name string
		in   string
		recs int // records before the cut
	}{
		{"lookup-events event over the cap", lookupOutput(r1, r2, huge, r3), 2},
		{"export line over the cap", "2026-05-01T00:00:00Z " + r1 + "\n2026-05-01T00:00:01Z " + huge + "\n" + r2, 1},
		{"export timestamp longer than the window", r1 + "\n2026-05-01T00:00:00." + strings.Repeat("0", 9000) + "Z " + r2, 1},
		{"record with a big Events array first", `{"Events":[{"CloudTrailEvent":` + jsonString(r1) + `},{"p":"` + pad + `"},{"p":"` + pad + `"}],"eventSource":"x"}`, 1},
		{"EventBridge event with a big Events array first", `{"Events":[{"p":"` + pad + `"},{"p":"` + pad + `"}],"detail-type":"x","detail":` + r2 + `}`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.in)
			checkSameSplit(t, data, 8192, plain)
			got, cut := windowSplit(data, 8192, plain)
			if !errors.Is(cut, cloudtrail.ErrRecordTooLarge) {
				t.Fatalf("cut %v, want ErrRecordTooLarge", cut)
			}
			if n := strings.Count(strings.Join(got.events, "\n"), "rec "); n != tc.recs {
				t.Errorf("%d records before the cut, want %d: %.200q", n, tc.recs, got.events)
			}
		})
	}
}

// lookupStream is `aws cloudtrail lookup-events` output of n events, made as
// it is read: a file far larger than the record cap, never held whole.
type lookupStream struct {
	recs []string
	n, i int
	buf  bytes.Buffer
}

func (l *lookupStream) Read(p []byte) (int, error) {
	for l.buf.Len() < len(p) && l.i <= l.n {
		switch {
		case l.i == 0:
			l.buf.WriteString(`{"Events":[`)
		case l.i == l.n:
			l.buf.WriteString(`],"NextToken":"x"}`)
		}
		if l.i < l.n {
			if l.i > 0 {
				l.buf.WriteByte(',')
			}
			fmt.Fprintf(&l.buf, `{"EventId":"%d","CloudTrailEvent":%s}`, l.i, jsonString(l.recs[l.i%len(l.recs)]))
		}
		l.i++
	}
	if l.buf.Len() == 0 {
		return 0, io.EOF
	}
	return l.buf.Read(p)
}

// A huge lookup-events file costs the window, not its size: about 45 MiB
// of it (11 MiB with -short) under a 1 MiB record cap.
func TestObjectReaderStreamsHugeLookupOutput(t *testing.T) {
	n := 32 << 10
	if testing.Short() {
		n = 8 << 10
	}
	src := &lookupStream{recs: genRecords(12, 100), n: n}
	o := cloudtrail.ObjectReader{MaxRecordBytes: 1 << 20}
	runtime.GC()
	var ms runtime.MemStats
	var peak uint64
	got := 0
	size, cut, err := o.Split(src, "lookup.json", func(r *cloudtrail.Record) error {
		if got++; got%512 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		return nil
	}, func(i int, _ int64, err error) { t.Errorf("bad record %d: %v", i, err) })
	if cut != nil || err != nil || got != n {
		t.Fatalf("%d bytes: %d records of %d, cut %v, err %v", size, got, n, cut, err)
	}
	t.Logf("%d MiB of lookup-events output: heap peak %.1f MiB", size>>20, float64(peak)/(1<<20))
	if size < 8<<20 || peak > 24<<20 {
		t.Errorf("heap peaked at %.1f MiB over %d MiB of input, want under 24 MiB", float64(peak)/(1<<20), size>>20)
	}
}
