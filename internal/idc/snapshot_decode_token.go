package idc

import (
	"encoding/json"
	"hash/maphash"
	"time"
	"unicode/utf8"
)

// The tokens of a snapshot: whitespace, punctuation, keys, strings,
// booleans and times. Each one sets d.bad and returns a zero value when
// the input is not what it expects.

// ws skips JSON whitespace.
func (d *decoder) ws() {
	for {
		for d.i < len(d.b) {
			switch d.b[d.i] {
			case ' ', '\t', '\n', '\r':
				d.i++
			default:
				return
			}
		}
		if !d.refill() {
			return
		}
	}
}

// peek is the next byte after whitespace, 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.bad || d.i >= len(d.b) {
		d.fail()
		return 0
	}
	return d.b[d.i]
}

// null consumes a null literal if one comes next. encoding/json leaves the
// target as it is for null, which for a fresh field is its zero value; in
// a map or an array the entry is still made, with the zero value.
func (d *decoder) null() bool {
	if d.peek() != 'n' {
		return false
	}
	if !d.ensure(4) || string(d.b[d.i:d.i+4]) != "null" {
		d.fail()
		return true
	}
	d.i += 4
	return true
}

// more is called before each member of an object or element of an array
// (the opening bracket consumed): it consumes the separating comma, or the
// closing bracket and reports false.
func (d *decoder) more(closing byte, n int) bool {
	c := d.peek()
	switch {
	case d.bad:
		return false
	case c == closing:
		d.i++
		return false
	case n == 0:
		return true
	case c != ',':
		d.fail()
		return false
	}
	d.i++
	return true
}

// open consumes the opening bracket of an object or array.
func (d *decoder) open(c byte) bool {
	if d.peek() != c {
		d.fail()
		return false
	}
	d.i++
	return true
}

// colon consumes the colon after a key.
func (d *decoder) colon() {
	if d.peek() != ':' {
		d.fail()
		return
	}
	d.i++
}

// key reads an object key of a struct: plain ASCII only, anything else
// gives up (no field of the model is named otherwise). The bytes are the
// window's, valid until the next read.
func (d *decoder) key() []byte {
	if d.peek() != '"' {
		d.fail()
		return nil
	}
	for j := d.i + 1; ; j++ {
		if j >= len(d.b) {
			k := j - d.i
			if !d.refill() {
				d.fail()
				return nil
			}
			j = d.i + k
		}
		switch c := d.b[j]; {
		case c == '"':
			key := d.b[d.i+1 : j]
			d.i = j + 1
			return key
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			d.fail()
			return nil
		}
	}
}

// rawString returns a string token, quotes included, and whether it is
// plain (no escapes, valid UTF-8: its bytes are its value). The bytes are
// the window's, valid until the next read.
func (d *decoder) rawString() (raw []byte, plain bool) {
	if d.peek() != '"' {
		d.fail()
		return nil, false
	}
	ascii, plain := true, true
	for j := d.i + 1; ; {
		for j < len(d.b) && !strSpecial[d.b[j]] {
			j++
		}
		if j >= len(d.b) {
			k := j - d.i
			if !d.refill() {
				d.fail()
				return nil, false
			}
			j = d.i + k
			continue
		}
		switch c := d.b[j]; {
		case c == '"':
			raw = d.b[d.i : j+1]
			d.i = j + 1
			if !ascii && plain {
				plain = utf8.Valid(raw)
			}
			return raw, plain
		case c == '\\':
			plain = false
			j += 2 // the escaped byte cannot end the string
		case c < 0x20:
			d.fail() // a syntax error: encoding/json words it
			return nil, false
		default:
			ascii = false
			j++
		}
	}
}

// strSpecial marks the bytes that end the plain run of a string.
var strSpecial = func() (t [256]bool) {
	for c := range t {
		t[c] = c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf
	}
	return t
}()

// str decodes a string value (null leaves ""). Escapes and invalid UTF-8
// are rare in a snapshot and go through encoding/json's own unquoting, so
// their meaning is exactly encoding/json's.
func (d *decoder) str() string {
	if d.null() || d.bad {
		return ""
	}
	return d.text()
}

// text decodes a string token (a map key: null is not one).
func (d *decoder) text() string {
	raw, plain := d.rawString()
	if d.bad {
		return ""
	}
	if !plain {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			d.fail()
		}
		return d.intern(s)
	}
	body := raw[1 : len(raw)-1]
	h := maphash.Bytes(d.seed, body) & (internSlots - 1)
	if s := d.strs[h]; s == string(body) {
		return s
	}
	s := string(body)
	d.strs[h] = s
	return s
}

func (d *decoder) intern(s string) string {
	h := maphash.String(d.seed, s) & (internSlots - 1)
	if t := d.strs[h]; t == s {
		return t
	}
	d.strs[h] = s
	return s
}

// boolean decodes true or false (null leaves false).
func (d *decoder) boolean() bool {
	if d.null() || d.bad {
		return false
	}
	for _, lit := range [...]string{"true", "false"} {
		if d.ensure(len(lit)) && string(d.b[d.i:d.i+len(lit)]) == lit {
			d.i += len(lit)
			return lit == "true"
		}
	}
	d.fail()
	return false
}

// timestamp decodes a time the way encoding/json does: through
// time.Time's own UnmarshalJSON (null leaves the zero time).
func (d *decoder) timestamp() time.Time {
	var t time.Time
	if d.null() || d.bad {
		return t
	}
	raw, _ := d.rawString()
	if d.bad {
		return t
	}
	if err := t.UnmarshalJSON(raw); err != nil {
		d.fail()
	}
	return t
}

// strings decodes an array of strings: null is a nil slice, [] an empty
// one (encoding/json tells them apart, and so does a model compare).
func (d *decoder) strings() []string {
	if d.null() || !d.open('[') {
		return nil
	}
	out := []string{}
	for n := 0; d.more(']', n); n++ {
		out = append(out, d.str())
	}
	return out
}
