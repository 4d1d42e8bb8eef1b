package scan_test

import (
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// An object over a cap is bad input named with the cap and the flag that
// raises it; the records before the cut are kept (each is complete), the
// objects around it are read.
func TestRunCaps(t *testing.T) {
	good := memObject("good.json.gz", gzipped(t, envelope(rec("g", "sso", "A", "2026-05-01T10:00:00Z"))), time.Time{})
	big := `{"eventSource":"sso.amazonaws.com","eventName":"B","eventID":"big","pad":"` + strings.Repeat("x", 2<<20) + `"}`
	cases := []struct {
		name  string
		data  string
		opt   scan.Options
		cause error
		flag  string
		want  []string // events read, good's included
	}{
		{"object over --max-object-size", envelope(rec("x", "sso", "A", "2026-05-01T10:00:00Z")) + strings.Repeat(" ", 4<<20),
			scan.Options{MaxObjectBytes: 1 << 20}, cloudtrail.ErrTooLarge, "--max-object-size", []string{"g", "x"}},
		{"bomb cut inside a record", envelope(rec("x", "sso", "A", "2026-05-01T10:00:00Z"), big),
			scan.Options{MaxObjectBytes: 1 << 20}, cloudtrail.ErrTooLarge, "--max-object-size", []string{"g", "x"}},
		{"record over --max-record-size", envelope(rec("x", "sso", "A", "2026-05-01T10:00:00Z"), big, rec("y", "sso", "A", "2026-05-01T10:00:00Z")),
			scan.Options{MaxRecordBytes: 1 << 20}, cloudtrail.ErrRecordTooLarge, "--max-record-size", []string{"g", "x"}},
		{"JSON line over --max-record-size", rec("x", "sso", "A", "2026-05-01T10:00:00Z") + "\n" + big + "\n",
			scan.Options{MaxRecordBytes: 1 << 20}, cloudtrail.ErrRecordTooLarge, "--max-record-size", []string{"g", "x"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs := []source.Object{memObject("bomb.json.gz", gzipped(t, tc.data), time.Time{}), good}
			batches, errs, st := collect(t, objs, tc.opt)
			if len(errs) != 1 || !errors.Is(errs[0], tc.cause) || st.FilesFailed != 1 {
				t.Fatalf("errors %v stats %+v: want one failed object, %v", errs, st, tc.cause)
			}
			if msg := errs[0].Error(); !strings.Contains(msg, "bomb.json.gz") || !strings.Contains(msg, "1MiB") || !strings.Contains(msg, tc.flag) {
				t.Errorf("error %q does not name the object, the cap and %s", msg, tc.flag)
			}
			var got []string
			for _, b := range batches {
				got = append(got, b...)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("events %v, want %v", got, tc.want)
			}
		})
	}
}

// zeros is an endless stream of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// bombObject is n zero bytes gzipped, compressed on the fly (a 1 GiB bomb
// is about 1 MB of gzip, never written to disk).
func bombObject(name string, n int64) source.Object {
	return source.Object{Name: name, Open: func(context.Context) (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() {
			zw, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
			_, err := io.Copy(zw, io.LimitReader(zeros{}, n))
			if err == nil {
				err = zw.Close()
			}
			pw.CloseWithError(err)
		}()
		return pr, nil
	}}
}

// heapPeak samples the Go heap until stop is called, and returns its peak.
func heapPeak() (stop func() uint64) {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// A decompression bomb costs a bounded window, not its size: 1 GiB of
// zeros (256 MiB with -short) read with the default caps, among good
// objects. The heap stays far below the bomb (the window is a little over
// the 64 MiB record cap).
func TestReaderBombMemoryIsBounded(t *testing.T) {
	size := int64(1 << 30)
	if testing.Short() {
		size = 256 << 20
	}
	runtime.GC()
	stop := heapPeak()
	rd := scan.NewReader(scan.Options{Prefilter: prefilter(), MaxObjectBytes: size - 1})
	start := time.Now()
	res := rd.Read(context.Background(), bombObject("bomb.json.gz", size))
	elapsed := time.Since(start)
	good := rd.Read(context.Background(), memObject("good.json.gz", gzipped(t, envelope(rec("g", "sso", "A", "2026-05-01T10:00:00Z"))), time.Time{}))
	peak := stop()
	t.Logf("%d MiB of zeros: heap peak %.1f MiB, process VmHWM %s, %.1fs", size>>20, float64(peak)/(1<<20), vmHWM(), elapsed.Seconds())
	if !res.Failed || len(res.Problems) == 0 || !errors.Is(res.Problems[len(res.Problems)-1], cloudtrail.ErrTooLarge) {
		t.Errorf("bomb: failed %v problems %v, want it refused as too large", res.Failed, res.Problems)
	}
	if good.Failed || len(good.Events) != 1 {
		t.Errorf("the good object after the bomb: %+v", good)
	}
	// The window (72 MiB) plus the garbage of growing it, before a GC.
	if limit := uint64(224 << 20); peak > limit {
		t.Errorf("heap peaked at %d MiB reading a %d MiB bomb, want under %d MiB", peak>>20, size>>20, limit>>20)
	}
}

// vmHWM is the process's peak resident set, from /proc (Linux), for the log.
func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
