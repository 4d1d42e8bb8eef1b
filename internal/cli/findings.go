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
	"github.com/portcullis-sec/portcullis/internal/table"
	"github.com/portcullis-sec/portcullis/internal/version"
)

func (a *App) findingsCmd() *cobra.Command {
	var storePath string
	cmd := &cobra.Command{Use: "findings", Short: "List, show and triage the findings in a watch store",
		Long: `findings reads the SQLite store portcullis watch writes. It never creates
one: a store path that does not exist is an error naming it. A finding is
named by its id or a unique prefix of 8 or more characters.`}
	cmd.PersistentFlags().StringVar(&storePath, "store", "portcullis.db", "SQLite store written by portcullis watch (never created here)")
	open := func(cmd *cobra.Command) (*store.Store, error) {
		st, err := store.Open(cmd.Context(), storePath, store.MustExist())
		if err != nil {
			return nil, fmt.Errorf("--store: %w", err)
		}
		return st, nil
	}

	var status, minSev, rule, since, format, output string
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List stored findings, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format == "" {
				format = "jsonl"
				if a.StdoutTTY && output == "" {
					format = "table"
				}
			}
			if err := checkFormat(format, []string{"table", "json", "jsonl", "ocsf"}); err != nil {
				return err
			}
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
			st, err := open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			recs, err := st.ListFindings(cmd.Context(), flt)
			if err != nil {
				return err
			}
			return a.writeOutput(output, func(w io.Writer) error { return a.writeRecords(w, recs, format) })
		},
	}
	list.Flags().StringVar(&status, "status", "", "open, acknowledged or resolved")
	list.Flags().StringVar(&minSev, "min-severity", "", "only findings at or above this severity")
	list.Flags().StringVar(&rule, "rule", "", "only this rule id")
	list.Flags().StringVar(&since, "since", "", "only findings after this (14d, RFC 3339 …)")
	list.Flags().IntVar(&limit, "limit", 0, "at most this many")
	list.Flags().StringVar(&format, "format", "", "table, json, jsonl or ocsf (OCSF 1.3.0 Detection Findings, one per line, status from the triage status) (default: table on a terminal, jsonl otherwise)")
	addOutput(list, &output)

	setStatus := func(use, short string, to store.Status) *cobra.Command {
		var note string
		c := &cobra.Command{
			Use:   use + " ID...",
			Short: short,
			Args:  cobra.MinimumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				st, err := open(cmd)
				if err != nil {
					return err
				}
				defer st.Close()
				for _, arg := range args {
					id, err := st.ResolveID(cmd.Context(), arg)
					if err == nil {
						err = st.SetStatus(cmd.Context(), id, to, note)
					}
					if err != nil {
						return fmt.Errorf("%s %s: %w", use, arg, err)
					}
					fmt.Fprintf(a.Stdout, "%s %s\n", id, to)
				}
				return nil
			},
		}
		c.Flags().StringVar(&note, "note", "", "why (kept with the status)")
		return c
	}
	var showFormat string
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one stored finding (an id or a unique prefix of 8+ characters)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := open(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			id, err := st.ResolveID(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			rec, err := st.GetFinding(cmd.Context(), id)
			if err != nil {
				return err
			}
			return a.showRecord(rec, showFormat)
		},
	}
	show.Flags().StringVar(&showFormat, "format", "", "text or json (default: text on a terminal, json otherwise)")
	cmd.AddCommand(list, show,
		setStatus("ack", "Mark findings acknowledged", store.StatusAcknowledged),
		setStatus("resolve", "Mark findings resolved", store.StatusResolved),
		setStatus("reopen", "Mark findings open again", store.StatusOpen))
	return cmd
}

func (a *App) writeRecords(w io.Writer, recs []store.Record, format string) error {
	switch format {
	case "json":
		if recs == nil {
			recs = []store.Record{}
		}
		return writeJSON(w, recs)
	case "jsonl":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range recs {
			if err := enc.Encode(&recs[i]); err != nil {
				return err
			}
		}
		return nil
	case "ocsf":
		return writeRecordsOCSF(w, recs)
	case "table":
		if len(recs) == 0 {
			_, err := fmt.Fprintln(w, "No findings.")
			return err
		}
		tw := table.New(w)
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

// showRecord prints one finding with its triage status.
func (a *App) showRecord(r store.Record, format string) error {
	if format == "" {
		format = "json"
		if a.StdoutTTY {
			format = "text"
		}
	}
	switch format {
	case "json":
		return writeJSON(a.Stdout, r)
	case "text":
	default:
		return fmt.Errorf("--format: want text or json, got %q", format)
	}
	tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("id", r.ID)
	row("rule", r.Rule+" — "+r.Title)
	row("severity", strings.ToUpper(r.Severity.String()))
	row("status", strings.TrimSuffix(string(r.Status)+" ("+r.StatusNote+")", " ()"))
	row("time", r.Time.UTC().Format(time.RFC3339))
	row("actor", r.Actor.Label())
	row("account", r.Account)
	row("region", r.Region)
	row("summary", r.Summary)
	for _, e := range r.Events {
		row("event", fmt.Sprintf("%s %s %s (%s)", e.Time.UTC().Format(time.RFC3339), e.EventSource, e.EventName, e.EventID))
	}
	row("attack", strings.Join(r.Attack, ", "))
	row("remediation", r.Remediation)
	return tw.Flush()
}
