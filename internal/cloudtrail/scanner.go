package cloudtrail

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
)

// The scanner below finds where JSON values end without parsing them. It
// tracks only string state and bracket depth: inside a string it jumps to the
// next quote with bytes.IndexByte and counts the backslashes before it, which
// is what makes splitting much cheaper than decompression. Nested values are
// not validated beyond bracket matching; records that pass the prefilter are
// fully parsed by Decode later.

// Sentinel causes carried by SplitError.
var (
	// ErrTruncated: the data ends inside a value.
	ErrTruncated = errors.New("truncated")
	// ErrSyntax: bytes that cannot be JSON here (garbage, mismatched brackets).
	ErrSyntax = errors.New("invalid JSON")
	// ErrNotObject: a record position holds a value that is not an object.
	ErrNotObject = errors.New("record is not an object")
	// ErrNotCloudTrail: a JSON object in none of the known forms (no
	// Records, eventSource, Events or events array), or an element of a CLI
	// form that carries no record.
	ErrNotCloudTrail = errors.New("not a CloudTrail record")
)

// Byte classes the structural loop stops at outside strings.
const (
	clsNone  uint8 = iota // may appear between strings: , : digits true false null whitespace
	clsQuote              // "
	clsOpen               // { [
	clsClose              // } ]
	clsBad                // can never appear outside a string: garbage
)

// classOf is read-only after initialisation. Marking the bytes that cannot
// appear between strings costs nothing in the loop and catches most garbage
// inside records the prefilter never hands to the full parser.
var classOf = func() (t [256]uint8) {
	for i := range t {
		t[i] = clsBad
	}
	for _, c := range []byte(" \t\r\n,:0123456789+-.eEtrufalsn") {
		t[c] = clsNone
	}
	t['"'] = clsQuote
	t['{'], t['['] = clsOpen, clsOpen
	t['}'], t[']'] = clsClose, clsClose
	return t
}()

// stringEnd returns the index just after the string that starts with the
// quote at data[i], or -1 when the data ends first.
func stringEnd(data []byte, i int) int {
	j := i + 1
	for {
		k := quoteIndex(data, j)
		if k < 0 {
			return -1
		}
		j = k
		if data[j-1] != '\\' {
			return j + 1
		}
		// An even run of backslashes escapes itself, not the quote.
		b := j - 1
		for b > i && data[b] == '\\' {
			b--
		}
		if (j-1-b)&1 == 0 {
			return j + 1
		}
		j++
	}
}

// SWAR constants: a byte-wise "has zero byte" test on 8 bytes at a time.
const (
	ones   = 0x0101010101010101
	highs  = 0x8080808080808080
	quotes = 0x2222222222222222
)

// quoteIndex returns the index of the first '"' at or after j, or -1. Most
// JSON strings are short, where a word-at-a-time test beats the call into
// bytes.IndexByte; long ones (tokens, policies) go to IndexByte.
func quoteIndex(data []byte, j int) int {
	for w := 0; w < 4 && j+8 <= len(data); w++ {
		x := binary.LittleEndian.Uint64(data[j:]) ^ quotes
		if m := (x - ones) &^ x & highs; m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
		j += 8
	}
	k := bytes.IndexByte(data[j:], '"')
	if k < 0 {
		return -1
	}
	return j + k
}

// scanErr is a cheap error code for the hot loop; the caller turns it into
// a SplitError with position and context.
type scanErr uint8

const (
	scanOK scanErr = iota
	scanTruncated
	scanMismatch
	scanBadValue
)

// containerEnd returns the index just after the object or array that starts
// at data[i] ('{' or '['). Bracket kinds are checked up to 64 levels deep;
// deeper levels are only counted. On error the index says where.
// When top is not nil, the container is a record: the values of its
// top-level "eventSource" and "eventName" keys are noted in top.
func containerEnd(data []byte, i int, top *topKeys) (int, scanErr) {
	var kinds uint64 // bit set: that level is an object
	depth := 0
	n := len(data)
	n8 := n - 8
	for i < n {
		c := data[i]
		switch classOf[c] {
		case clsNone:
			i++
		case clsQuote:
			// The closing quote, inlined: this is the hottest loop of a
			// scan. Short strings are tested 8 bytes at a time, long ones
			// handed to IndexByte. Strings separated by just ':' or ','
			// (most of CloudTrail) are taken one after the other here.
			for {
				open := i
				j := i + 1
				for w := 0; ; w++ {
					if w < 4 && j <= n8 {
						x := binary.LittleEndian.Uint64(data[j:]) ^ quotes
						m := (x - ones) &^ x & highs
						if m == 0 {
							j += 8
							continue
						}
						j += bits.TrailingZeros64(m) >> 3
					} else {
						k := bytes.IndexByte(data[j:], '"')
						if k < 0 {
							return n, scanTruncated
						}
						j += k
					}
					if data[j-1] != '\\' || !escaped(data, open, j) {
						break
					}
					j++
				}
				i = j + 1
				if depth == 1 && top != nil {
					if kl := uint(j - open - 1); kl < 128 && keyLengths[kl>>6]>>(kl&63)&1 == 1 {
						top.key(data, open, i)
					}
				}
				if i+1 < n && data[i+1] == '"' && (data[i] == ':' || data[i] == ',') {
					i++
					continue
				}
				break
			}
		case clsOpen:
			if depth < 64 {
				kinds <<= 1
				if c == '{' {
					kinds |= 1
				}
			}
			depth++
			i++
		case clsBad:
			return i, scanBadValue
		default: // clsClose
			depth--
			if depth < 0 {
				return i, scanMismatch
			}
			if depth < 64 {
				if (kinds&1 == 1) != (c == '}') {
					return i, scanMismatch
				}
				kinds >>= 1
			}
			i++
			if depth == 0 {
				return i, scanOK
			}
		}
	}
	return n, scanTruncated
}

// escaped reports whether the quote at data[j] is escaped: preceded by an
// odd run of backslashes inside the string that opened at data[open].
func escaped(data []byte, open, j int) bool {
	b := j - 1
	for b > open && data[b] == '\\' {
		b--
	}
	return (j-1-b)&1 == 1
}

// valueEnd returns the index just after the JSON value starting at data[i]
// (which is not whitespace).
func valueEnd(data []byte, i int) (int, scanErr) {
	if i >= len(data) {
		return i, scanTruncated
	}
	switch data[i] {
	case '{', '[':
		return containerEnd(data, i, nil)
	case '"':
		e := stringEnd(data, i)
		if e < 0 {
			return len(data), scanTruncated
		}
		return e, scanOK
	case '}', ']', ',', ':':
		return i, scanBadValue
	}
	return scalarEnd(data, i)
}

// scalarEnd reads a number or literal (true, false, null) and checks it
// loosely: enough to tell a stray value from garbage.
func scalarEnd(data []byte, i int) (int, scanErr) {
	j := i
	for j < len(data) && !isDelim(data[j]) {
		j++
	}
	tok := data[i:j]
	switch {
	case len(tok) == 0:
		return i, scanBadValue
	case string(tok) == "true", string(tok) == "false", string(tok) == "null":
		return j, scanOK
	case isNumber(tok):
		return j, scanOK
	case j == len(data) && isLiteralPrefix(tok):
		return j, scanTruncated
	}
	return i, scanBadValue
}

func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ':', ' ', '\t', '\n', '\r', '"', '{', '[':
		return true
	}
	return false
}

func isLiteralPrefix(tok []byte) bool {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(tok) < len(lit) && lit[:len(tok)] == string(tok) {
			return true
		}
	}
	return false
}

// isNumber accepts JSON number syntax.
func isNumber(tok []byte) bool {
	i := 0
	if i < len(tok) && tok[i] == '-' {
		i++
	}
	start := i
	for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
		i++
	}
	if i == start || (tok[start] == '0' && i-start > 1) {
		return false
	}
	if i < len(tok) && tok[i] == '.' {
		i++
		d := i
		for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(tok) && (tok[i] == 'e' || tok[i] == 'E') {
		i++
		if i < len(tok) && (tok[i] == '+' || tok[i] == '-') {
			i++
		}
		d := i
		for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(tok)
}

// skipWS returns the index of the first non-whitespace byte at or after i.
func skipWS(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// topKeys notes where the values of a record's top-level "eventSource" and
// "eventName" keys start (the last literal occurrence wins, as in Decode),
// so the prefilter need not search the record again, and whether a
// top-level key might spell one of them with \u escapes.
type topKeys struct {
	src, name int  // absolute offsets of the values, -1 if not seen
	escaped   bool // a key may be eventSource or eventName in escapes
}

func newTopKeys() topKeys { return topKeys{src: -1, name: -1} }

// keyLengths has bit n set when a raw key of n bytes may be eventName or
// eventSource, literally or with some letters written as \u00XX (5 bytes
// more per letter). Read-only after initialisation.
var keyLengths = func() (m [2]uint64) {
	for _, k := range []string{"eventName", "eventSource"} {
		for n := len(k); n <= 6*len(k); n += 5 {
			m[n>>6] |= 1 << (n & 63)
		}
	}
	return m
}()

// key looks at the string data[open:end] (end just past its closing quote)
// and, if it is a key named eventSource or eventName, notes its value.
func (t *topKeys) key(data []byte, open, end int) {
	k := skipWS(data, end)
	if k >= len(data) || data[k] != ':' {
		return
	}
	raw := data[open+1 : end-1]
	switch string(raw) {
	case "eventSource":
		t.src = skipWS(data, k+1)
	case "eventName":
		t.name = skipWS(data, k+1)
	default:
		t.escaped = t.escaped || bytes.IndexByte(raw, '\\') >= 0
	}
}
