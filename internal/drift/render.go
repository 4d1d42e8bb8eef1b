package drift

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/table"
)

// Formats the renderers accept.
var Formats = []string{"table", "json", "markdown"}

// Write renders the report in one of Formats.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "table", "":
		return r.WriteTable(w)
	case "json":
		return writeJSON(w, r)
	case "markdown", "md":
		return r.WriteMarkdown(w)
	}
	return fmt.Errorf("drift: unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// WriteJSON writes the versioned JSON form (schema portcullis.drift/v1).
func (r *Report) WriteJSON(w io.Writer) error { return writeJSON(w, r) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func describeSide(s Side) string {
	out := orNone(s.From)
	if s.CapturedAt != "" {
		out += " captured " + s.CapturedAt
	}
	if s.Partial {
		out += " (PARTIAL)"
	}
	return out
}

// countLine says "3 differences: 1 critical, 2 low".
func countLine(n int, counts map[string]int, noun string) string {
	if n == 0 {
		return "no " + noun + "s"
	}
	var parts []string
	for s := finding.Critical; s >= finding.Info; s-- {
		if c := counts[s.String()]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, s))
		}
	}
	plural := noun + "s"
	if n == 1 {
		plural = noun
	}
	return fmt.Sprintf("%d %s: %s", n, plural, strings.Join(parts, ", "))
}

// WriteTable writes one line per difference for a terminal, then the
// policy diffs.
func (r *Report) WriteTable(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("base:    %s\ncurrent: %s\n", describeSide(r.Base), describeSide(r.Current))
	for _, x := range r.Warnings {
		ew.printf("warning: %s\n", x)
	}
	ew.printf("%s\n", countLine(len(r.Differences), r.Counts, "difference"))
	if len(r.Differences) > 0 {
		ew.printf("\n")
		tw := table.NewFor(ew, w)
		fmt.Fprintln(tw, "SEVERITY\tKIND\tSUMMARY")
		for _, d := range r.Differences {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Severity, d.Kind, oneLine(d.Summary))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, d := range r.Differences {
		if d.Policy != nil {
			ew.printf("\n%s\n%s", d.Summary, d.Policy.Text())
		}
	}
	return ew.err
}

// WriteMarkdown writes a report to paste into a ticket.
func (r *Report) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("# Identity Center drift\n\n")
	ew.printf("- Base: %s\n- Current: %s\n- %s\n", mdText(describeSide(r.Base)), mdText(describeSide(r.Current)), countLine(len(r.Differences), r.Counts, "difference"))
	for _, x := range r.Warnings {
		ew.printf("\n> **Warning:** %s\n", mdText(x))
	}
	if len(r.Differences) == 0 {
		return ew.err
	}
	ew.printf("\n| # | Severity | Kind | Summary |\n|---|---|---|---|\n")
	for i, d := range r.Differences {
		ew.printf("| %d | %s | `%s` | %s |\n", i+1, d.Severity, d.Kind, mdCell(d.Summary))
	}
	ew.printf("\n## Details\n")
	for i, d := range r.Differences {
		writeMarkdownDifference(ew, i+1, d)
	}
	return ew.err
}

func writeMarkdownDifference(ew *errWriter, n int, d Difference) {
	ew.printf("\n### %d. %s\n\n", n, mdText(d.Summary))
	ew.printf("- Severity: **%s**\n- Kind: `%s`\n- Object: %s `%s`\n", d.Severity, d.Kind, d.Object.Type, d.Object.Key)
	if d.Access != "" {
		ew.printf("- Access after the change: %s\n", d.Access)
	}
	if d.GrantsAdmin {
		ew.printf("- **The new policy grants admin.**\n")
	}
	if d.Before != "" || d.After != "" {
		ew.printf("- Before: `%s`\n- After: `%s`\n", orNone(d.Before), orNone(d.After))
	}
	for _, why := range d.Reasons {
		ew.printf("- Why: %s\n", mdText(why))
	}
	if d.Policy != nil {
		ew.printf("\n```diff\n%s```\n", d.Policy.Text())
	}
}

// mdCell keeps a value inside one table cell.
func mdCell(s string) string {
	return strings.ReplaceAll(mdText(oneLine(s)), "|", `\|`)
}

// mdText escapes what would turn text into markup.
func mdText(s string) string {
	r := strings.NewReplacer("<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "'")
	return r.Replace(s)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// errWriter keeps the first write error so renderers stay readable.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	fmt.Fprintf(e, format, args...)
}
