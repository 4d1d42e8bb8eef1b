package idc

import (
	"hash/maphash"
	"io"
)

// decodeFast decodes a snapshot in the shape portcullis writes, several
// times faster than encoding/json (see BenchmarkDecodeSnapshot): a large
// organization's snapshot is tens of megabytes, and decoding it was most of
// `portcullis access`. It is exact or it gives up: ok is false for
// anything it does not handle the way encoding/json does (a syntax or type
// error, an unknown or differently cased key, a key given twice, a number),
// and the caller then decodes with encoding/json, which also words the
// error. So both paths give the same model, and bad input the same error
// (FuzzSnapshotDecode holds them to it). The model is not yet
// checked (see finish).
func decodeFast(b []byte) (m *Model, ok bool) {
	return newDecoder(b, nil).snapshot()
}

// decodeStream is decodeFast reading r through a small window: a snapshot
// file is never held whole in memory (on a virtual machine, touching fresh
// memory costs more than decoding what is in it). A read error gives up
// too; encoding/json meets it again and reports it.
func decodeStream(r io.Reader) (m *Model, ok bool) {
	return decodeWindow(r, 256<<10)
}

func decodeWindow(r io.Reader, size int) (m *Model, ok bool) {
	return newDecoder(make([]byte, 0, size), r).snapshot()
}

func newDecoder(b []byte, r io.Reader) *decoder {
	return &decoder{b: b, r: r, strs: new([internSlots]string), seed: maphash.MakeSeed()}
}

func (d *decoder) snapshot() (*Model, bool) {
	m := &Model{}
	object(d, m, modelFields)
	d.ws()
	if d.bad || d.i != len(d.b) || d.rerr != io.EOF && d.r != nil {
		return nil, false
	}
	return m, true
}

// decoder walks one JSON document. bad is sticky: once set, every method
// returns at once and the document is handed to encoding/json.
type decoder struct {
	// b[i:] is the input not yet decoded; when r is set, b is a window and
	// refill reads more into it.
	b    []byte
	i    int
	r    io.Reader
	rerr error // the reader's last error (io.EOF at the end)
	bad  bool
	// strs interns strings: ids, ARNs and sources repeat across
	// assignments and memberships, and one copy of each is less to allocate
	// and for the collector to scan. A direct-mapped cache, not a map: it
	// stays small enough to be cheap, and a miss only costs a copy.
	strs *[internSlots]string
	seed maphash.Seed
}

const internSlots = 1 << 12

// field is one key of a struct and how its value is decoded into T.
type field[T any] struct {
	name string
	dec  func(d *decoder, v *T)
}

func (d *decoder) fail() { d.bad = true }

// refill reads more input into the window, keeping b[i:] (the token being
// read; offsets from i stay valid). Only a full window is rearranged: the
// decoded part is dropped, or, when there is none, the window doubles. So
// a token is copied a bounded number of times however little each read
// returns (a pipe, a reader that returns a byte at a time). It reports
// false at the end of the input or on a read error.
func (d *decoder) refill() bool {
	if d.r == nil || d.rerr != nil {
		return false
	}
	if len(d.b) == cap(d.b) {
		if d.i > 0 {
			n := copy(d.b, d.b[d.i:])
			d.b, d.i = d.b[:n], 0
		} else { // a token longer than the window
			d.b = append(make([]byte, 0, 2*cap(d.b)+64), d.b...)
		}
	}
	for {
		n := len(d.b)
		m, err := d.r.Read(d.b[n:cap(d.b)])
		d.b = d.b[:n+m]
		if err != nil {
			d.rerr = err
		}
		if m > 0 || err != nil {
			return m > 0
		}
	}
}

// ensure makes n bytes from i available, if the input has them.
func (d *decoder) ensure(n int) bool {
	for len(d.b)-d.i < n {
		if !d.refill() {
			return false
		}
	}
	return true
}

// object decodes a JSON object into a struct. A key that is not one of
// fields exactly (encoding/json would fold case or skip it) or that comes
// twice (encoding/json would merge) gives up.
func object[T any](d *decoder, v *T, fields []field[T]) {
	if !d.open('{') {
		return
	}
	var seen uint32 // fields have at most 32 keys
	next := 0       // writers keep declaration order: try the next field first
	for n := 0; d.more('}', n); n++ {
		key := d.key() // valid until the next read: match it first
		if d.bad {
			return
		}
		k := -1
		if next < len(fields) && fields[next].name == string(key) {
			k = next
		} else {
			for j := range fields {
				if fields[j].name == string(key) {
					k = j
					break
				}
			}
		}
		if k < 0 || seen&(1<<k) != 0 {
			d.fail()
			return
		}
		d.colon()
		seen |= 1 << k
		next = k + 1
		fields[k].dec(d, v)
	}
}

// list decodes an array of structs (null is a nil slice, an element null
// the zero value). Elements go into chunks that double in size and are
// copied once into a slice of the right length: growing one slice by
// appending would copy the 100,000 assignments of a large organization
// many times over.
func list[T any](d *decoder, fields []field[T]) []T {
	if d.null() || !d.open('[') {
		return nil
	}
	var (
		full  [][]T
		total int
	)
	cur := make([]T, 0, 4)
	for n := 0; d.more(']', n); n++ {
		if len(cur) == cap(cur) {
			full, total = append(full, cur), total+len(cur)
			cur = make([]T, 0, min(2*cap(cur), 1<<13))
		}
		cur = cur[:len(cur)+1]
		if !d.null() {
			object(d, &cur[len(cur)-1], fields)
		}
	}
	if len(full) == 0 {
		return cur
	}
	out := make([]T, 0, total+len(cur))
	for _, c := range full {
		out = append(out, c...)
	}
	return append(out, cur...)
}

// ptrMap decodes an object of structs keyed by id. A key given twice keeps
// the last value, fresh, as encoding/json does; an entry null is a nil
// pointer (fill reports it).
func ptrMap[T any](d *decoder, fields []field[T]) map[string]*T {
	if d.null() || !d.open('{') {
		return nil
	}
	out := map[string]*T{}
	for n := 0; d.more('}', n); n++ {
		k := d.text()
		d.colon()
		if d.bad {
			return nil
		}
		var v *T
		if !d.null() {
			v = new(T)
			object(d, v, fields)
		}
		out[k] = v
	}
	return out
}
