package idc

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// bigSnapshot is the scale (100,000 assignments) as the JSON
// `portcullis simulate --snapshot` writes.
var bigSnapshot = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	if err := Synthetic(1, 10000, 2000, 500, 300, 100000).Write(&buf); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// BenchmarkDecodeSnapshot decodes the 100,000-assignment snapshot with
// encoding/json (the reference) and with decodeFast; read (decode, check,
// index) is what Load does after reading the file. Compare with
//
//	go test ./internal/idc -run '^$' -bench DecodeSnapshot -benchtime 10x
//
// the alternated sub-benchmark times both in each iteration, so a busy
// machine slows both alike, and reports the fastest of each and their
// ratio.
func BenchmarkDecodeSnapshot(b *testing.B) {
	data := bigSnapshot()
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := decodeReference(bytes.NewReader(data), "big.json"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, ok := decodeFast(data); !ok {
				b.Fatal("fast path gave up")
			}
		}
	})
	b.Run("read", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := ReadBytes(data, "big.json"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("alternated", func(b *testing.B) {
		// Each iteration times both, one after the other: the fastest of
		// each over the run is what the code costs when nothing else runs.
		var ref, fast time.Duration = 1 << 62, 1 << 62
		for b.Loop() {
			t0 := time.Now()
			if _, err := decodeReference(bytes.NewReader(data), "big.json"); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, ok := decodeFast(data); !ok {
				b.Fatal("fast path gave up")
			}
			ref, fast = min(ref, t1.Sub(t0)), min(fast, time.Since(t1))
		}
		b.ReportMetric(float64(ref)/1e6, "ref-ms")
		b.ReportMetric(float64(fast)/1e6, "fast-ms")
		b.ReportMetric(float64(ref)/float64(fast), "ref/fast")
	})
}
