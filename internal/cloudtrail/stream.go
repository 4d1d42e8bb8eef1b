package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// streamer splits an object read through a window of bounded size, so an
// object of any size (a decompression bomb among them) costs at most about
// one record cap of memory. An object that fits in the first window is split
// whole, exactly as SplitRecords does; a larger one is split piece by piece:
// each top-level value, each element of a top-level array, of an S3
// envelope's Records or of a CLI form's Events / events, and each other value
// of an object too large for the window (stream_object.go) must fit in the
// window. A piece that does not cuts the split (ErrRecordTooLarge): what was
// reported before the cut is what SplitRecords reports first.
type streamer struct {
	r       io.Reader
	buf     []byte // the window; buf[:n] holds data, buf[0] is at offset base of the object
	n       int
	base    int64
	before  byte  // the byte at base-1, once the window has slid (line starts)
	total   int64 // decompressed bytes read so far
	eof     bool  // r has nothing more (cleanly or not)
	cut     error // why the object was cut short: damage, a cap; nil at a clean end
	stop    bool  // a piece over the record cap: split nothing more
	stopped error // fn's error
	limit   int   // bytes one record (or non-envelope top-level value) may span
	max     int   // the window's largest size
	gzErr   func(error) error
	s       splitter
}

// windowFor is the largest window for a record cap: room for one piece at
// the cap plus some following data, so the window slides less often.
func windowFor(limit int) int { return limit + limit/8 + 4096 }

// newStreamer prepares a split of r with a record cap of limit bytes,
// reusing buf's memory for the window.
func newStreamer(r io.Reader, limit int, buf []byte, fn func(*Record) error, onBad func(int, int64, error)) *streamer {
	st := &streamer{r: r, limit: limit, max: windowFor(limit), buf: buf[:cap(buf)]}
	if len(st.buf) == 0 {
		st.buf = make([]byte, min(256<<10, st.max))
	}
	st.s = splitter{
		fn: func(rec *Record) error {
			if len(rec.Raw) > limit {
				st.stop = true
				st.cut = fmt.Errorf("%w: record %d is %d bytes, over %s", ErrRecordTooLarge, rec.Index, len(rec.Raw), FormatSize(int64(limit)))
				return errStopSplit
			}
			if err := fn(rec); err != nil {
				st.stopped = err
				return err
			}
			return nil
		},
		onBad: func(index int, offset int64, err error) {
			// The record a cut goes through is not a bad record: the cut
			// is reported once, for the object.
			if onBad != nil && !(st.cut != nil && errors.Is(err, ErrTruncated)) {
				onBad(index, offset, err)
			}
		},
	}
	return st
}

// split reads and splits everything; it returns fn's error.
func (st *streamer) split() error {
	// The first window grows until the object ends or the window is as
	// large as it may be.
	for st.fill(); !st.eof && len(st.buf) < st.max; st.fill() {
		grown := make([]byte, st.grownSize(2))
		st.n = copy(grown, st.buf[:st.n])
		st.buf = grown
	}
	if st.eof {
		_ = st.s.run() // the whole object is in the window: split it whole
	} else {
		st.run()
	}
	return st.stopped
}

// grownSize is the window's next size: factor times larger, or straight
// to the largest when that is near (two big windows alive at once during
// the copy are what the peak memory of a huge object is made of).
func (st *streamer) grownSize(factor int) int {
	n := max(factor*len(st.buf), 64<<10)
	if 2*n > st.max {
		n = st.max
	}
	return n
}

// fill reads until the window is full or r ends.
func (st *streamer) fill() {
	for st.n < len(st.buf) && !st.eof {
		k, err := st.r.Read(st.buf[st.n:])
		st.n += k
		st.total += int64(k)
		if err != nil {
			st.eof = true
			if !errors.Is(err, io.EOF) {
				st.cut = err
				if st.gzErr != nil && !errors.Is(err, ErrTooLarge) {
					st.cut = st.gzErr(err)
				}
			}
		}
	}
	st.s.data, st.s.base = st.buf[:st.n], st.base
}

// more makes room and reads more: it drops the bytes before keep, grows the
// window when keep is already at its start and the window is full, and
// fills it. It returns keep's new position, and false when nothing could
// be added: r has ended, or the piece from keep fills the largest window.
func (st *streamer) more(keep int) (int, bool) {
	if st.eof {
		return keep, false
	}
	switch {
	case keep > 0:
		st.before = st.buf[keep-1]
		st.n = copy(st.buf, st.buf[keep:st.n])
		st.base += int64(keep)
		keep = 0
	case st.n == len(st.buf):
		if len(st.buf) >= st.max {
			return keep, false
		}
		grown := make([]byte, st.grownSize(2))
		st.n = copy(grown, st.buf[:st.n])
		st.buf = grown
	}
	before := st.n
	st.fill()
	return keep, st.n > before
}

// ws skips whitespace from i, reading on as needed; at the returned
// position is a non-space byte, or the object has ended (i == st.n).
func (st *streamer) ws(i int) int {
	for {
		i = skipWS(st.buf[:st.n], i)
		if i < st.n {
			return i
		}
		var ok bool
		if i, ok = st.more(i); !ok {
			return st.n
		}
	}
}

// complete makes sure the value starting at i ends inside the window (or
// the object ends first), reading on as needed. It returns the value's
// position and false when the value is over the record cap.
func (st *streamer) complete(i int) (int, bool) {
	for !st.eof {
		d := st.buf[:st.n]
		e, err := valueEnd(d, i)
		// A scalar running to the window's end may go on after it.
		if err != scanTruncated && !(err == scanOK && e == st.n && d[i] != '{' && d[i] != '[' && d[i] != '"') {
			return i, true
		}
		var ok bool
		if i, ok = st.more(i); !ok {
			return i, st.eof
		}
	}
	return i, true
}

// tooLarge stops the split at the piece starting at i.
func (st *streamer) tooLarge(i int) (int, bool) {
	st.stop = true
	st.cut = fmt.Errorf("%w: record %d at byte %d is over %s", ErrRecordTooLarge, st.s.index, st.base+int64(i), FormatSize(int64(st.limit)))
	return st.n, true
}

// run splits the object piece by piece, as splitter.run does. The window
// has been filled once.
func (st *streamer) run() {
	s := &st.s
	i, lineStart := 0, int64(0)
	if bytes.HasPrefix(st.buf[:st.n], []byte("\xef\xbb\xbf")) {
		i, lineStart = 3, 3
	}
	for {
		if i = st.ws(i); i >= st.n {
			return
		}
		if st.base+int64(i) == lineStart || st.byteBefore(i) == '\n' {
			var n int
			if i, n = st.exportAt(i); st.stop {
				return
			}
			if n > 0 {
				if i = st.ws(i + n); i >= st.n {
					return
				}
			}
		}
		next, ok := st.topValue(i)
		if s.stop != nil || st.stop {
			return
		}
		if !ok {
			if next = st.resync(next); st.stop {
				return
			}
		}
		i = next
	}
}

// byteBefore is the byte before position i, or 0 at the object's start.
func (st *streamer) byteBefore(i int) byte {
	switch {
	case i > 0:
		return st.buf[i-1]
	case st.base > 0:
		return st.before
	}
	return 0
}

// exportAt reads on until it is known whether a CloudWatch Logs export
// timestamp starts at i, and returns i's new position and the prefix's
// length (0: none). A timestamp too long for the window cuts the split.
func (st *streamer) exportAt(i int) (int, int) {
	for {
		n, short := exportPrefix(st.buf[i:st.n])
		if !short || st.eof {
			return i, n
		}
		var ok bool
		if i, ok = st.more(i); !ok && !st.eof {
			st.tooLarge(i)
			return i, 0
		}
	}
}

// topValue splits one top-level value starting at i.
func (st *streamer) topValue(i int) (int, bool) {
	i, fits := st.complete(i)
	switch {
	case fits:
		return st.s.top(i)
	case st.buf[i] == '{':
		return st.object(i)
	case st.buf[i] == '[':
		return st.elements(i+1, modeTop)
	}
	return st.tooLarge(i)
}

// elements splits the elements of an array too large for the window, from
// i (just after its '['), one element at a time, as splitter.array does.
func (st *streamer) elements(i, mode int) (int, bool) {
	s := &st.s
	if i = st.ws(i); i < st.n && st.buf[i] == ']' {
		return i + 1, true
	}
	for {
		if i >= st.n {
			return s.fail(scanTruncated, i, i, "the data ends before the array is closed")
		}
		switch {
		case st.buf[i] == '{' && mode == modeRecords:
			// One scan per record: the hot path of a large trail file.
			top := newTopKeys()
			e, err := containerEnd(st.buf[:st.n], i, &top)
			if err == scanTruncated && !st.eof {
				var ok bool
				if i, ok = st.more(i); !ok && !st.eof {
					return st.tooLarge(i)
				}
				continue
			}
			if err != scanOK {
				return s.fail(err, i, e, "")
			}
			s.emit(i, e, top)
			i = e
		default:
			var fits bool
			var e int
			var ok bool
			i, fits = st.complete(i)
			switch {
			case fits:
				e, ok = s.element(i, mode)
			case st.buf[i] == '{' && mode == modeTop:
				e, ok = st.object(i)
			default:
				return st.tooLarge(i)
			}
			if !ok {
				return e, false
			}
			i = e
		}
		if s.stop != nil || st.stop {
			return st.n, true
		}
		if i = st.ws(i); i >= st.n {
			return s.fail(scanTruncated, i, i, "the data ends before the array is closed")
		}
		switch st.buf[i] {
		case ',':
			i = st.ws(i + 1)
			continue
		case ']':
			return i + 1, true
		}
		return s.fail(scanBadValue, i, i, "want ',' or ']' after a record")
	}
}

// resync is the streaming resync, as the splitter's: the next line that
// starts with '{', '[' or an export timestamp after i, reading on (and
// dropping what it passes) as needed.
func (st *streamer) resync(i int) int {
	for {
		k := bytes.IndexByte(st.buf[i:st.n], '\n')
		if k < 0 {
			var ok bool
			if i, ok = st.more(st.n); !ok {
				return st.n
			}
			continue
		}
		j := i + k + 1
		for j >= st.n { // what follows the newline decides
			var ok bool
			if j, ok = st.more(j); !ok {
				return st.n
			}
		}
		if c := st.buf[j]; c == '{' || c == '[' {
			return j
		}
		var n int
		if j, n = st.exportAt(j); n > 0 || st.stop {
			return j
		}
		i = j
	}
}
