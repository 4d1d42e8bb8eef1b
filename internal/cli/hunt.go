package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/hunt"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/scan"
	"github.com/portcullis-sec/portcullis/internal/source"
)

type huntFlags struct {
	since, until     string
	accounts, region []string
	workers          int
	format           string
	configPath       string
	ruleDirs         []string
	snapshot         string
	failOn           string
	output           string
	quiet            bool
	aws              cloudFlags
	athena           athenaFlags
	caps             capFlags
	history          historyFlags
}

// capFlags bound what one object may cost (hunt and watch).
type capFlags struct{ object, record sizeFlag }

func (c *capFlags) register(fl *pflag.FlagSet) {
	c.object, c.record = sizeFlag(cloudtrail.DefaultMaxObjectBytes), sizeFlag(cloudtrail.DefaultMaxRecordBytes)
	fl.Var(&c.object, "max-object-size", "largest decompressed size of one trail file (e.g. 512MiB, 2GB); a file over it is bad input")
	fl.Var(&c.record, "max-record-size", "largest record in a trail file; a file with a larger one is bad input")
}

func (a *App) huntCmd() *cobra.Command {
	var f huntFlags
	cmd := &cobra.Command{
		Use:   "hunt [flags] PATH... | s3://BUCKET/PREFIX | - | --athena --database D --table T | --event-history",
		Short: "Run the rule pack over CloudTrail (files, directories, org-trail layout, S3, stdin, Athena)",
		Example: `  portcullis hunt --config portcullis.yaml ./AWSLogs
  portcullis hunt --since 14d --account 111111111111 --format jsonl /data/trail > findings.jsonl
  zcat event.json.gz | portcullis hunt -
  portcullis hunt --athena --database security --table cloudtrail_logs --since 30d --workgroup hunting
  portcullis hunt --event-history --aws-region eu-west-1,us-east-1 --since 30d`,
		Args: func(cmd *cobra.Command, args []string) error {
			if f.athena.enabled || f.history.enabled {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.MinimumNArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.history.enabled {
				return a.runHuntHistory(cmd, f)
			}
			if f.athena.enabled {
				return a.runHuntAthena(cmd, f)
			}
			return a.runHunt(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.since, "since", "", "only events after this: a duration back from now (14d, 36h) or a time (RFC 3339, 2026-11-01)")
	fl.StringVar(&f.until, "until", "", "only events before this (same forms as --since)")
	fl.StringSliceVar(&f.accounts, "account", nil, "only these account ids (org-trail folders pruned by path, every record by recipientAccountId)")
	fl.StringSliceVar(&f.region, "region", nil, "only these regions (org-trail folders pruned by path, every record by awsRegion)")
	fl.IntVar(&f.workers, "workers", runtime.NumCPU(), "files read in parallel")
	fl.StringVar(&f.format, "format", "", "output: table, json, jsonl or ocsf (OCSF 1.3.0 Detection Findings, one per line) (default: table on a terminal, jsonl otherwise)")
	fl.StringVar(&f.configPath, "config", "", "portcullis.yaml with admins, sensitive_accounts, privileged_groups … (default: ./portcullis.yaml, else the user config folder's portcullis/portcullis.yaml)")
	fl.StringSliceVar(&f.ruleDirs, "rules", nil, "extra rule directory (added to the built-in pack)")
	fl.StringVar(&f.snapshot, "snapshot", "", "Identity Center state for names, sizes and admin-ness: "+modelSpecHelp)
	fl.StringVar(&f.failOn, "fail-on", "", "exit 3 when a finding at or above this severity is found (info, low, medium, high, critical)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress line and no summary on stderr")
	addOutput(cmd, &f.output)
	fl.StringVar(&f.aws.region, "aws-region", "", "region of the S3 bucket (s3:// inputs), or the regions to read, comma-separated (--event-history); default: the SDK's chain")
	fl.StringVar(&f.aws.profile, "profile", "", "AWS profile for s3:// inputs, --athena and --event-history")
	fl.StringVar(&f.aws.s3Endpoint, "s3-endpoint", "", "S3-compatible endpoint URL (path-style), for s3:// inputs")
	f.athena.register(fl)
	f.caps.register(fl)
	f.history.register(fl)
	return cmd
}

// huntSetup is what both hunts (files, Athena) read from their flags.
type huntSetup struct {
	format string
	gate   *finding.Severity
	cfg    *config.Config
	rules  *detect.RuleSet
	filter source.Filter
	snap   *idc.Model
}

func (a *App) huntSetup(ctx context.Context, f huntFlags) (*huntSetup, error) {
	format := f.format
	if format == "" {
		format = "jsonl"
		if a.StdoutTTY && f.output == "" {
			format = "table"
		}
	}
	if !slices.Contains(finding.Formats, format) {
		return nil, fmt.Errorf("--format: want %s, got %q", strings.Join(finding.Formats, ", "), format)
	}
	hs := &huntSetup{format: format}
	if f.failOn != "" {
		s, err := finding.ParseSeverity(f.failOn)
		if err != nil {
			return nil, fmt.Errorf("--fail-on: %w", err)
		}
		hs.gate = &s
	}
	var err error
	if hs.cfg, err = a.loadConfigQuiet(f.configPath, f.quiet); err != nil {
		return nil, err
	}
	if hs.rules, err = detect.Load(f.ruleDirs...); err != nil {
		return nil, err
	}
	hs.filter = source.Filter{Accounts: f.accounts, Regions: f.region}
	if hs.filter.Since, hs.filter.Until, err = timeWindow(f.since, f.until, a.Now()); err != nil {
		return nil, err
	}
	if f.workers < 1 {
		return nil, fmt.Errorf("--workers: want at least 1, got %d", f.workers)
	}
	if f.snapshot != "" {
		if hs.snap, err = a.loadModel(ctx, f.snapshot, f.aws.modelFlags()); err != nil {
			return nil, fmt.Errorf("--snapshot: %w", err)
		}
	}
	return hs, nil
}

func (a *App) runHunt(cmd *cobra.Command, args []string, f huntFlags) error {
	hs, err := a.huntSetup(cmd.Context(), f)
	if err != nil {
		return err
	}
	format, gate, cfg, rs, filter, snap := hs.format, hs.gate, hs.cfg, hs.rules, hs.filter, hs.snap
	paths, objs, err := a.resolveInputs(cmd, args, filter, f.aws)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	prog := a.progress()
	opts := hunt.Options{
		Paths: paths, Objects: objs, Filter: filter, Workers: f.workers, Config: cfg, Rules: rs, Snapshot: snap,
		MaxObjectBytes: int64(f.caps.object), MaxRecordBytes: int64(f.caps.record),
		OnError: func(err error) {
			mu.Lock()
			defer mu.Unlock()
			prog.clear()
			fmt.Fprintln(a.Stderr, "portcullis: input:", err)
		},
	}
	if !f.quiet && a.StderrTTY {
		opts.Progress = prog.update
	}
	res, err := hunt.Run(cmd.Context(), opts)
	prog.clear()
	if err != nil {
		return err
	}
	a.noteUnlaid(filter, res.Unlaid, res.FirstUnlaid)
	a.noteEmptyWindow(filter, res.Walk, res.Scan)
	if err := a.writeOutput(f.output, func(w io.Writer) error { return finding.Write(w, format, res.Findings) }); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	if !f.quiet {
		writeSummary(a.Stderr, res)
	}
	if gated(gate, res.Findings) {
		return withCode(ExitFindings, "")
	}
	if res.InputErrors > 0 || res.Scan.FilesFailed > 0 {
		if res.Scan.Files == res.Scan.FilesFailed {
			// Not one input could be read: no result to stand by.
			return withCode(ExitError, "no input could be read (%d input errors, see above)", res.InputErrors)
		}
		return withCode(ExitBadInput, "%d input errors: some input could not be read (see above)", res.InputErrors)
	}
	return partialExit(snap)
}

// gated reports whether a finding reaches the --fail-on severity.
func gated(gate *finding.Severity, fs []finding.Finding) bool {
	if gate == nil {
		return false
	}
	for _, fd := range fs {
		if fd.Severity >= *gate {
			return true
		}
	}
	return false
}

// writeSummary prints what was read, skipped and found.
func writeSummary(w io.Writer, res *hunt.Result) {
	s := res.Scan
	fmt.Fprintf(w, "scanned %d files (%s compressed, %s JSON), %d records, %d matched the prefilter, in %s\n",
		s.Files, mb(s.Bytes), mb(s.UncompressedBytes), s.Records, s.Matched, res.Elapsed.Round(time.Millisecond))
	if len(s.Skipped) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(s.Skipped)) {
			parts = append(parts, fmt.Sprintf("%s %d", k, s.Skipped[k]))
		}
		fmt.Fprintf(w, "skipped records: %s\n", strings.Join(parts, ", "))
	}
	if len(res.Walk.Skipped) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(res.Walk.Skipped)) {
			parts = append(parts, fmt.Sprintf("%s %d", k, res.Walk.Skipped[k]))
		}
		fmt.Fprintf(w, "skipped files: %s\n", strings.Join(parts, ", "))
	}
	if s.FilesFailed > 0 || res.InputErrors > 0 {
		fmt.Fprintf(w, "unreadable: %d files failed, %d input errors\n", s.FilesFailed, res.InputErrors)
	}
	if n := len(res.ApplyErrors); n > 0 {
		fmt.Fprintf(w, "state: %d Identity Center events could not be applied to the model (first: %v)\n", n, res.ApplyErrors[0])
	}
	if line := detect.CoverageReport(res.Coverage); line != "" {
		fmt.Fprintln(w, line)
	}
	by := finding.CountBySeverity(res.Findings)
	fmt.Fprintf(w, "findings: %d (critical %d, high %d, medium %d, low %d, info %d)\n", len(res.Findings),
		by[finding.Critical], by[finding.High], by[finding.Medium], by[finding.Low], by[finding.Info])
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// progressLine draws one self-erasing status line on a terminal.
type progressLine struct {
	w     io.Writer
	shown bool
	mu    sync.Mutex
}

func (a *App) progress() *progressLine { return &progressLine{w: a.Stderr} }

func (p *progressLine) update(s scan.Stats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[K%d files, %s, %d records, %d matched", s.Files, mb(s.UncompressedBytes), s.Records, s.Matched)
	p.shown = true
}

func (p *progressLine) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
