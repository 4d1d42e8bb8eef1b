package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/portcullis-sec/portcullis/internal/athena"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/hunt"
)

// athenaFlags are hunt's flags for running where the trail lives.
type athenaFlags struct {
	enabled                    bool
	database, table, workgroup string
	output, catalog, endpoint  string
	printSQL                   bool
}

func (f *athenaFlags) register(fl *pflag.FlagSet) {
	fl.BoolVar(&f.enabled, "athena", false, "hunt the CloudTrail table in Amazon Athena instead of files (one query, prefilter and window pushed down)")
	fl.StringVar(&f.database, "database", "default", "Athena database holding the CloudTrail table (--athena)")
	fl.StringVar(&f.table, "table", "cloudtrail_logs", "the CloudTrail table, as portcullis athena ddl creates it (--athena)")
	fl.StringVar(&f.workgroup, "workgroup", "", "Athena workgroup (default: primary) (--athena)")
	fl.StringVar(&f.output, "output-location", "", "s3:// location for query results, when the workgroup sets none (--athena)")
	fl.StringVar(&f.catalog, "catalog", "", "data catalog (default: AwsDataCatalog) (--athena)")
	fl.StringVar(&f.endpoint, "athena-endpoint", "", "Athena endpoint URL (tests, VPC endpoints) (--athena)")
	fl.BoolVar(&f.printSQL, "print-sql", false, "print the query hunt --athena would send, and exit (no AWS call)")
}

func (a *App) runHuntAthena(cmd *cobra.Command, f huntFlags) error {
	hs, err := a.huntSetup(cmd.Context(), f)
	if err != nil {
		return err
	}
	af := f.athena
	opts := athena.HuntOptions{
		Table:  athena.Table{Catalog: af.catalog, Database: af.database, Name: af.table},
		Window: athena.Window{Since: hs.filter.Since, Until: hs.filter.Until, Accounts: hs.filter.Accounts, Regions: hs.filter.Regions},
		Hunt: hunt.Options{Config: hs.cfg, Rules: hs.rules, Snapshot: hs.snap,
			OnError: func(err error) { fmt.Fprintln(a.Stderr, "portcullis: input:", err) }},
		Describe: true,
		Warn:     func(s string) { fmt.Fprintln(a.Stderr, "portcullis: athena:", s) },
	}
	if af.printSQL {
		q, err := athena.Plan(opts)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.Stdout, q.SQL+";")
		return nil
	}
	ctx := cmd.Context()
	cfg, err := f.aws.awsConfig(ctx)
	if err != nil {
		return err
	}
	client := sdk.NewFromConfig(cfg, func(o *sdk.Options) {
		if af.endpoint != "" {
			o.BaseEndpoint = aws.String(af.endpoint)
		}
	})
	r := &athena.Runner{API: client, Workgroup: af.workgroup, OutputLocation: af.output, Catalog: af.catalog, Database: af.database}
	var prog athenaProgress
	if !f.quiet {
		prog = athenaProgress{w: a.Stderr, tty: a.StderrTTY}
		r.Progress = prog.update
		opts.OnQuery = func(q athena.Query) {
			fmt.Fprintf(a.Stderr, "athena: pushed down: %s\n", strings.Join(q.Pushed, ", "))
		}
	}
	res, st, err := r.Hunt(ctx, opts)
	prog.clear()
	if err != nil {
		return err
	}
	if err := a.writeOutput(f.output, func(w io.Writer) error { return finding.Write(w, hs.format, res.Findings) }); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	if !f.quiet {
		writeAthenaSummary(a.Stderr, res, st)
	}
	if gated(hs.gate, res.Findings) {
		return withCode(ExitFindings, "")
	}
	if res.InputErrors > 0 {
		return withCode(ExitBadInput, "%d rows could not be read back as CloudTrail records (see above)", res.InputErrors)
	}
	return partialExit(hs.snap)
}

// athenaProgress reports the query's states on stderr; on a terminal a
// self-erasing line counts the rows as pages arrive.
type athenaProgress struct {
	w     io.Writer
	tty   bool
	mu    sync.Mutex
	last  string
	shown bool
}

func (p *athenaProgress) update(st athena.Status) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w == nil {
		return
	}
	if st.State != p.last {
		if p.shown {
			fmt.Fprint(p.w, "\r\033[K")
			p.shown = false
		}
		p.last = st.State
		fmt.Fprintf(p.w, "athena: query %s %s\n", st.QueryID, st.State)
		return
	}
	if p.tty && st.Pages > 0 {
		fmt.Fprintf(p.w, "\r\033[K%d rows, %d pages", st.Rows, st.Pages)
		p.shown = true
	}
}

func (p *athenaProgress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

func writeAthenaSummary(w io.Writer, res *hunt.Result, st athena.Status) {
	fmt.Fprintf(w, "athena: query %s %s: %s scanned, %d rows returned in %d pages, engine %s; hunted in %s\n",
		st.QueryID, st.State, mb(st.DataScanned), st.Rows, st.Pages, st.EngineTime.Round(time.Millisecond), res.Elapsed.Round(time.Millisecond))
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

// athenaCmd groups the Athena helpers.
func (a *App) athenaCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "athena",
		Short: "Athena helpers: the CloudTrail table hunt --athena reads",
	}
	cmd.AddCommand(a.athenaDDLCmd())
	return cmd
}

func (a *App) athenaDDLCmd() *cobra.Command {
	var o athena.DDLOptions
	cmd := &cobra.Command{
		Use:   "ddl --bucket BUCKET [--org o-…] [--prefix P] [--table T] [--database D]",
		Short: "Print the CREATE EXTERNAL TABLE for an organization trail, with partition projection",
		Long: "Prints AWS's documented CloudTrail table for Athena, partitioned by account, region and\n" +
			"`timestamp` (yyyy/MM/dd) with partition projection: no partition is ever added by hand, and\n" +
			"hunt --athena reads only the days, accounts and regions of its window. Run the output in\n" +
			"the Athena console (or aws athena start-query-execution).",
		Example: `  portcullis athena ddl --bucket org-trail --org o-a1b2c3d4e5 --accounts 111111111111,222222222222
  portcullis athena ddl --bucket logs --prefix cloudtrail --org o-a1b2c3d4e5 --database security`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ddl, err := athena.DDL(o)
			if err != nil {
				return err
			}
			if len(o.Accounts) == 0 {
				fmt.Fprintln(a.Stderr, "portcullis: account is projected as 'injected': every query must name its accounts (hunt --account …); list them with --accounts for org-wide hunts")
			}
			_, err = io.WriteString(a.Stdout, ddl)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Bucket, "bucket", "", "S3 bucket the trail writes to (required)")
	fl.StringVar(&o.Org, "org", "", "organization id (o-…) of an organization trail")
	fl.StringVar(&o.Prefix, "prefix", "", "the trail's S3 key prefix, if it has one")
	fl.StringVar(&o.Table, "table", "cloudtrail_logs", "table name")
	fl.StringVar(&o.Database, "database", "", "database (default: the one selected when the DDL runs)")
	fl.StringSliceVar(&o.Accounts, "accounts", nil, "account ids to project (enum); without, account is 'injected'")
	fl.StringSliceVar(&o.Regions, "regions", nil, "regions to project (default: every commercial region)")
	fl.StringVar(&o.Start, "start", "2020/01/01", "first day of the trail (yyyy/MM/dd)")
	_ = cmd.MarkFlagRequired("bucket")
	return cmd
}
