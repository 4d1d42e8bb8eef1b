package simulate

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// Append-style builders for the hot loop: no encoding/json, no fmt, no
// allocations beyond the growing output buffer.

const (
	hexDigits   = "0123456789abcdef"
	alnumChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upperAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	redacted    = "HIDDEN_DUE_TO_SECURITY_REASONS"
	monthAbbrev = "JanFebMarAprMayJunJulAugSepOctNovDec"
)

// appendHex appends n random lowercase hex digits.
func appendHex(b []byte, r *rand.Rand, n int) []byte {
	for n > 0 {
		v := r.Uint64()
		for i := 0; i < 16 && n > 0; i++ {
			b = append(b, hexDigits[v&15])
			v >>= 4
			n--
		}
	}
	return b
}

// appendUUID appends a random RFC 4122 version 4 UUID.
func appendUUID(b []byte, r *rand.Rand) []byte {
	hi, lo := r.Uint64(), r.Uint64()
	hi = hi&^(0xf<<12) | 4<<12   // version 4
	lo = lo&^(0x3<<62) | 0x2<<62 // RFC 4122 variant
	var raw [16]byte
	for i := 0; i < 8; i++ {
		raw[i] = byte(hi >> (56 - 8*i))
		raw[8+i] = byte(lo >> (56 - 8*i))
	}
	for i, c := range raw {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&15])
	}
	return b
}

func newUUID(r *rand.Rand) string { return string(appendUUID(make([]byte, 0, 36), r)) }

// appendFrom appends n characters drawn uniformly from set (len(set) <= 64).
func appendFrom(b []byte, r *rand.Rand, set string, n int) []byte {
	for n > 0 {
		v := r.Uint64()
		for i := 0; i < 10 && n > 0; i++ {
			b = append(b, set[int(v&63)%len(set)])
			v >>= 6
			n--
		}
	}
	return b
}

func randFrom(r *rand.Rand, set string, n int) string {
	return string(appendFrom(make([]byte, 0, n), r, set, n))
}

func appendDigits2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

// appendTime appends ts as CloudTrail's eventTime: 2026-11-01T10:11:12Z.
func appendTime(b []byte, ts int64) []byte {
	t := time.Unix(ts, 0).UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = strconv.AppendInt(b, int64(y), 10)
	b = append(b, '-')
	b = appendDigits2(b, int(mo))
	b = append(b, '-')
	b = appendDigits2(b, d)
	b = append(b, 'T')
	b = appendDigits2(b, h)
	b = append(b, ':')
	b = appendDigits2(b, mi)
	b = append(b, ':')
	b = appendDigits2(b, s)
	return append(b, 'Z')
}

// appendDatePath appends the UTC date of ts as YYYY<sep>MM<sep>DD.
func appendDatePath(b []byte, ts int64, sep byte) []byte {
	y, mo, d := time.Unix(ts, 0).UTC().Date()
	b = strconv.AppendInt(b, int64(y), 10)
	b = append(b, sep)
	b = appendDigits2(b, int(mo))
	b = append(b, sep)
	return appendDigits2(b, d)
}

// appendConsoleDate appends the Java-style dates CloudTrail puts inside
// responseElements: "Nov 1, 2026 10:11:12 AM" (older services) or, with
// comma, "Nov 1, 2026, 10:11:12 AM" (newer ones, e.g. STS since 2024).
func appendConsoleDate(b []byte, ts int64, comma bool) []byte {
	t := time.Unix(ts, 0).UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	b = append(b, monthAbbrev[3*(mo-1):3*mo]...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(d), 10)
	b = append(b, ", "...)
	b = strconv.AppendInt(b, int64(y), 10)
	if comma {
		b = append(b, ',')
	}
	b = append(b, ' ')
	ampm := " AM"
	if h >= 12 {
		ampm = " PM"
	}
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	b = strconv.AppendInt(b, int64(h12), 10)
	b = append(b, ':')
	b = appendDigits2(b, mi)
	b = append(b, ':')
	b = appendDigits2(b, s)
	return append(b, ampm...)
}

// appendStr appends s as a JSON string, escaping only what JSON requires.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendKV appends ,"key":"value" (value escaped).
func appendKV(b []byte, key, val string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendStr(b, val)
}

// appendKey appends "key": (with a leading comma unless first).
func appendKey(b []byte, key string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}
