package scan_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/hunt"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// BenchmarkHunt runs the whole hunt (scan, enrichment, the built-in rule
// pack) over PORTCULLIS_BENCH_TRAIL, a `portcullis simulate` directory
// (its portcullis.yaml is used when present): the benchmark to profile,
//
//	PORTCULLIS_BENCH_TRAIL=/tmp/trail go test -run '^$' -bench BenchmarkHunt/workers=1 \
//	    -benchtime 3x -cpuprofile cpu.out ./internal/scan
func BenchmarkHunt(b *testing.B) {
	dir := os.Getenv("PORTCULLIS_BENCH_TRAIL")
	if dir == "" {
		b.Skip("set PORTCULLIS_BENCH_TRAIL to a trail directory")
	}
	cfg := config.Default()
	if p := filepath.Join(dir, "portcullis.yaml"); fileExists(p) {
		c, err := config.Load(p)
		if err != nil {
			b.Fatal(err)
		}
		cfg = c
	}
	objs, total := benchTrail(b)
	for _, w := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(w), func(b *testing.B) {
			b.SetBytes(total)
			var res *hunt.Result
			for b.Loop() {
				var err error
				res, err = hunt.Run(context.Background(), hunt.Options{Objects: objs, Workers: w, Config: cfg,
					Filter: source.Filter{}, OnError: func(err error) { b.Error(err) }})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(res.Findings)), "findings")
			b.ReportMetric(float64(res.Scan.Matched)/float64(res.Scan.Records)*100, "%matched")
			reportPeakRSS(b)
		})
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
