package posture

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/table"
)

// Formats the renderers accept.
var Formats = []string{"table", "json", "ocsf"}

// Write renders the report in one of Formats; OCSF findings carry
// productVersion in metadata.product.version.
func (r *Report) Write(w io.Writer, format, productVersion string) error {
	switch format {
	case "table", "":
		return r.WriteTable(w)
	case "json":
		return r.WriteJSON(w)
	case "ocsf":
		return r.WriteOCSF(w, productVersion)
	}
	return fmt.Errorf("posture: unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// WriteJSON writes the versioned JSON form (schema portcullis.posture/v1).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteTable writes one line per check, then each failing check's objects
// with why it matters and how to fix it.
func (r *Report) WriteTable(w io.Writer) error {
	ew := &errWriter{w: w}
	src := r.Model
	if r.Partial {
		src += " (PARTIAL: results may miss objects)"
	}
	ew.printf("model: %s\n", src)
	if !r.Now.IsZero() {
		ew.printf("evidence window: %s .. %s\n", r.WindowStart.UTC().Format(time.RFC3339), r.Now.UTC().Format(time.RFC3339))
	}
	ew.printf("%d failed, %d passed, %d skipped\n\n", r.Counts[Fail], r.Counts[Pass], r.Counts[Skip])
	tw := table.NewFor(ew, w)
	fmt.Fprintln(tw, "STATUS\tSEVERITY\tCHECK\tFAILING\tTITLE")
	for _, x := range r.Results {
		n := "-"
		if x.Status == Fail {
			n = fmt.Sprint(len(x.Failing))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", strings.ToUpper(string(x.Status)), x.Severity, x.ID, n, x.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, x := range r.Results {
		if x.Status == Pass && x.Note == "" {
			continue
		}
		ew.printf("\n%s [%s, %s]\n", x.ID, x.Status, x.Severity)
		if x.Note != "" {
			ew.printf("  note: %s\n", x.Note)
		}
		if x.Status != Fail {
			continue
		}
		for _, o := range x.Failing {
			ew.printf("  - %s %s: %s\n", o.Type, objectLabel(o), o.Detail)
		}
		ew.printf("  why: %s\n  fix: %s\n", x.Why, x.Fix)
	}
	return ew.err
}

func objectLabel(o Object) string {
	if o.Name == "" || o.Name == o.ID {
		return o.ID
	}
	return o.Name + " (" + o.ID + ")"
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

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
