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

// DefaultMaxObjectBytes caps how much one object may decompress to, so a
// decompression bomb is refused instead of exhausting memory.
const DefaultMaxObjectBytes int64 = 4 << 30

// Errors ObjectReader wraps (with the object's name).
var (
	ErrTruncatedGzip = errors.New("truncated gzip")
	ErrCorruptGzip   = errors.New("corrupt gzip")
	ErrTooLarge      = errors.New("object too large")
)

// ObjectReader reads whole objects, gunzipping when the data starts with the
// gzip magic. It keeps its gzip and bufio state between objects; one per
// goroutine.
type ObjectReader struct {
	MaxBytes int64 // 0 means DefaultMaxObjectBytes

	br *bufio.Reader
	gz *gzip.Reader
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
