package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/source"
	"github.com/portcullis-sec/portcullis/internal/store"
	"github.com/portcullis-sec/portcullis/internal/version"
)

func (a *App) findingsCmd() *cobra.Command {
	var storePath string
	cmd := &cobra.Command{Use: "findings", Short: "List and triage the findings in a watch store"}
	cmd.PersistentFlags().StringVar(&storePath, "store", "portcullis.db", "SQLite store written by portcullis watch")

	var status, minSev, rule, since, format string
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List stored findings, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt := store.Filter{Rule: rule, Limit: limit}
			if status != "" {
				s, err := store.ParseStatus(status)
				if err != nil {
					return fmt.Errorf("--status: %w", err)
				}
				flt.Status = s
			}
			if minSev != "" {
				s, err := finding.ParseSeverity(minSev)
				if err != nil {
					return fmt.Errorf("--min-severity: %w", err)
				}
				flt.MinSeverity = s
			}
			if since != "" {
				t, err := source.ParseTimeArg(since, a.Now())
				if err != nil {
					return fmt.Errorf("--since: %w", err)
				}
				flt.Since = t
			}
			st, err := store.Open(cmd.Context(), storePath)
			if err != nil {
				return err
			}
			defer st.Close()
			recs, err := st.ListFindings(cmd.Context(), flt)
			if err != nil {
				return err
			}
			return a.writeRecords(recs, format)
		},
	}
	list.Flags().StringVar(&status, "status", "", "open, acknowledged or resolved")
	list.Flags().StringVar(&minSev, "min-severity", "", "only findings at or above this severity")
	list.Flags().StringVar(&rule, "rule", "", "only this rule id")
	list.Flags().StringVar(&since, "since", "", "only findings after this (14d, RFC 3339 …)")
	list.Flags().IntVar(&limit, "limit", 0, "at most this many")
	list.Flags().StringVar(&format, "format", "", "table, json, jsonl or ocsf (OCSF 1.3.0 Detection Findings, one per line, status from the triage status) (default: table on a terminal, jsonl otherwise)")

	setStatus := func(use, short string, to store.Status) *cobra.Command {
		var note string
		c := &cobra.Command{
			Use:   use + " ID...",
			Short: short,
			Args:  cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				st, err := store.Open(cmd.Context(), storePath)
				if err != nil {
					return err
				}
				defer st.Close()
				for _, id := range args {
					if err := st.SetStatus(cmd.Context(), id, to, note); err != nil {
						return fmt.Errorf("%s %s: %w", use, id, err)
					}
					fmt.Fprintf(a.Stdout, "%s %s\n", id, to)
				}
				return nil
			},
		}
		c.Flags().StringVar(&note, "note", "", "why (kept with the status)")
		return c
	}
	cmd.AddCommand(list,
		setStatus("ack", "Mark findings acknowledged", store.StatusAcknowledged),
		setStatus("resolve", "Mark findings resolved", store.StatusResolved),
		setStatus("reopen", "Mark findings open again", store.StatusOpen))
	return cmd
}

func (a *App) writeRecords(recs []store.Record, format string) error {
	if format == "" {
		format = "jsonl"
		if a.StdoutTTY {
			format = "table"
		}
	}
	switch format {
	case "json":
		if recs == nil {
			recs = []store.Record{}
		}
		enc := json.NewEncoder(a.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(recs)
	case "jsonl":
		enc := json.NewEncoder(a.Stdout)
		for i := range recs {
			if err := enc.Encode(&recs[i]); err != nil {
				return err
			}
		}
		return nil
	case "ocsf":
		return writeRecordsOCSF(a.Stdout, recs)
	case "table":
		if len(recs) == 0 {
			_, err := fmt.Fprintln(a.Stdout, "No findings.")
			return err
		}
		tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTIME\tSEVERITY\tSTATUS\tRULE\tSUMMARY")
		for _, r := range recs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Time.UTC().Format(time.RFC3339), strings.ToUpper(r.Severity.String()), r.Status, r.Rule, r.Summary)
		}
		return tw.Flush()
	}
	return fmt.Errorf("--format: want table, json, jsonl or ocsf, got %q", format)
}

// writeRecordsOCSF writes stored findings as OCSF Detection Findings whose
// status_id follows the triage status (open New, acknowledged In
// Progress, resolved Resolved).
func writeRecordsOCSF(w io.Writer, recs []store.Record) error {
	bw := bufio.NewWriter(w)
	for _, r := range recs {
		st := finding.OCSFNew
		switch r.Status {
		case store.StatusAcknowledged:
			st = finding.OCSFInProgress
		case store.StatusResolved:
			st = finding.OCSFResolved
		}
		if err := finding.WriteOCSF(bw, []finding.Finding{r.Finding}, finding.OCSFOptions{ProductVersion: version.String(), Status: st}); err != nil {
			return err
		}
	}
	return bw.Flush()
}
