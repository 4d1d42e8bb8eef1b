package access

import (
	"bytes"
	"encoding/csv"
)

// A grant is a user, an account, a permission set and a path, and a large
// organization's million grants name a few thousand of each. The writers
// encode each one's share of a line once, when first met, and write a grant
// as copies of its parts: encoding every field of every grant was most of
// the time `portcullis access` spent writing.

// parts holds the encoded share of a line of each user, account,
// permission set and group (path) of one graph, for one output format.
// A nil entry is not encoded yet: encoders return non-nil slices.
type parts struct {
	user, account, ps, via [][]byte
	direct                 []byte
	enc                    encoders
}

// encoders make the parts of one format; the graph's tables are indexed by
// what they are given.
type encoders struct {
	user, account, ps, group func(i int32) []byte
	direct                   []byte
}

func newParts(g *Graph, enc encoders) *parts {
	return &parts{
		user:    make([][]byte, len(g.users)),
		account: make([][]byte, len(g.accounts)),
		ps:      make([][]byte, len(g.sets)),
		via:     make([][]byte, len(g.groups)),
		direct:  enc.direct,
		enc:     enc,
	}
}

// line appends the parts of grant x.
func (p *parts) line(buf []byte, x grant) []byte {
	buf = append(buf, part(p.user, x.user, p.enc.user)...)
	buf = append(buf, part(p.account, x.account, p.enc.account)...)
	buf = append(buf, part(p.ps, x.ps, p.enc.ps)...)
	if x.group < 0 {
		return append(buf, p.direct...)
	}
	return append(buf, part(p.via, x.group, p.enc.group)...)
}

func part(cache [][]byte, i int32, enc func(int32) []byte) []byte {
	if cache[i] == nil {
		cache[i] = enc(i)
	}
	return cache[i]
}

// jsonEncoders: each part is its fields, each followed by a comma; the
// path's part ends the object instead.
func jsonEncoders(g *Graph) encoders {
	return encoders{
		user: func(i int32) []byte {
			u := g.users[i]
			return appendField(appendField([]byte{}, "user_id", u.ID, true), "user_name", u.UserName, false)
		},
		account: func(i int32) []byte {
			a := g.accounts[i]
			return appendField(appendField([]byte{}, "account_id", a.ID, true), "account_name", a.Name, false)
		},
		ps: func(i int32) []byte {
			ps := &g.sets[i]
			b := appendField(appendField([]byte{}, "permission_set_arn", ps.ARN, true), "permission_set_name", ps.Name, false)
			return appendField(b, "level", ps.Analysis.Level.String(), true)
		},
		group: func(i int32) []byte {
			grp := g.groups[i]
			b := appendField([]byte{}, "via", ViaGroup, true)
			b = appendField(appendField(b, "group_id", grp.ID, false), "group_name", grp.DisplayName, false)
			b[len(b)-1] = '}' // replaces the last field's comma
			return b
		},
		direct: []byte(`"via":"` + ViaDirect + `"}`),
	}
}

// csvEncoders: each part is its cells as encoding/csv quotes them, followed
// by the separator (a comma, or the end of the row for the path).
func csvEncoders(g *Graph) encoders {
	cells := csvCells()
	return encoders{
		user: func(i int32) []byte {
			u := g.users[i]
			return append(cells(u.ID, u.UserName), ',')
		},
		account: func(i int32) []byte {
			a := g.accounts[i]
			return append(cells(a.ID, a.Name), ',')
		},
		ps: func(i int32) []byte {
			ps := &g.sets[i]
			return append(cells(ps.Name, ps.ARN, ps.Analysis.Level.String()), ',')
		},
		group: func(i int32) []byte {
			grp := g.groups[i]
			return append(cells(ViaGroup, grp.ID, grp.DisplayName), '\n')
		},
		direct: append(cells(ViaDirect, "", ""), '\n'),
	}
}

// csvCells returns a function that encodes cells as encoding/csv writes
// them in a row, without the row's end. One writer serves every call: each
// would otherwise allocate its own buffer.
func csvCells() func(cells ...string) []byte {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	return func(cells ...string) []byte {
		b.Reset()
		_ = cw.Write(cells) // a bytes.Buffer does not fail
		cw.Flush()
		return bytes.Clone(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
	}
}
