package scan_test

import (
	"bufio"
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail/cloudtrailtest"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// benchTrail returns a gzipped org trail to scan and its uncompressed size.
// PORTCULLIS_BENCH_TRAIL=/dir uses an existing trail (e.g. 1 GB from
// `portcullis simulate`); otherwise 64 MB are generated into b.TempDir().
func benchTrail(b *testing.B) ([]source.Object, int64) {
	b.Helper()
	dir := os.Getenv("PORTCULLIS_BENCH_TRAIL")
	if dir == "" {
		dir = b.TempDir()
		if _, err := cloudtrailtest.WriteTrail(dir, cloudtrailtest.TrailOptions{Seed: 7, Days: 2, Bytes: 64 << 20}); err != nil {
			b.Fatal(err)
		}
	}
	var objs []source.Object
	if _, err := source.Walk(context.Background(), []string{dir}, source.Filter{}, func(o source.Object) error {
		objs = append(objs, o)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	// One decompression pass to learn the size (and warm the page cache).
	total, err := decompressAll(objs, 2)
	if err != nil {
		b.Fatal(err)
	}
	return objs, total
}

// decompressAll is the floor: klauspost gzip of every object to io.Discard,
// with `workers` objects at once and reused readers, nothing else.
func decompressAll(objs []source.Object, workers int) (int64, error) {
	var mu sync.Mutex
	var total int64
	next := make(chan source.Object)
	var eg errgroup.Group
	for range workers {
		eg.Go(func() error {
			var zr gzip.Reader
			br := bufio.NewReaderSize(nil, 256<<10)
			var n int64
			for o := range next {
				rc, err := o.Open(context.Background())
				if err != nil {
					return err
				}
				br.Reset(rc)
				if err := zr.Reset(br); err != nil {
					rc.Close()
					return err
				}
				m, err := io.Copy(io.Discard, &zr)
				rc.Close()
				if err != nil {
					return err
				}
				n += m
			}
			mu.Lock()
			total += n
			mu.Unlock()
			return nil
		})
	}
	for _, o := range objs {
		next <- o
	}
	close(next)
	return total, eg.Wait()
}

func scanAll(b *testing.B, objs []source.Object, workers int) scan.Stats {
	st, err := scan.Run(context.Background(), objs, scan.Options{
		Workers:   workers,
		Prefilter: cloudtrail.NewPrefilter(cloudtrailtest.Interests()),
		OnError:   func(err error) { b.Error(err) },
	}, func([]*cloudtrail.Event) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	return st
}

func BenchmarkScan(b *testing.B) {
	objs, total := benchTrail(b)
	for _, w := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(w), func(b *testing.B) {
			b.SetBytes(total)
			var st scan.Stats
			for b.Loop() {
				st = scanAll(b, objs, w)
			}
			b.ReportMetric(float64(st.Matched)/float64(st.Records)*100, "%matched")
			reportPeakRSS(b)
		})
	}
}

func BenchmarkDecompressOnly(b *testing.B) {
	objs, total := benchTrail(b)
	for _, w := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(w), func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				if _, err := decompressAll(objs, w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScanVsDecompress alternates a one-worker scan and the one-worker
// floor over the same files and reports scan speed as a share of the
// floor's: alternating makes a busy machine slow both alike.
func BenchmarkScanVsDecompress(b *testing.B) {
	objs, _ := benchTrail(b)
	var tScan, tFloor, cScan, cFloor time.Duration
	for b.Loop() {
		t0, c0 := time.Now(), cpuTime()
		if _, err := decompressAll(objs, 1); err != nil {
			b.Fatal(err)
		}
		t1, c1 := time.Now(), cpuTime()
		scanAll(b, objs, 1)
		tFloor += t1.Sub(t0)
		tScan += time.Since(t1)
		cFloor += c1 - c0
		cScan += cpuTime() - c1
	}
	b.ReportMetric(float64(tFloor)/float64(tScan)*100, "%of-floor")
	b.ReportMetric(float64(cFloor)/float64(cScan)*100, "%of-floor-cpu")
}

// cpuTime is the process's user+system time: on a shared machine it
// swings less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPeakRSS reports the process's peak resident memory (VmHWM), which
// includes the corpus generation unless PORTCULLIS_BENCH_TRAIL is set.
func reportPeakRSS(b *testing.B) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
				b.ReportMetric(kb/1024, "peakRSS-MB")
			}
		}
	}
}

// TestGenerateTrail writes a benchmark trail when asked:
// PORTCULLIS_GEN_TRAIL=/dir PORTCULLIS_GEN_MB=1024 go test -run TestGenerateTrail ./internal/scan
func TestGenerateTrail(t *testing.T) {
	dir := os.Getenv("PORTCULLIS_GEN_TRAIL")
	if dir == "" {
		t.Skip("PORTCULLIS_GEN_TRAIL not set")
	}
	mb, _ := strconv.Atoi(os.Getenv("PORTCULLIS_GEN_MB"))
	if mb <= 0 {
		mb = 1024
	}
	st, err := cloudtrailtest.WriteTrail(dir, cloudtrailtest.TrailOptions{Seed: 11, Days: 7, Bytes: int64(mb) << 20,
		Accounts: []string{"111122223333", "444455556666", "777788889999", "123456789012"}, Regions: []string{"us-east-1", "eu-west-1", "ap-southeast-2"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %d records, %d bytes, %d compressed (%.1fx)", st.Files, st.Records, st.Bytes, st.Compressed, float64(st.Bytes)/float64(st.Compressed))
}

// TestMeasure times, alternately and best of PORTCULLIS_MEASURE rounds,
// the decompression floor and the scan with one and two workers over
// PORTCULLIS_BENCH_TRAIL; with wall and process CPU time.
func TestMeasure(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv("PORTCULLIS_MEASURE"))
	if rounds <= 0 || os.Getenv("PORTCULLIS_BENCH_TRAIL") == "" {
		t.Skip("set PORTCULLIS_BENCH_TRAIL and PORTCULLIS_MEASURE=rounds")
	}
	b := &testing.B{}
	objs, total := benchTrail(b)
	type best struct{ wall, cpu time.Duration }
	results := map[string]*best{}
	run := func(name string, f func()) {
		w0, c0 := time.Now(), cpuTime()
		f()
		w, c := time.Since(w0), cpuTime()-c0
		r := results[name]
		if r == nil {
			r = &best{wall: w, cpu: c}
			results[name] = r
		}
		r.wall, r.cpu = min(r.wall, w), min(r.cpu, c)
	}
	for range rounds {
		for _, w := range []int{1, 2} {
			run("floor-"+strconv.Itoa(w), func() { decompressAll(objs, w) })
			run("scan-"+strconv.Itoa(w), func() { scanAll(b, objs, w) })
		}
	}
	for _, name := range []string{"floor-1", "scan-1", "floor-2", "scan-2"} {
		r := results[name]
		t.Logf("%-8s %6.0f MB/s  wall %v  cpu %v", name, float64(total)/r.wall.Seconds()/1e6, r.wall.Round(time.Millisecond), r.cpu.Round(time.Millisecond))
	}
	t.Logf("scan-1 at %.0f%% of floor-1; scan-2 at %.0f%% of floor-2", 100*results["floor-1"].wall.Seconds()/results["scan-1"].wall.Seconds(),
		100*results["floor-2"].wall.Seconds()/results["scan-2"].wall.Seconds())
}
