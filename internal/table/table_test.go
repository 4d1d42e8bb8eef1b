package table

import (
	"bytes"
	"strings"
	"testing"
	"text/tabwriter"
	"unicode/utf8"
)

type term struct {
	bytes.Buffer
	width int
	color bool
}

func (t *term) Width() int  { return t.width }
func (t *term) Color() bool { return t.color }

const rows = "TIME\tSEVERITY\tRULE\tSUMMARY\n" +
	"2026-11-02T10:00:00Z\thigh\tidc.permission-set.boundary-removed\tmallory removed the permissions boundary from permission set Admin\n" +
	"2026-11-02T10:01:00Z\tcritical\tidc.assignment.created\tmallory assigned Admin to USER ÿöü-ünïcödé in account 111111111111\n"

// TestLikeTabwriter: to a file or a pipe, the layout is tabwriter's.
func TestLikeTabwriter(t *testing.T) {
	var want, got bytes.Buffer
	tw := tabwriter.NewWriter(&want, 0, 0, 2, ' ', 0)
	tw.Write([]byte(rows))
	tw.Flush()
	w := New(&got)
	w.Write([]byte(rows))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("got\n%s\nwant\n%s", got.String(), want.String())
	}
}

// TestFitsTheTerminal: every line fits; the widest column (SUMMARY)
// shrinks first; cut cells end in … at a rune boundary; nothing wraps.
func TestFitsTheTerminal(t *testing.T) {
	for _, width := range []int{120, 90, 60} {
		out := &term{width: width}
		w := New(out)
		w.Write([]byte(rows))
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != 3 {
			t.Fatalf("width %d: %d lines, want 3 (no wrapping):\n%s", width, len(lines), out.String())
		}
		for _, l := range lines {
			if !utf8.ValidString(l) || utf8.RuneCountInString(l) > width {
				t.Errorf("width %d: line of %d runes (valid UTF-8 %t): %q", width, utf8.RuneCountInString(l), utf8.ValidString(l), l)
			}
		}
		if !strings.Contains(lines[1], "…") {
			t.Errorf("width %d: a cut cell should end in …: %q", width, lines[1])
		}
		if width == 120 && !strings.Contains(lines[1], "idc.permission-set.boundary-removed") {
			t.Errorf("width 120: RULE was cut before the wider SUMMARY: %q", lines[1])
		}
		if !strings.HasPrefix(lines[2], "2026-11-02T10:01:00Z") && width >= 90 {
			t.Errorf("width %d: the time column shrank before the wide ones: %q", width, lines[2])
		}
	}
}

func TestColorsSeverities(t *testing.T) {
	out := &term{color: true}
	w := New(out)
	w.Write([]byte(rows))
	w.Flush()
	if !strings.Contains(out.String(), "\x1b[1;31mcritical\x1b[0m") || !strings.Contains(out.String(), "\x1b[31mhigh\x1b[0m") {
		t.Errorf("severities not coloured:\n%q", out.String())
	}
	if strings.Contains(out.String(), "\x1b[31mSEVERITY") {
		t.Error("the header was coloured")
	}
	plain := strings.NewReplacer("\x1b[1;31m", "", "\x1b[31m", "", "\x1b[0m", "").Replace(out.String())
	var nc bytes.Buffer
	w = New(&nc)
	w.Write([]byte(rows))
	w.Flush()
	if plain != nc.String() {
		t.Errorf("colour changed the layout:\n%s\nvs\n%s", plain, nc.String())
	}
}
