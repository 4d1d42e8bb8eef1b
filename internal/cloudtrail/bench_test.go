package cloudtrail_test

import (
	"bytes"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail/cloudtrailtest"
)

// benchObject is one realistic S3 object of about 1.5 MB.
func benchObject(b *testing.B) []byte {
	b.Helper()
	g := cloudtrailtest.New(1)
	return g.AppendObject(nil, 1000, time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), "111122223333", "us-east-1")
}

func BenchmarkSplit(b *testing.B) {
	data := benchObject(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	m := startCPU()
	defer func() { m.report(b, len(data)) }()
	for b.Loop() {
		n := 0
		if err := cloudtrail.Split(data, func(int, []byte) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != 1000 {
			b.Fatalf("got %d records", n)
		}
	}
}

func BenchmarkPrefilter(b *testing.B) {
	data := benchObject(b)
	var recs [][]byte
	if err := cloudtrail.Split(data, func(_ int, r []byte) error { recs = append(recs, r); return nil }); err != nil {
		b.Fatal(err)
	}
	p := cloudtrail.NewPrefilter(cloudtrailtest.Interests())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	m := startCPU()
	defer func() { m.report(b, len(data)) }()
	for b.Loop() {
		m := 0
		for _, r := range recs {
			if p.Match(r) {
				m++
			}
		}
		if m == 0 {
			b.Fatal("nothing matched")
		}
	}
}

func BenchmarkSplitPrefilter(b *testing.B) {
	data := benchObject(b)
	p := cloudtrail.NewPrefilter(cloudtrailtest.Interests())
	b.SetBytes(int64(len(data)))
	m := startCPU()
	defer func() { m.report(b, len(data)) }()
	for b.Loop() {
		_ = cloudtrail.Split(data, func(_ int, r []byte) error { p.Match(r); return nil })
	}
}

func BenchmarkGunzip(b *testing.B) {
	data := benchObject(b)
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(data)
	w.Close()
	b.Logf("ratio %.1f", float64(len(data))/float64(z.Len()))
	var o cloudtrail.ObjectReader
	var buf bytes.Buffer
	b.SetBytes(int64(len(data)))
	m := startCPU()
	defer func() { m.report(b, len(data)) }()
	for b.Loop() {
		if _, err := o.Read(bytes.NewReader(z.Bytes()), "x", &buf); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuMeter reports throughput per CPU second of the benchmark's own thread
// as well as per wall second: on a shared 2-core machine wall time swings
// with the neighbours' load. The goroutine is locked to its thread.
type cpuMeter struct{ start time.Duration }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(1, &ru) // RUSAGE_THREAD
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuMeter {
	runtime.LockOSThread()
	return cpuMeter{start: cpuTime()}
}

func (m cpuMeter) report(b *testing.B, bytesPerOp int) {
	cpu := cpuTime() - m.start
	runtime.UnlockOSThread()
	if cpu > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/cpu.Seconds()/1e6, "cpuMB/s")
	}
}

// BenchmarkCostVsGunzip interleaves gunzip and split+prefilter of the same
// object and reports the CPU cost of split+prefilter as a fraction of the
// gunzip's, the figure that decides how close a scan gets to decompression.
func BenchmarkCostVsGunzip(b *testing.B) {
	data := benchObject(b)
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(data)
	w.Close()
	p := cloudtrail.NewPrefilter(cloudtrailtest.Interests())
	var o cloudtrail.ObjectReader
	var buf bytes.Buffer
	var tGz, tSplit, tPf time.Duration
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for b.Loop() {
		t0 := cpuTime()
		out, err := o.Read(bytes.NewReader(z.Bytes()), "x", &buf)
		if err != nil {
			b.Fatal(err)
		}
		t1 := cpuTime()
		_ = cloudtrail.Split(out, func(_ int, r []byte) error { return nil })
		t2 := cpuTime()
		_ = cloudtrail.SplitRecords(out, func(r *cloudtrail.Record) error { p.MatchRecord(r); return nil }, nil)
		t3 := cpuTime()
		tGz += t1 - t0
		tSplit += t2 - t1
		tPf += t3 - t2
	}
	b.ReportMetric(float64(tSplit)/float64(tGz), "split/gunzip")
	b.ReportMetric(float64(tPf)/float64(tGz), "split+match/gunzip")
}

func BenchmarkSplitRecordsMatch(b *testing.B) {
	data := benchObject(b)
	p := cloudtrail.NewPrefilter(cloudtrailtest.Interests())
	b.SetBytes(int64(len(data)))
	m := startCPU()
	defer func() { m.report(b, len(data)) }()
	for b.Loop() {
		_ = cloudtrail.SplitRecords(data, func(r *cloudtrail.Record) error { p.MatchRecord(r); return nil }, nil)
	}
}

// BenchmarkDecodeMatched decodes the records of one object that pass the
// rule-pack prefilter, with encoding/json (Decode) and DecodeFast.
func BenchmarkDecodeMatched(b *testing.B) {
	data := benchObject(b)
	p := cloudtrail.NewPrefilter(cloudtrailtest.Interests())
	var recs [][]byte
	_ = cloudtrail.SplitRecords(data, func(r *cloudtrail.Record) error {
		if p.MatchRecord(r) {
			recs = append(recs, r.Raw)
		}
		return nil
	}, nil)
	for name, decode := range map[string]func([]byte, cloudtrail.Origin) (*cloudtrail.Event, error){
		"Decode": cloudtrail.Decode, "DecodeFast": cloudtrail.DecodeFast,
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			m := startCPU()
			defer func() { m.report(b, len(data)) }()
			for b.Loop() {
				for i, r := range recs {
					if _, err := decode(r, cloudtrail.Origin{Index: i}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkSplitStream splits the same object through a 64 KiB window: the
// path an object larger than the record cap takes.
func BenchmarkSplitStream(b *testing.B) {
	data := benchObject(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	m := startCPU()
	defer func() { m.report(b, len(data)) }()
	for b.Loop() {
		n := 0
		cut, err := cloudtrail.SplitWindow(bytes.NewReader(data), 64<<10, func(*cloudtrail.Record) error { n++; return nil }, nil)
		if cut != nil || err != nil || n != 1000 {
			b.Fatalf("got %d records, cut %v, err %v", n, cut, err)
		}
	}
}
