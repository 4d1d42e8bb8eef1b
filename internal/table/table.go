// Package table lays out the tab-separated tables portcullis prints for
// people: columns aligned as text/tabwriter aligns them (two spaces apart,
// the last column not padded), and, when the output is a terminal, fitted
// to its width and with severities in colour. Renderers write rows as they
// would to a tabwriter; what the terminal allows comes with the writer
// (Terminal), so files and pipes get the plain, complete table.
package table

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// Terminal is implemented by writers that go to a terminal: Width is its
// width in columns (0: do not fit), Color whether ANSI colour is wanted.
type Terminal interface {
	Width() int
	Color() bool
}

// gap separates columns.
const gap = 2

// minWidth is the narrowest a column shrinks to (or its natural width).
const minWidth = 6

// Writer buffers rows until Flush. Each line is a row; cells are
// separated by tabs.
type Writer struct {
	out   io.Writer
	width int
	color bool
	buf   bytes.Buffer
}

// New returns a Writer on w, fitted and coloured when w is a Terminal.
func New(w io.Writer) *Writer { return NewFor(w, w) }

// NewFor writes to w with what term says about the terminal (renderers
// that wrap the writer they were given pass the original as term).
func NewFor(w, term io.Writer) *Writer {
	t := &Writer{out: w}
	if tt, ok := term.(Terminal); ok {
		t.width, t.color = tt.Width(), tt.Color()
	}
	return t
}

func (t *Writer) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush lays out and writes the buffered rows.
func (t *Writer) Flush() error {
	text := strings.TrimSuffix(t.buf.String(), "\n")
	t.buf.Reset()
	if text == "" {
		return nil
	}
	var rows [][]string
	for _, line := range strings.Split(text, "\n") {
		rows = append(rows, strings.Split(line, "\t"))
	}
	widths := natural(rows)
	if t.width > 0 {
		fit(widths, t.width)
	}
	sevCols := severityColumns(rows[0])
	var b strings.Builder
	for _, row := range rows {
		for i, cell := range row {
			last := i == len(row)-1
			cell = truncate(cell, widths[i])
			shown := cell
			if t.color && sevCols[i] {
				shown = paint(cell)
			}
			b.WriteString(shown)
			if !last {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)+gap))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(t.out, b.String())
	return err
}

// natural is each column's widest cell.
func natural(rows [][]string) []int {
	var w []int
	for _, row := range rows {
		for i, cell := range row {
			if i == len(w) {
				w = append(w, 0)
			}
			w[i] = max(w[i], utf8.RuneCountInString(cell))
		}
	}
	return w
}

// fit shrinks the widest column, one column at a time, until the table
// fits in width or every column is at its floor.
func fit(w []int, width int) {
	total := func() int {
		n := gap * (len(w) - 1)
		for _, x := range w {
			n += x
		}
		return n
	}
	floor := make([]int, len(w))
	for i, x := range w {
		floor[i] = min(x, minWidth)
	}
	for total() > width {
		widest := -1
		for i := range w {
			if w[i] > floor[i] && (widest < 0 || w[i] > w[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			return
		}
		// Down to the next widest column at once, or just enough.
		next := floor[widest]
		for i := range w {
			if i != widest && w[i] < w[widest] && w[i] > next {
				next = w[i]
			}
		}
		w[widest] = max(next, w[widest]-(total()-width))
	}
}

// truncate cuts s to n runes, ending in "…" when it was longer. It cuts
// at a rune boundary and never wraps.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

// severityColumns marks the columns headed SEVERITY or LEVEL.
func severityColumns(header []string) map[int]bool {
	out := map[int]bool{}
	for i, h := range header {
		if h == "SEVERITY" || h == "LEVEL" {
			out[i] = true
		}
	}
	return out
}

// colors are the ANSI styles of the severities.
var colors = map[string]string{
	"critical": "\x1b[1;31m", // bold red
	"high":     "\x1b[31m",
	"medium":   "\x1b[33m",
	"low":      "\x1b[36m",
	"info":     "\x1b[2m",
}

// paint colours a severity cell; other words stay plain.
func paint(cell string) string {
	if c, ok := colors[strings.ToLower(strings.TrimSpace(cell))]; ok {
		return c + cell + "\x1b[0m"
	}
	return cell
}
