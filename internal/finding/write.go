package finding

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/table"
	"github.com/portcullis-sec/portcullis/internal/version"
)

// Formats the writers support.
var Formats = []string{"table", "json", "jsonl", "ocsf"}

// Write renders findings in one of Formats.
func Write(w io.Writer, format string, fs []Finding) error {
	switch format {
	case "json":
		if fs == nil {
			fs = []Finding{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(fs)
	case "jsonl":
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		for i := range fs {
			if err := enc.Encode(&fs[i]); err != nil {
				return err
			}
		}
		return bw.Flush()
	case "table":
		return WriteTable(w, fs)
	case "ocsf":
		return WriteOCSF(w, fs, OCSFOptions{ProductVersion: version.String()})
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// WriteTable renders a readable table: one line a finding, most severe
// first within the same minute is not reordered — time order is kept.
func WriteTable(w io.Writer, fs []Finding) error {
	if len(fs) == 0 {
		_, err := fmt.Fprintln(w, "No findings.")
		return err
	}
	tw := table.New(w)
	fmt.Fprintln(tw, "TIME\tSEVERITY\tRULE\tACTOR\tACCOUNT\tSUMMARY")
	for _, f := range fs {
		actor := f.Actor.Label()
		if f.Actor.Allowlisted {
			actor += " (admin)"
		}
		acct := f.Targets.AccountID
		if acct == "" {
			acct = f.Account
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Time.UTC().Format(time.RFC3339),
			strings.ToUpper(f.Severity.String()), f.Rule, trunc(actor, 48), acct, trunc(f.Summary, 140))
	}
	return tw.Flush()
}

func trunc(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Read parses findings written as a JSON array or as JSON lines.
func Read(r io.Reader, name string) ([]Finding, error) {
	br := bufio.NewReader(r)
	for {
		b, err := br.Peek(1)
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if b[0] == ' ' || b[0] == '\n' || b[0] == '\r' || b[0] == '\t' {
			br.ReadByte()
			continue
		}
		break
	}
	dec := json.NewDecoder(br)
	var out []Finding
	if b, _ := br.Peek(1); b[0] == '[' {
		if err := dec.Decode(&out); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return out, nil
	}
	for {
		var f Finding
		err := dec.Decode(&f)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: finding %d: %w", name, len(out)+1, err)
		}
		out = append(out, f)
	}
}

// JSON encodes v as one line of JSON without HTML escaping: portcullis
// output is read by people and tools (an origin reads <stdin>, not
// \u003cstdin\u003e), never pasted into HTML unescaped.
func JSON(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}
