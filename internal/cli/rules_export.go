package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/export"
	"github.com/portcullis-sec/portcullis/internal/sigma"
	"github.com/portcullis-sec/portcullis/internal/table"
	"github.com/portcullis-sec/portcullis/internal/watch"
)

type exportFlags struct {
	format, out, configPath  string
	output                   string
	database, table, catalog string
	eventDataStore, since    string
	only                     []string
	explain                  bool
}

func (a *App) rulesExportCmd(dirs *[]string) *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export --format athena|cloudtrail-lake|eventbridge|sigma",
		Short: "Export the rules: Athena or CloudTrail Lake SQL, EventBridge patterns, plain Sigma",
		Example: `  portcullis rules export --format athena --database security --table cloudtrail_logs --since 1d --config portcullis.yaml --out sql/
  portcullis rules export --format cloudtrail-lake --event-data-store EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE
  portcullis rules export --format eventbridge --out patterns/
  portcullis rules export --format sigma --out sigma/
  portcullis rules export --format athena --explain`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runExport(f, *dirs) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "", "athena | cloudtrail-lake | eventbridge | sigma")
	fl.StringVar(&f.out, "out", "", "write one file per rule into this directory (default: all to stdout)")
	fl.StringVar(&f.configPath, "config", "", "portcullis.yaml whose admins, sensitive accounts and privileged groups fill the rules' placeholders")
	fl.StringVar(&f.database, "database", "default", "athena: the table's database")
	fl.StringVar(&f.table, "table", "cloudtrail_logs", "athena: the standard CloudTrail table (portcullis athena ddl)")
	fl.StringVar(&f.catalog, "catalog", "", "athena: a data catalog other than AwsDataCatalog")
	fl.StringVar(&f.eventDataStore, "event-data-store", "", "cloudtrail-lake: the event data store id or ARN")
	fl.StringVar(&f.since, "since", "", "SQL: only events after this: a time (2026-11-01, RFC 3339) or a length of time before the query runs (1d, 6h) for scheduled queries")
	fl.StringSliceVar(&f.only, "rule", nil, "export only these rule ids (repeatable)")
	fl.BoolVar(&f.explain, "explain", false, "print what each rule exports to: fully, partially (and what is lost), or not, and why")
	addOutput(cmd, &f.output)
	return cmd
}

func (a *App) runExport(f exportFlags, dirs []string) error {
	if !slices.Contains(export.Formats, f.format) {
		return fmt.Errorf("--format: want one of %s, got %q", strings.Join(export.Formats, ", "), f.format)
	}
	rs, err := detect.Load(dirs...)
	if err != nil {
		return err
	}
	rules, err := selectRules(rs, f.only)
	if err != nil {
		return err
	}
	o := export.Options{ConfigName: f.configPath, Expand: f.configPath != ""}
	if o.Config, err = a.loadConfig(f.configPath); err != nil {
		return err
	}
	if f.since != "" {
		if f.format != export.FormatAthena && f.format != export.FormatLake {
			return fmt.Errorf("--since applies to the SQL formats (athena, cloudtrail-lake), not %s", f.format)
		}
		if o.Since, err = parseExportSince(f.since); err != nil {
			return fmt.Errorf("--since: %w", err)
		}
	}
	var items []export.Item
	switch f.format {
	case export.FormatAthena, export.FormatLake:
		if f.format == export.FormatAthena {
			o.Target, err = export.AthenaTarget(f.catalog, f.database, f.table)
		} else {
			if f.eventDataStore == "" {
				return fmt.Errorf("--format cloudtrail-lake needs --event-data-store")
			}
			o.Target, err = export.LakeTarget(f.eventDataStore)
		}
		if err != nil {
			return err
		}
		items, err = export.SQL(rules, o)
	case export.FormatEventBridge:
		items, err = export.EventBridge(rules, o)
	case export.FormatSigma:
		items, err = export.Sigma(rules, o)
	}
	if err != nil {
		return err
	}
	if f.explain {
		return a.explainExport(items)
	}
	var combined []byte
	if f.format == export.FormatEventBridge {
		in, err := ruleInterests(dirs)
		if err != nil {
			return err
		}
		combined = watch.EventBridgePattern(in...)
	}
	if f.out != "" {
		if f.output != "" {
			return fmt.Errorf("give --out DIR (a file per rule) or --output FILE (all in one), not both")
		}
		return a.writeExportDir(f, items, combined)
	}
	return a.writeOutput(f.output, func(w io.Writer) error { return writeExportStream(w, f.format, items, combined) })
}

// selectRules returns the rules to export: all, or the ones named.
func selectRules(rs *detect.RuleSet, only []string) ([]*sigma.Rule, error) {
	var out []*sigma.Rule
	for _, id := range only {
		r := rs.Find(id)
		if r == nil {
			return nil, fmt.Errorf("--rule: no rule %q (see portcullis rules list)", id)
		}
		out = append(out, r.Rule)
	}
	if len(only) > 0 {
		return out, nil
	}
	for _, r := range rs.Rules {
		out = append(out, r.Rule)
	}
	return out, nil
}

// ruleInterests is the rule pack's prefilter as EventBridge sources and
// names: what watch must receive besides its own state-keeping records.
func ruleInterests(dirs []string) ([]cloudtrail.Interest, error) {
	rs, err := detect.Load(dirs...)
	if err != nil {
		return nil, err
	}
	eng, err := detect.NewEngine(rs, nil, nil)
	if err != nil {
		return nil, err
	}
	in := eng.Interest()
	if in == nil {
		return []cloudtrail.Interest{{}}, nil // a rule wants every record
	}
	return in, nil
}

// parseExportSince reads a time (fixed window start) or a duration
// (relative to when the query runs).
func parseExportSince(s string) (export.Since, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return export.Since{At: t.UTC()}, nil
		}
	}
	d, err := config.ParseDuration(s)
	if err != nil || d <= 0 {
		return export.Since{}, fmt.Errorf("want a time (2026-11-01, RFC 3339) or a positive duration (1d, 6h), got %q", s)
	}
	return export.Since{Before: d}, nil
}

func (a *App) explainExport(items []export.Item) error {
	tw := table.New(a.Stdout)
	fmt.Fprintln(tw, "RULE\tEXPORT\tWHAT IS LOST, OR WHY NOT")
	for _, it := range items {
		var why []string
		switch {
		case it.Status == export.Skipped:
			why = []string{it.Reason}
		default:
			for _, l := range it.Lost {
				why = append(why, l.String())
			}
			if len(why) == 0 {
				why = []string{"-"}
			}
		}
		for i, w := range why {
			if i == 0 {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", it.ID, it.Status, w)
			} else {
				fmt.Fprintf(tw, "\t\t%s\n", w)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.Stdout, summary(items))
	return nil
}

func summary(items []export.Item) string {
	n := map[export.Status]int{}
	for _, it := range items {
		n[it.Status]++
	}
	return fmt.Sprintf("%d fully, %d partially, %d not exported", n[export.Full], n[export.Partial], n[export.Skipped])
}

// writeExportStream writes every export to stdout: SQL queries and Sigma
// documents one after another, EventBridge patterns as one JSON document.
func writeExportStream(w io.Writer, format string, items []export.Item, combined []byte) error {
	var b bytes.Buffer
	switch format {
	case export.FormatEventBridge:
		doc, err := eventBridgeIndex(items, combined, false)
		if err != nil {
			return err
		}
		b.Write(doc)
	case export.FormatSigma:
		first := true
		for _, it := range items {
			if it.Status == export.Skipped {
				fmt.Fprintf(&b, "# not exported: %s: %s\n", it.ID, it.Reason)
				continue
			}
			if !first {
				b.WriteString("---\n")
			}
			first = false
			b.Write(it.Body)
		}
	default:
		for _, it := range items {
			if it.Status == export.Skipped {
				fmt.Fprintf(&b, "-- not exported: %s: %s\n\n", it.ID, it.Reason)
				continue
			}
			b.Write(it.Body)
			b.WriteString("\n")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// writeExportDir writes one file per exported rule (and, for EventBridge,
// watch.json and index.json) and says on stderr what it did.
func (a *App) writeExportDir(f exportFlags, items []export.Item, combined []byte) error {
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	write := func(name string, b []byte) error {
		p := filepath.Join(f.out, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		return nil
	}
	for _, it := range items {
		if it.Status == export.Skipped {
			fmt.Fprintf(a.Stderr, "not exported: %s: %s\n", it.ID, it.Reason)
			continue
		}
		if err := write(it.FileName(f.format), it.Body); err != nil {
			return err
		}
	}
	if f.format == export.FormatEventBridge {
		if err := write("watch.json", combined); err != nil {
			return err
		}
		idx, err := eventBridgeIndex(items, nil, true)
		if err != nil {
			return err
		}
		if err := write("index.json", idx); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.Stderr, "wrote %s to %s: %s\n", f.format, f.out, summary(items))
	return nil
}

// eventBridgeIndex describes the patterns: per rule its status, what is
// lost and (inline, or as a file name) its pattern; the combined pattern
// watch needs; the rules not exported.
func eventBridgeIndex(items []export.Item, combined []byte, files bool) ([]byte, error) {
	type rule struct {
		ID      string          `json:"id"`
		Title   string          `json:"title"`
		Status  export.Status   `json:"status"`
		Lost    []string        `json:"lost,omitempty"`
		Notes   []string        `json:"notes,omitempty"`
		File    string          `json:"file,omitempty"`
		Pattern json.RawMessage `json:"pattern,omitempty"`
	}
	type skipped struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
	}
	var doc struct {
		Rules       []rule          `json:"rules"`
		Watch       json.RawMessage `json:"watch,omitempty"`
		WatchFile   string          `json:"watch_file,omitempty"`
		NotExported []skipped       `json:"not_exported"`
	}
	for _, it := range items {
		if it.Status == export.Skipped {
			doc.NotExported = append(doc.NotExported, skipped{it.ID, it.Reason})
			continue
		}
		r := rule{ID: it.ID, Title: it.Rule.Title, Status: it.Status, Notes: it.Notes}
		for _, l := range it.Lost {
			r.Lost = append(r.Lost, l.String())
		}
		if files {
			r.File = it.FileName(export.FormatEventBridge)
		} else {
			r.Pattern = it.Body
		}
		doc.Rules = append(doc.Rules, r)
	}
	if files {
		doc.WatchFile = "watch.json"
	} else {
		doc.Watch = combined
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
