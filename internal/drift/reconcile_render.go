package drift

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/table"
)

// section titles, in report order.
var sections = []struct {
	a     Attribution
	title string
}{
	{ByOthers, "Rogue grants made by actors outside the admins allow-list"},
	{Unexplained, "Rogue grants no event explains: " + UnexplainedNote},
	{NoEvidence, "Rogue grants (no CloudTrail given: who made them is unknown)"},
	{ByAllowlisted, "Rogue grants made by allow-listed admins (outside the baseline all the same)"},
}

// Write renders the report in one of Formats.
func (r *ReconcileReport) Write(w io.Writer, format string) error {
	switch format {
	case "table", "":
		return r.WriteTable(w)
	case "json":
		return writeJSON(w, r)
	case "markdown", "md":
		return r.WriteMarkdown(w)
	}
	return fmt.Errorf("reconcile: unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// WriteJSON writes the versioned JSON form (schema portcullis.reconcile/v1).
func (r *ReconcileReport) WriteJSON(w io.Writer) error { return writeJSON(w, r) }

func (r *ReconcileReport) headline() string {
	if r.Rogue() == 0 {
		return "no rogue grants: everything that grants access is in the baseline"
	}
	var parts []string
	for _, s := range sections {
		if n := r.RogueBy(s.a); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s.a))
		}
	}
	return fmt.Sprintf("%d rogue grant(s): %s", r.Rogue(), strings.Join(parts, ", "))
}

func (r *ReconcileReport) eventsLine() string {
	if !r.EventsGiven {
		return "events: none given (changes cannot be attributed)"
	}
	return fmt.Sprintf("events: %d Identity Center write(s) considered", r.EventsUsed)
}

// who is the short attribution of a change for one table cell.
func who(c Change) string {
	if len(c.Causes) == 0 {
		return "-"
	}
	x := c.Causes[len(c.Causes)-1] // the latest event made the current state
	name := x.Actor.Label()
	s := fmt.Sprintf("%s at %s from %s (%s %s)", name, x.Time.UTC().Format(time.RFC3339), orNone(x.SourceIP), x.EventName, x.EventID)
	if n := len(c.Causes); n > 1 {
		s += fmt.Sprintf(" +%d more", n-1)
	}
	return s
}

// WriteTable writes the report for a terminal.
func (r *ReconcileReport) WriteTable(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("baseline: %s\ncurrent:  %s\n%s\n", describeSide(r.Baseline), describeSide(r.Current), r.eventsLine())
	for _, x := range r.Warnings {
		ew.printf("warning: %s\n", x)
	}
	ew.printf("%s\n", r.headline())
	for _, s := range sections {
		var rows []Change
		for _, g := range r.Grants {
			if g.Attribution == s.a {
				rows = append(rows, g)
			}
		}
		if len(rows) > 0 {
			ew.printf("\n%s\n", s.title)
			changeTable(ew, rows)
		}
	}
	if len(r.Other) > 0 {
		ew.printf("\nOther drift (grants nothing)\n")
		changeTable(ew, r.Other)
	}
	return ew.err
}

func changeTable(ew *errWriter, rows []Change) {
	tw := table.NewFor(ew, ew.w)
	fmt.Fprintln(tw, "SEVERITY\tKIND\tSUMMARY\tMADE BY")
	for _, c := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Severity, c.Kind, oneLine(c.Summary), who(c))
	}
	if err := tw.Flush(); err != nil && ew.err == nil {
		ew.err = err
	}
}

// WriteMarkdown writes the report for an incident ticket.
func (r *ReconcileReport) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("# Identity Center reconciliation\n\n")
	ew.printf("- Baseline: %s\n- Current: %s\n- %s\n- **%s**\n", mdText(describeSide(r.Baseline)), mdText(describeSide(r.Current)), r.eventsLine(), r.headline())
	for _, x := range r.Warnings {
		ew.printf("\n> **Warning:** %s\n", mdText(x))
	}
	for _, s := range sections {
		n := 0
		for _, g := range r.Grants {
			if g.Attribution != s.a {
				continue
			}
			if n == 0 {
				ew.printf("\n## %s\n", mdText(s.title))
			}
			n++
			writeMarkdownChange(ew, n, g)
		}
	}
	if len(r.Other) > 0 {
		ew.printf("\n## Other drift (grants nothing)\n\n| Severity | Kind | Summary | Made by |\n|---|---|---|---|\n")
		for _, c := range r.Other {
			ew.printf("| %s | `%s` | %s | %s |\n", c.Severity, c.Kind, mdCell(c.Summary), mdCell(who(c)))
		}
	}
	return ew.err
}

func writeMarkdownChange(ew *errWriter, n int, c Change) {
	writeMarkdownDifference(ew, n, c.Difference)
	if c.Note != "" {
		ew.printf("- Note: %s\n", mdText(c.Note))
	}
	if len(c.Causes) == 0 {
		return
	}
	ew.printf("\n| When | Who | Allow-listed | From | Event |\n|---|---|---|---|---|\n")
	for _, x := range c.Causes {
		name := cmp.Or(x.Actor.ARN, x.Actor.Name, x.Actor.UserID, finding.UnknownActor)
		ev := fmt.Sprintf("%s `%s`", x.EventName, x.EventID)
		if x.Related {
			ev += " (touched it; not the last change)"
		}
		ew.printf("| %s | %s | %t | %s | %s |\n", x.Time.UTC().Format(time.RFC3339), mdCell(name), x.Actor.Allowlisted, mdCell(orNone(x.SourceIP)), ev)
	}
}
