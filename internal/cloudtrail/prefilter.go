package cloudtrail

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// Interest describes records some rule may want. Source and Names compare
// case-insensitively, as Sigma compares values without |cased (a rule may
// spell createaccountassignment).
type Interest struct {
	Source string   // eventSource; "" matches every record
	Names  []string // eventName values; empty (with no NamePrefixes) means any
	// NamePrefixes are eventName prefixes, case-sensitive ("Create", "Put");
	// a name matching either Names or a prefix is wanted.
	NamePrefixes []string
	Contains     []string // byte strings that must all appear in the raw record (e.g. "AWSReservedSSO")
}

// Prefilter answers "may a rule want this record?" from the raw bytes, so
// the bulk of a trail is never decoded. It may say yes wrongly (Decode and
// MatchEvent settle it) but never no wrongly: a record whose decoded
// eventSource/eventName match an Interest, and whose raw bytes hold its
// Contains strings, always passes.
type Prefilter struct {
	all       bool
	bySource  map[string][]int // eventSource in lower case -> indexes into in
	in        []compiled
	escLetter [128]bool
}

type compiled struct {
	names    map[string]struct{} // in lower case; nil: any name (unless prefixes)
	prefixes []string
	contains [][]byte
}

// NewPrefilter compiles interests. No interests, or one with Source "",
// gives a prefilter that lets everything through.
func NewPrefilter(in []Interest) *Prefilter {
	p := &Prefilter{bySource: make(map[string][]int)}
	if len(in) == 0 {
		p.all = true
	}
	for _, it := range in {
		if it.Source == "" {
			p.all = true
		}
		var c compiled
		if len(it.Names) > 0 || len(it.NamePrefixes) > 0 {
			c.prefixes = it.NamePrefixes
			c.names = make(map[string]struct{}, len(it.Names))
			for _, n := range it.Names {
				c.names[strings.ToLower(n)] = struct{}{}
			}
		}
		for _, s := range it.Contains {
			c.contains = append(c.contains, []byte(s))
		}
		src := strings.ToLower(it.Source)
		p.bySource[src] = append(p.bySource[src], len(p.in))
		p.in = append(p.in, c)
	}
	// A key spelled with \u escapes can only decode to eventSource or
	// eventName if one of their letters is escaped.
	for _, c := range "eventSourceNam" {
		p.escLetter[c] = true
	}
	return p
}

// The quoted keys Match looks for, found by their capital letter: it is
// rare in CloudTrail JSON (about one byte in 120), so bytes.IndexByte skips
// far between candidates, where searching for the leading quote would stop
// every ten bytes.
const (
	keySource = `"eventSource"`
	keyName   = `"eventName"`
	anchorAt  = len(`"event`) // index of S / N in both keys
)

// indexKey returns the index just after the next occurrence of key (one
// of the constants above) in rec[off:], or -1.
func indexKey(rec []byte, off int, key string) int {
	anchor := key[anchorAt]
	for i := off + anchorAt; i < len(rec); i++ {
		k := bytes.IndexByte(rec[i:], anchor)
		if k < 0 {
			return -1
		}
		i += k
		start := i - anchorAt
		if start >= off && start+len(key) <= len(rec) && string(rec[start:start+len(key)]) == key {
			return start + len(key)
		}
	}
	return -1
}

// Match reports whether a rule may want the record rec (one JSON object).
// It looks for the key "eventSource" followed by a wanted value, checking
// every occurrence: nested or duplicate keys can only add false positives,
// and the escaped copies inside strings (\"eventSource\") never match the
// quoted key. Records whose keys could be hidden behind \u escapes are
// decoded to be sure.
func (p *Prefilter) Match(rec []byte) bool {
	if p == nil || p.all {
		return true
	}
	for off := 0; ; {
		if off = indexKey(rec, off, keySource); off < 0 {
			break
		}
		v, ok := stringValue(rec, off)
		if !ok {
			continue
		}
		var buf [64]byte
		for _, id := range p.bySource[string(lower(v, &buf))] {
			if p.in[id].namesMatch(rec) && p.in[id].containsMatch(rec) {
				return true
			}
		}
	}
	// Every literal key was checked above; only escaped ones remain.
	return p.mayHideKey(rec) && p.matchDecoded(rec)
}

// MatchRecord is Match for a record from SplitRecords: the splitter already
// noted where its top-level eventSource and eventName values are, so only
// those are read. Same guarantee as Match.
func (p *Prefilter) MatchRecord(r *Record) bool {
	if p == nil || p.all {
		return true
	}
	if !r.watched {
		return p.Match(r.Raw)
	}
	if r.src >= 0 {
		if v, ok := stringValueAt(r.Raw, r.src); ok {
			var buf [64]byte
			for _, id := range p.bySource[string(lower(v, &buf))] {
				c := &p.in[id]
				if c.names != nil {
					n, ok := stringValueAt(r.Raw, r.name)
					if !ok {
						continue
					}
					if !c.wants(n) {
						continue
					}
				}
				if c.containsMatch(r.Raw) {
					return true
				}
			}
		}
	}
	// The literal keys said no; an escaped key may still say yes.
	return r.escapedKey && p.matchDecoded(r.Raw)
}

// MatchEvent is the exact check on a decoded event: it settles the false
// positives Match lets through.
func (p *Prefilter) MatchEvent(e *Event) bool {
	if p == nil || p.all {
		return true
	}
	var buf [64]byte
	for _, id := range p.bySource[string(lower([]byte(e.Source), &buf))] {
		c := &p.in[id]
		if c.nameOK(e.Name) && c.containsMatch(e.Raw) {
			return true
		}
	}
	return false
}

func (c *compiled) nameOK(name string) bool {
	return c.names == nil || c.wants([]byte(name))
}

// wants reports whether an eventName value is one of the names (in any
// case) or starts with one of the prefixes (exactly: they come from |cased
// rules).
func (c *compiled) wants(name []byte) bool {
	var buf [64]byte
	if _, ok := c.names[string(lower(name, &buf))]; ok {
		return true
	}
	for _, p := range c.prefixes {
		if bytes.HasPrefix(name, []byte(p)) {
			return true
		}
	}
	return false
}

// namesMatch looks for any literal "eventName" key with a wanted value.
func (c *compiled) namesMatch(rec []byte) bool {
	if c.names == nil {
		return true
	}
	for off := 0; ; {
		if off = indexKey(rec, off, keyName); off < 0 {
			return false
		}
		if v, ok := stringValue(rec, off); ok && c.wants(v) {
			return true
		}
	}
}

func (c *compiled) containsMatch(rec []byte) bool {
	for _, s := range c.contains {
		if !bytes.Contains(rec, s) {
			return false
		}
	}
	return true
}

// mayHideKey reports whether rec holds a \u escape of a letter of
// eventSource or eventName, the only way those keys can be spelled without
// the literal bytes Match looks for.
func (p *Prefilter) mayHideKey(rec []byte) bool {
	for off := 0; ; {
		k := bytes.IndexByte(rec[off:], '\\')
		if k < 0 {
			return false
		}
		off += k + 1
		if off+5 > len(rec) {
			return false
		}
		if rec[off] != 'u' || rec[off+1] != '0' || rec[off+2] != '0' {
			continue
		}
		off += 3
		h, l := unhex(rec[off]), unhex(rec[off+1])
		if h < 0 || l < 0 {
			continue
		}
		if c := h<<4 | l; c < 128 && p.escLetter[c] {
			return true
		}
	}
}

// matchDecoded decodes the top level and checks it exactly. Invalid JSON
// passes: Decode reports it.
func (p *Prefilter) matchDecoded(rec []byte) bool {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(rec, &m); err != nil {
		return true
	}
	var src, name string
	if json.Unmarshal(m["eventSource"], &src) != nil {
		return false
	}
	_ = json.Unmarshal(m["eventName"], &name)
	var buf [64]byte
	for _, id := range p.bySource[string(lower([]byte(src), &buf))] {
		c := &p.in[id]
		if c.nameOK(name) && c.containsMatch(rec) {
			return true
		}
	}
	return false
}

// stringValue reads `: "value"` at rec[i:] and returns the value, decoded
// when it carries escapes.
func stringValue(rec []byte, i int) ([]byte, bool) {
	i = skipWS(rec, i)
	if i >= len(rec) || rec[i] != ':' {
		return nil, false
	}
	return stringValueAt(rec, skipWS(rec, i+1))
}

// stringValueAt reads the string value starting at rec[i].
func stringValueAt(rec []byte, i int) ([]byte, bool) {
	if i < 0 || i >= len(rec) || rec[i] != '"' {
		return nil, false
	}
	e := stringEnd(rec, i)
	if e < 0 {
		return nil, false
	}
	v := rec[i+1 : e-1]
	if bytes.IndexByte(v, '\\') >= 0 {
		u, ok := unescape(v)
		if !ok {
			return nil, false
		}
		return []byte(u), true
	}
	return v, true
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// lower returns b in lower case the way strings.ToLower (and so Sigma's
// matching) does: b itself when it holds no upper-case letter, else a copy
// in buf when it fits. Values are short, and the common all-ASCII case
// allocates nothing.
func lower(b []byte, buf *[64]byte) []byte {
	upper := false
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return []byte(strings.ToLower(string(b)))
		}
		upper = upper || 'A' <= c && c <= 'Z'
	}
	if !upper {
		return b
	}
	out := buf[:0]
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return out
}
