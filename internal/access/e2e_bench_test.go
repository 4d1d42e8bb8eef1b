package access

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// bigSnapshot writes the issue-scale model as a snapshot file once per
// benchmark, so the end-to-end benchmarks read real JSON from disk.
func bigSnapshot(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "big.json")
	fh, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := bigModel().Write(fh); err != nil {
		b.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkAccessEndToEnd is `portcullis access --snapshot big.json
// --format F` without the command line: read and decode the snapshot,
// compute effective access, write every grant.
func BenchmarkAccessEndToEnd(b *testing.B) {
	path := bigSnapshot(b)
	for _, f := range []struct {
		name  string
		write func(io.Writer, *Result) error
	}{{"json", WriteJSON}, {"csv", WriteCSV}, {"table", WriteTable}} {
		b.Run(f.name, func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				m, err := idc.Load(path)
				if err != nil {
					b.Fatal(err)
				}
				if err := f.write(io.Discard, Compute(m).All()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
