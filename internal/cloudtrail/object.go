package cloudtrail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// Default caps on one object, far above what CloudTrail writes (objects of a
// few MB, records of a few hundred KB), so a decompression bomb or a runaway
// record is refused instead of exhausting memory.
const (
	DefaultMaxObjectBytes int64 = 1 << 30  // decompressed bytes per object
	DefaultMaxRecordBytes int64 = 64 << 20 // bytes per record
)

// Errors ObjectReader wraps (with the object's name).
var (
	ErrTruncatedGzip  = errors.New("truncated gzip")
	ErrCorruptGzip    = errors.New("corrupt gzip")
	ErrTooLarge       = errors.New("object too large")
	ErrRecordTooLarge = errors.New("record too large")
)

// ObjectReader reads objects, gunzipping when the data starts with the gzip
// magic. It keeps its gzip, bufio and window state between objects; one per
// goroutine.
type ObjectReader struct {
	MaxBytes       int64 // decompressed bytes per object; 0 means DefaultMaxObjectBytes
	MaxRecordBytes int64 // bytes per record (Split); 0 means DefaultMaxRecordBytes

	br  *bufio.Reader
	gz  *gzip.Reader
	win []byte // Split's window
}

// open returns the object's decompressed bytes as a reader.
func (o *ObjectReader) open(r io.Reader, name string) (io.Reader, bool, error) {
	if o.br == nil {
		o.br = bufio.NewReaderSize(r, 256<<10)
	} else {
		o.br.Reset(r)
	}
	magic, err := o.br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, false, fmt.Errorf("read %s: %w", name, err)
	}
	if len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return o.br, false, nil
	}
	if o.gz == nil {
		o.gz = new(gzip.Reader)
	}
	if err := o.gz.Reset(o.br); err != nil {
		return nil, true, fmt.Errorf("read %s: %w", name, gzipErr(err))
	}
	o.gz.Multistream(true)
	return o.gz, true, nil
}

// Split reads the object from r and calls fn for every record, as
// SplitRecords does, while it decompresses: memory stays about one record
// cap however large the object is (plus, for the CLI forms, the unescaped
// copy of the one element being split). An object that fits the first
// window (a little over MaxRecordBytes) is split whole.
//
// It returns the decompressed size read and, when the object was cut
// short, why: damage (ErrTruncatedGzip, ErrCorruptGzip), more than MaxBytes
// decompressed (ErrTooLarge) or a record over MaxRecordBytes
// (ErrRecordTooLarge), named with the object. The records before the cut
// have been handed to fn; the one it cuts through is not reported as a bad
// record. err is fn's error, which stops the split.
func (o *ObjectReader) Split(r io.Reader, name string, fn func(*Record) error, onBad func(index int, offset int64, err error)) (n int64, cut, err error) {
	maxObj, maxRec := o.MaxBytes, o.MaxRecordBytes
	if maxObj <= 0 {
		maxObj = DefaultMaxObjectBytes
	}
	if maxRec <= 0 {
		maxRec = DefaultMaxRecordBytes
	}
	src, gzipped, err := o.open(r, name)
	defer o.br.Reset(nil) // drop the reference to r
	if err != nil {
		return 0, err, nil
	}
	st := newStreamer(&capReader{r: src, max: maxObj}, int(min(maxRec, maxObj)), o.win, fn, onBad)
	if gzipped {
		st.gzErr = gzipErr
	}
	stopped := st.split()
	o.win = st.buf[:0]
	if cap(o.win) > st.max { // the caps changed since the window was made
		o.win = nil
	}
	cut = st.cut
	if gzipped && cut != nil && !errors.Is(cut, ErrRecordTooLarge) && !errors.Is(cut, ErrTooLarge) && st.total > 0 {
		cut = fmt.Errorf("%w after %d decompressed bytes", cut, st.total)
	}
	if cut != nil {
		cut = fmt.Errorf("read %s: %w", name, cut)
	}
	return st.total, cut, stopped
}

// errStopSplit ends a split from inside fn without being fn's error.
var errStopSplit = errors.New("split stopped")

// capReader reads at most max bytes and fails with ErrTooLarge when there
// is more.
type capReader struct {
	r         io.Reader
	max, read int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.read >= c.max {
		var one [1]byte
		if n, err := io.ReadFull(c.r, one[:]); n > 0 {
			return 0, fmt.Errorf("%w: decompresses to more than %s", ErrTooLarge, FormatSize(c.max))
		} else {
			return 0, err
		}
	}
	if int64(len(p)) > c.max-c.read {
		p = p[:c.max-c.read]
	}
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

// ReadObject reads one object with a fresh ObjectReader. See ObjectReader.Read.
func ReadObject(r io.Reader, name string, buf *bytes.Buffer) ([]byte, error) {
	var o ObjectReader
	return o.Read(r, name, buf)
}

// Read reads r fully into buf (reset first) and returns its decompressed
// bytes, valid until buf is reused. Multi-member gzip is read as one stream.
// When the data is damaged, Read returns what it decoded before the damage
// together with an error naming the object, so records before it can still
// be used.
func (o *ObjectReader) Read(r io.Reader, name string, buf *bytes.Buffer) ([]byte, error) {
	buf.Reset()
	max := o.MaxBytes
	if max <= 0 {
		max = DefaultMaxObjectBytes
	}
	if o.br == nil {
		o.br = bufio.NewReaderSize(r, 256<<10)
	} else {
		o.br.Reset(r)
	}
	defer o.br.Reset(nil) // drop the reference to r

	magic, err := o.br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		if sz := o.br.Buffered(); sz > 0 && buf.Cap() < sz {
			buf.Grow(sz)
		}
		_, err := buf.ReadFrom(io.LimitReader(o.br, max+1))
		if err != nil {
			return buf.Bytes(), fmt.Errorf("read %s: %w", name, err)
		}
		if int64(buf.Len()) > max {
			buf.Reset()
			return nil, fmt.Errorf("read %s: %w: more than %d bytes", name, ErrTooLarge, max)
		}
		return buf.Bytes(), nil
	}

	if o.gz == nil {
		o.gz = new(gzip.Reader)
	}
	if err := o.gz.Reset(o.br); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, gzipErr(err))
	}
	o.gz.Multistream(true)
	n, err := buf.ReadFrom(io.LimitReader(o.gz, max+1))
	if n > max {
		buf.Reset()
		return nil, fmt.Errorf("read %s: %w: decompresses to more than %d bytes", name, ErrTooLarge, max)
	}
	if err != nil && n > 0 {
		return buf.Bytes(), fmt.Errorf("read %s: %w after %d decompressed bytes", name, gzipErr(err), n)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, gzipErr(err))
	}
	return buf.Bytes(), nil
}

// gzipErr names gzip failures in words a user understands.
func gzipErr(err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%w: the data ends", ErrTruncatedGzip)
	case errors.Is(err, gzip.ErrHeader):
		return fmt.Errorf("%w: invalid header", ErrCorruptGzip)
	case errors.Is(err, gzip.ErrChecksum):
		return fmt.Errorf("%w: checksum mismatch", ErrCorruptGzip)
	case errors.As(err, &corrupt):
		return fmt.Errorf("%w: bad deflate data at compressed byte %d", ErrCorruptGzip, int64(corrupt))
	}
	return err
}

// FormatSize prints a byte count the way the size flags read it (512MiB, 64KiB).
func FormatSize(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d%s", n>>u.shift, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
