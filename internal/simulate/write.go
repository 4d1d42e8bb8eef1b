package simulate

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/klauspost/compress/gzip"
)

const flushAt = 64 << 10

type fileResult struct {
	records, bytes, compressed int64
	oldest, newest             int64
}

// writer holds what one goroutine needs to stream a file; pooled per Run.
type writer struct {
	buf   []byte
	times []int64
	bw    *bufio.Writer
	zw    *gzip.Writer
}

func newWriterPool() *sync.Pool {
	return &sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed) // the level is valid, so no error
		return &writer{buf: make([]byte, 0, flushAt+16<<10), bw: bufio.NewWriterSize(io.Discard, 256<<10), zw: zw}
	}}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// fileSeed derives a file's RNG from the run seed and the file's index, so
// content does not depend on which worker writes it or when.
func fileSeed(seed int64, idx int) (uint64, uint64) {
	z := uint64(idx) + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return uint64(seed), z ^ z>>31
}

// writeFile streams one object: noise records at sorted random times in the
// file's window, with the planted records merged in by time.
func writeFile(ctx context.Context, out string, f *fileSpec, idx int, seed int64, o *org, pool *sync.Pool) (res fileResult, err error) {
	if err := ctx.Err(); err != nil {
		return res, err
	}
	w := pool.Get().(*writer)
	defer pool.Put(w)
	s1, s2 := fileSeed(seed, idx)
	rng := rand.New(rand.NewPCG(s1, s2))
	g := newGen(rng, o)
	g.at(f.stream.acct, f.stream.region)
	w.times = w.times[:0]
	for range f.noise {
		w.times = append(w.times, f.from+rng.Int64N(f.to-f.from))
	}
	slices.Sort(w.times)

	path := filepath.Join(out, filepath.FromSlash(f.key))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return res, fmt.Errorf("simulate: create directory for %s: %w", f.key, err)
	}
	fh, err := os.Create(path)
	if err != nil {
		return res, fmt.Errorf("simulate: create %s: %w", f.key, err)
	}
	defer func() {
		if cerr := fh.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("simulate: close %s: %w", f.key, cerr)
		}
	}()
	cw := &countWriter{w: fh}
	w.bw.Reset(cw)
	w.zw.Reset(w.bw)

	buf := append(w.buf[:0], `{"Records":[`...)
	first := true
	flush := func() error {
		res.bytes += int64(len(buf))
		_, err := w.zw.Write(buf)
		buf = buf[:0]
		return err
	}
	sep := func() {
		if !first {
			buf = append(buf, ',')
		}
		first = false
	}
	pi := 0
	for _, ts := range w.times {
		for ; pi < len(f.planted) && f.planted[pi].ts <= ts; pi++ {
			sep()
			buf = append(buf, f.planted[pi].data...)
		}
		sep()
		r := f.stream.mix.pick(rng)(g, ts)
		buf = g.emit(buf, &r)
		if len(buf) >= flushAt {
			if err := flush(); err != nil {
				return res, fmt.Errorf("simulate: write %s: %w", f.key, err)
			}
		}
	}
	for ; pi < len(f.planted); pi++ {
		sep()
		buf = append(buf, f.planted[pi].data...)
	}
	res.records = int64(len(w.times) + len(f.planted))
	res.oldest, res.newest = math.MaxInt64, math.MinInt64
	if n := len(w.times); n > 0 {
		res.oldest, res.newest = w.times[0], w.times[n-1]
	}
	if n := len(f.planted); n > 0 {
		res.oldest, res.newest = min(res.oldest, f.planted[0].ts), max(res.newest, f.planted[n-1].ts)
	}
	buf = append(buf, ']', '}') // no trailing newline, like CloudTrail
	if err := flush(); err != nil {
		return res, fmt.Errorf("simulate: write %s: %w", f.key, err)
	}
	w.buf = buf
	if err := w.zw.Close(); err != nil {
		return res, fmt.Errorf("simulate: compress %s: %w", f.key, err)
	}
	if err := w.bw.Flush(); err != nil {
		return res, fmt.Errorf("simulate: write %s: %w", f.key, err)
	}
	res.compressed = cw.n
	return res, nil
}
