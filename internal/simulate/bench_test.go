package simulate

import (
	"context"
	"testing"
)

// BenchmarkRun writes a 64 MiB trail per iteration; -benchtime and the
// reported MB/s (uncompressed JSON) show generation plus gzip throughput.
func BenchmarkRun(b *testing.B) {
	dir := b.TempDir()
	var bytes int64
	for b.Loop() {
		sum, err := Run(context.Background(), Options{Out: dir, Size: 64 << 20, Seed: 1, Scenarios: []string{"all"}})
		if err != nil {
			b.Fatal(err)
		}
		bytes = sum.Bytes
	}
	b.SetBytes(bytes)
}
