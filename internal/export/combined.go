package export

import (
	"bytes"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// Combined is one event pattern forwarding every record the interests name:
// per event source all its records, or only the named events (and name
// prefixes). Sources wanting the same events share a branch of the $or.
// An interest's byte needles (Contains) are left out: the pattern keeps
// more, never less. An interest without a source forwards every CloudTrail
// record.
func Combined(in []cloudtrail.Interest) []byte {
	type want struct {
		whole           bool
		names, prefixes []string
	}
	wants := map[string]*want{}
	var order []string
	everything := len(in) == 0
	for _, it := range in {
		if it.Source == "" {
			everything = true
			break
		}
		w := wants[it.Source]
		if w == nil {
			w = &want{}
			wants[it.Source] = w
			order = append(order, it.Source)
		}
		if len(it.Names) == 0 && len(it.NamePrefixes) == 0 {
			w.whole = true
		}
		w.names = appendNew(w.names, it.Names...)
		w.prefixes = appendNew(w.prefixes, it.NamePrefixes...)
	}
	p := map[string]any{"detail-type": DetailTypes}
	if !everything {
		type branch struct {
			sources []string
			w       *want
		}
		var branches []*branch
		bySig := map[string]*branch{}
		for _, src := range order {
			w := wants[src]
			sig := "*"
			if !w.whole {
				sig = strings.Join(w.names, ",") + "|" + strings.Join(w.prefixes, ",")
			}
			b := bySig[sig]
			if b == nil {
				b = &branch{w: w}
				bySig[sig] = b
				branches = append(branches, b)
			}
			b.sources = append(b.sources, src)
		}
		var ors []any
		for _, b := range branches {
			m := map[string]any{}
			var svc, other []string
			for _, s := range b.sources {
				if name, ok := strings.CutSuffix(strings.ToLower(s), ".amazonaws.com"); ok && name != "" {
					svc = append(svc, "aws."+name)
				} else {
					other = append(other, s)
				}
			}
			detail := map[string]any{}
			switch {
			case len(other) == 0:
				m["source"] = svc
			default: // not an AWS service name: test the record's eventSource
				detail["eventSource"] = append(svc[:0:0], b.sources...)
			}
			if !b.w.whole {
				var names []any
				for _, n := range b.w.names {
					names = append(names, n)
				}
				for _, pre := range b.w.prefixes {
					names = append(names, map[string]any{"prefix": pre})
				}
				detail["eventName"] = names
			}
			if len(detail) > 0 {
				m["detail"] = detail
			}
			ors = append(ors, m)
		}
		if len(ors) == 1 {
			for k, v := range ors[0].(map[string]any) {
				p[k] = v
			}
		} else {
			p["$or"] = ors
		}
	}
	var buf bytes.Buffer
	_ = encodeJSON(&buf, p, "  ") // strings, lists and maps of them always encode
	return buf.Bytes()
}

func appendNew(dst []string, xs ...string) []string {
	for _, x := range xs {
		if !slices.Contains(dst, x) {
			dst = append(dst, x)
		}
	}
	return dst
}
