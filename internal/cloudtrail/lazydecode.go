package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
)

// errUnresolved is what Resolve says of a record DecodeLazy accepted and
// the full decoder then refused: a bug, never bad input.
var errUnresolved = errors.New("internal error: record checked by DecodeLazy does not decode")

// typedKeys are the top-level keys FromMap reads into Event's typed fields.
var typedKeys = [...]string{"eventSource", "eventName", "eventID", "awsRegion", "recipientAccountId", "errorCode", "readOnly", "eventTime"}

// DecodeLazy is DecodeFast without Fields: it checks the whole record
// exactly as DecodeFast does, returning the same error for the same bytes,
// and fills the typed fields (Source, Name, Time …), but builds no tree
// until Resolve. A matched record waiting in memory for its turn in the
// timeline then costs its bytes rather than its decoded maps, and the
// tree is built by whoever Resolves it (the scan's deliver stage, beside
// the workers). rec is copied.
func DecodeLazy(rec []byte, origin Origin) (*Event, error) {
	raw := bytes.Clone(rec)
	d := fastDecoder{data: raw}
	d.ws()
	if d.i >= len(d.data) || d.data[d.i] != '{' {
		return DecodeFast(rec, origin) // not an object: DecodeFast words the error
	}
	var spans [len(typedKeys)][2]int
	if err := d.topObject(&spans); err != nil {
		return nil, &DecodeError{Origin: origin, Err: err}
	}
	if err := d.end(); err != nil {
		return nil, &DecodeError{Origin: origin, Err: err}
	}
	// FromMap on just the typed keys gives the typed fields, and the
	// errors about them, exactly as on the whole tree.
	m := make(map[string]any, len(typedKeys))
	for k, sp := range spans {
		if sp[1] == 0 {
			continue
		}
		sub := fastDecoder{data: raw[sp[0]:sp[1]], src: string(raw[sp[0]:sp[1]])}
		v, err := sub.value(1)
		if err != nil {
			return nil, &DecodeError{Origin: origin, Err: fmt.Errorf("%w: %w", errUnresolved, err)}
		}
		m[typedKeys[k]] = v
	}
	e, err := FromMap(m, raw, origin)
	if err != nil {
		return nil, err
	}
	e.Fields, e.lazy = nil, true
	return e, nil
}

// Resolve builds Fields for an event from DecodeLazy; other events are
// left as they are. The tree is the one DecodeFast builds.
func (e *Event) Resolve() error {
	if !e.lazy {
		return nil
	}
	d := fastDecoder{data: e.Raw, src: string(e.Raw)}
	v, err := d.value(0)
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		return &DecodeError{Origin: e.Origin, Err: fmt.Errorf("%w: %v", errUnresolved, err)}
	}
	e.Fields, e.lazy = m, false
	return nil
}

// topObject checks the record's object at d.data[d.i] ('{') and notes
// where the value of each typed key starts and ends (the last one, as a
// map keeps the last of duplicate keys).
func (d *fastDecoder) topObject(spans *[len(typedKeys)][2]int) error {
	d.i++ // {
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		return nil
	}
	for {
		d.ws()
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return d.fail("want a key")
		}
		ks := d.i
		if err := d.skipStr(); err != nil {
			return err
		}
		key := d.data[ks+1 : d.i-1]
		d.ws()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return d.fail("want ':'")
		}
		d.i++
		d.ws()
		vs := d.i
		if err := d.skip(1); err != nil {
			return err
		}
		if k := typedKey(key, d.data[ks:d.i]); k >= 0 {
			spans[k] = [2]int{vs, d.i}
		}
		d.ws()
		if d.i >= len(d.data) {
			return d.fail("")
		}
		switch d.data[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return d.fail("want ',' or '}'")
		}
	}
}

// typedKey returns the index in typedKeys of a key (its bytes between the
// quotes; quoted is the whole token, for keys spelled with escapes), or -1.
func typedKey(key, quoted []byte) int {
	if bytes.IndexByte(key, '\\') >= 0 {
		sub := fastDecoder{data: quoted, src: string(quoted)}
		s, err := sub.str()
		if err != nil {
			return -1
		}
		key = []byte(s)
	}
	for k, name := range typedKeys {
		if string(key) == name {
			return k
		}
	}
	return -1
}

// skip checks the value at d.i as value does, with the same errors, and
// builds nothing.
func (d *fastDecoder) skip(depth int) error {
	d.ws()
	if d.i >= len(d.data) {
		return d.fail("")
	}
	switch c := d.data[d.i]; {
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return fmt.Errorf("%w: nested too deep", ErrInvalidJSON)
		}
		return d.skipContainer(c, depth)
	case c == '"':
		return d.skipStr()
	case c == '-' || c >= '0' && c <= '9':
		return d.skipNumber()
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(d.data[d.i:], []byte(lit)) {
			d.i += len(lit)
			return nil
		}
	}
	return d.fail("want a value")
}

// skipContainer is object and array, building nothing.
func (d *fastDecoder) skipContainer(open byte, depth int) error {
	closer, sep := byte(']'), "want ',' or ']'"
	if open == '{' {
		closer, sep = '}', "want ',' or '}'"
	}
	d.i++
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == closer {
		d.i++
		return nil
	}
	for {
		if open == '{' {
			d.ws()
			if d.i >= len(d.data) || d.data[d.i] != '"' {
				return d.fail("want a key")
			}
			if err := d.skipStr(); err != nil {
				return err
			}
			d.ws()
			if d.i >= len(d.data) || d.data[d.i] != ':' {
				return d.fail("want ':'")
			}
			d.i++
		}
		if err := d.skip(depth + 1); err != nil {
			return err
		}
		d.ws()
		if d.i >= len(d.data) {
			return d.fail("")
		}
		switch d.data[d.i] {
		case ',':
			d.i++
		case closer:
			d.i++
			return nil
		default:
			return d.fail(sep)
		}
	}
}

// skipStr is str, building nothing (but for strings with escapes, which
// escapedStr checks as it decodes them). Bytes that are not UTF-8 are never
// an error, only replaced, so they need no look here.
func (d *fastDecoder) skipStr() error {
	start := d.i + 1
	for j := start; j < len(d.data); j++ {
		switch c := d.data[j]; {
		case c == '"':
			d.i = j + 1
			return nil
		case c == '\\':
			_, err := d.escapedStr(start)
			return err
		case c < 0x20:
			d.i = j
			return d.fail("control character in string")
		}
	}
	d.i = len(d.data)
	return d.fail("")
}
