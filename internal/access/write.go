package access

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/portcullis-sec/portcullis/internal/table"
)

// flushAt is how much of a line buffer the writers fill before writing.
const flushAt = 32 << 10

// WriteTable writes a human-readable table, aligned as text/tabwriter
// aligns it (minimum width 0, padding 2, spaces). The column widths are
// measured first and the lines written straight out: text/tabwriter holds
// every cell of a million-line table in memory, and took tens of seconds.
func WriteTable(w io.Writer, r *Result) error {
	t := measureTable(r)
	if t.odd || fitted(w) {
		return writeTableWriter(w, r)
	}
	var head []byte
	for c, h := range tableHeader[:4] {
		head = pad(append(head, h...), t.width[c]-utf8.RuneCountInString(h))
	}
	head = append(append(head, tableHeader[4]...), '\n')
	return writeLines(w, r, head, nil, newParts(r.g, t.encoders()), nil, "write access table")
}

var tableHeader = [5]string{"USER", "ACCOUNT", "PERMISSION SET", "LEVEL", "VIA"}

// tableCells is the cells of each user, account, permission set and group of a
// graph, their widths, and the column widths of one result.
type tableCells struct {
	user, account, ps, level, via []string
	uw, aw, pw, lw                []int  // widths in runes (tabwriter's measure)
	width                         [4]int // each column but the last, padded
	// odd is set when a cell holds a byte text/tabwriter gives a meaning (a
	// tab, a line break, its escape): such a table goes through it.
	odd bool
}

func measureTable(r *Result) *tableCells {
	g := r.g
	t := &tableCells{
		user:    make([]string, len(g.users)),
		account: make([]string, len(g.accounts)),
		ps:      make([]string, len(g.sets)),
		level:   make([]string, len(g.sets)),
		via:     make([]string, len(g.groups)),
	}
	for i, u := range g.users {
		t.user[i] = cmp.Or(u.UserName, u.ID)
	}
	for i, a := range g.accounts {
		t.account[i] = accountCell(a.ID, a.Name)
	}
	for i := range g.sets {
		t.ps[i] = cmp.Or(g.sets[i].Name, g.sets[i].ARN)
		t.level[i] = g.sets[i].Analysis.Level.String()
	}
	for i, grp := range g.groups {
		t.via[i] = "group " + cmp.Or(grp.DisplayName, grp.ID)
	}
	t.uw, t.aw, t.pw, t.lw = runes(t.user), runes(t.account), runes(t.ps), runes(t.level)
	uo, ao, po, lo, vo := odd(t.user), odd(t.account), odd(t.ps), odd(t.level), odd(t.via)
	for c, h := range tableHeader[:4] {
		t.width[c] = utf8.RuneCountInString(h) // the header is a line too
	}
	for i := range r.Len() { // measure only what the result shows
		x := r.grant(i)
		t.width[0] = max(t.width[0], t.uw[x.user])
		t.width[1] = max(t.width[1], t.aw[x.account])
		t.width[2] = max(t.width[2], t.pw[x.ps])
		t.width[3] = max(t.width[3], t.lw[x.ps])
		t.odd = t.odd || uo[x.user] || ao[x.account] || po[x.ps] || lo[x.ps] || x.group >= 0 && vo[x.group]
	}
	for c := range t.width {
		t.width[c] += 2 // tabwriter's padding
	}
	return t
}

// encoders make each cell padded to its column, the path ending the line.
func (t *tableCells) encoders() encoders {
	return encoders{
		user:    func(i int32) []byte { return pad([]byte(t.user[i]), t.width[0]-t.uw[i]) },
		account: func(i int32) []byte { return pad([]byte(t.account[i]), t.width[1]-t.aw[i]) },
		ps: func(i int32) []byte {
			b := pad([]byte(t.ps[i]), t.width[2]-t.pw[i])
			return pad(append(b, t.level[i]...), t.width[3]-t.lw[i])
		},
		group:  func(i int32) []byte { return append([]byte(t.via[i]), '\n') },
		direct: []byte(ViaDirect + "\n"),
	}
}

func pad(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

func runes(s []string) []int {
	out := make([]int, len(s))
	for i, c := range s {
		out[i] = utf8.RuneCountInString(c)
	}
	return out
}

func odd(s []string) []bool {
	out := make([]bool, len(s))
	for i, c := range s {
		out[i] = strings.ContainsAny(c, "\t\n")
	}
	return out
}

// fitted reports whether w is a terminal the table is fitted to or
// coloured for (internal/table does that).
func fitted(w io.Writer) bool {
	tt, ok := w.(table.Terminal)
	return ok && (tt.Width() > 0 || tt.Color())
}

// writeTableWriter writes the table through internal/table, for a
// terminal or for cells that carry a tab or a line break.
func writeTableWriter(w io.Writer, r *Result) error {
	tw := table.New(w)
	fmt.Fprintln(tw, strings.Join(tableHeader[:], "\t"))
	for i := range r.Len() {
		a := r.At(i)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cmp.Or(a.UserName, a.UserID), accountCell(a.AccountID, a.AccountName),
			cmp.Or(a.PermissionSetName, a.PermissionSetARN), a.Level, via(a))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write access table: %w", err)
	}
	return nil
}

func accountCell(id, name string) string {
	if name == "" {
		return id
	}
	return id + " (" + name + ")"
}

func via(a Access) string {
	if a.Via == ViaDirect {
		return ViaDirect
	}
	return "group " + cmp.Or(a.GroupName, a.GroupID)
}

// csvHeader is the auditor's access-review layout.
var csvHeader = []string{"user_id", "user_name", "account_id", "account_name", "permission_set", "permission_set_arn", "level", "via", "group_id", "group_name"}

// WriteCSV writes one row per grant for access reviews, quoted as
// encoding/csv quotes.
func WriteCSV(w io.Writer, r *Result) error {
	buf := append(csvCells()(csvHeader...), '\n')
	return writeLines(w, r, buf, nil, newParts(r.g, csvEncoders(r.g)), nil, "write access csv")
}

// WriteJSON writes {"schema", "count", "access": [Access…]}, one grant per
// line inside the array so that line tools can still cope. It is encoded
// by hand: a large organization has millions of grants, and reflection
// would dominate the run time.
func WriteJSON(w io.Writer, r *Result) error {
	head := append([]byte(`{"schema":"`+Schema+`","count":`), strconv.Itoa(r.Len())...)
	head = append(head, `,"access":[`...)
	return writeLines(w, r, head, []byte("\n{"), newParts(r.g, jsonEncoders(r.g)), []byte("\n]}\n"), "write access json")
}

// writeLines writes head, a line per grant (begin, then its parts; lines
// after the first are separated by a comma when begin is JSON's), and tail.
func writeLines(w io.Writer, r *Result, head, begin []byte, p *parts, tail []byte, what string) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	buf := append(make([]byte, 0, flushAt+1024), head...)
	for i := range r.Len() {
		if begin != nil {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, begin...)
		}
		buf = p.line(buf, r.grant(i))
		if len(buf) > flushAt {
			if _, err := bw.Write(buf); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, tail...)
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// appendField writes "key":"value", (omitting empty optional values).
func appendField(buf []byte, key, val string, always bool) []byte {
	if val == "" && !always {
		return buf
	}
	buf = append(buf, '"')
	buf = append(buf, key...)
	buf = append(buf, `":`...)
	buf = appendString(buf, val)
	return append(buf, ',')
}

// appendString appends a JSON string. Plain ASCII, the common case for ids
// and names, is copied as is; anything else goes through encoding/json.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false) // < > & stay readable
			_ = enc.Encode(s)        // a string always encodes
			return append(buf, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
