package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/portcullis-sec/portcullis/internal/collect"
	awscollect "github.com/portcullis-sec/portcullis/internal/collect/aws"
	"github.com/portcullis-sec/portcullis/internal/collect/terraform"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/source"
	"github.com/portcullis-sec/portcullis/internal/source/eventhistory"
	"github.com/portcullis-sec/portcullis/internal/version"
)

type snapshotFlags struct {
	from, out                 string
	region, profile, endpoint string
	instanceARN               string
	allowPartial, printPolicy bool
	concurrency               int
	planned                   bool
	base, since, until        string
	skipOther                 bool
	lookupRate                float64
}

// snapshotSources are the --from values, in the order help lists them.
var snapshotSources = []string{"aws", "terraform", "events", "file"}

// sourceFlags says which --from each source-specific flag belongs to (one
// or more, space-separated), so a flag that would be silently ignored is an
// error instead. --from events takes the connection flags for the event
// history only (snapshotEvents checks).
var sourceFlags = map[string]string{
	"region": "aws events", "profile": "aws events", "endpoint": "aws events", "instance-arn": "aws",
	"allow-partial": "aws", "concurrency": "aws",
	"planned": "terraform",
	"base":    "events", "since": "events", "until": "events", "skip-other-instances": "events", "lookup-rate": "events",
}

func (a *App) snapshotCmd() *cobra.Command {
	var f snapshotFlags
	cmd := &cobra.Command{
		Use:   "snapshot --from aws|terraform|events|file [FILE|PATH...]",
		Short: "Capture Identity Center state from the live API, Terraform, replayed CloudTrail or a snapshot file",
		Long: `snapshot writes a versioned JSON snapshot of one Identity Center instance
(portcullis.snapshot/v1) that every other command reads with --snapshot FILE.

  --from aws                  the live API (sso-admin, identitystore, organizations), read only
  --from terraform FILE       .tfstate (v4) or terraform show -json of a state or a plan
  --from events PATH...       CloudTrail replayed onto --base SNAPSHOT (or an empty model);
                              PATH event-history[:REGION,…] replays CloudTrail's 90-day
                              event history (LookupEvents; --region, --profile, --endpoint)
  --from file SNAPSHOT        re-read, validate and normalise a snapshot

A snapshot that could not be read completely is never written as complete:
--from aws fails unless --allow-partial, which writes it marked partial,
lists what is missing on stderr and exits 2.`,
		Example: `  portcullis snapshot --from aws --region eu-west-1 --out idc.json
  portcullis snapshot --print-policy > portcullis-snapshot-policy.json
  portcullis snapshot --from terraform terraform.tfstate --out idc.json
  terraform show -json plan.out > plan.json && portcullis snapshot --from terraform --planned plan.json
  portcullis snapshot --from events --base idc.json ./AWSLogs --out idc-now.json
  portcullis snapshot --from events --base idc.json event-history:eu-west-1 --out idc-now.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runSnapshot(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "where state comes from: "+strings.Join(snapshotSources, ", "))
	fl.StringVarP(&f.out, "out", "o", "", "write the snapshot to this file (default stdout; atomically: a complete file or none)")
	fl.StringVar(&f.out, "output", "", "the same as --out")
	fl.BoolVar(&f.printPolicy, "print-policy", false, "print the least-privilege IAM policy --from aws needs, and exit")
	fl.StringVar(&f.region, "region", "", "aws: the Identity Center region (default: the SDK chain, AWS_REGION or the profile's); events: the event history's region when event-history names none")
	fl.StringVar(&f.profile, "profile", "", "aws, events (event history): shared config profile")
	fl.StringVar(&f.endpoint, "endpoint", "", "aws: endpoint URL override for all three services (private endpoints, tests); events: for CloudTrail")
	fl.StringVar(&f.instanceARN, "instance-arn", "", "aws: the Identity Center instance, when the account sees more than one")
	fl.BoolVar(&f.allowPartial, "allow-partial", false, "aws: write a snapshot marked partial when some reads fail (exit 2) instead of failing")
	fl.IntVar(&f.concurrency, "concurrency", 4, "aws: requests in flight (the Identity Center APIs share a low rate limit)")
	fl.BoolVar(&f.planned, "planned", false, "terraform: for a plan, the state apply would leave (planned_values) instead of prior_state")
	fl.StringVar(&f.base, "base", "", "events: snapshot to replay onto (default: an empty model)")
	fl.StringVar(&f.since, "since", "", "events: only events after this (duration back from now or a time); default with --base: its captured_at")
	fl.StringVar(&f.until, "until", "", "events: only events before this (same forms as --since)")
	fl.BoolVar(&f.skipOther, "skip-other-instances", false, "events: drop writes of another Identity Center instance than the base's (default: refuse them)")
	fl.Float64Var(&f.lookupRate, "lookup-rate", eventhistory.Rate, "events (event history): LookupEvents requests per second per region (the API allows 2)")
	return cmd
}

func (a *App) runSnapshot(cmd *cobra.Command, args []string, f snapshotFlags) error {
	if f.printPolicy {
		return writeWithNewline(a.Stdout, awscollect.Policy())
	}
	if f.from == "" {
		return fmt.Errorf("--from is required: one of %s", strings.Join(snapshotSources, ", "))
	}
	if !slices.Contains(snapshotSources, f.from) {
		return fmt.Errorf("--from: unknown source %q (want %s)", f.from, strings.Join(snapshotSources, ", "))
	}
	var misplaced []string
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if src, ok := sourceFlags[fl.Name]; ok && !slices.Contains(strings.Fields(src), f.from) {
			misplaced = append(misplaced, fmt.Sprintf("--%s goes with --from %s", fl.Name, strings.ReplaceAll(src, " ", " or ")))
		}
	})
	if len(misplaced) > 0 {
		return fmt.Errorf("%s, not --from %s", strings.Join(misplaced, "; "), f.from)
	}
	var (
		m   *idc.Model
		err error
	)
	switch f.from {
	case "aws":
		if len(args) > 0 {
			return fmt.Errorf("--from aws takes no arguments, got %q", args[0])
		}
		m, err = a.snapshotAWS(cmd, f)
	case "terraform":
		if len(args) != 1 {
			return fmt.Errorf("--from terraform wants one FILE (.tfstate or terraform show -json output), got %d arguments", len(args))
		}
		m, err = a.snapshotTerraform(args[0], f.planned)
	case "events":
		if len(args) == 0 {
			return fmt.Errorf("--from events wants at least one PATH (file, directory, s3://… or - for stdin)")
		}
		m, err = a.snapshotEvents(cmd, args, f)
	case "file":
		if len(args) != 1 {
			return fmt.Errorf("--from file wants one SNAPSHOT, got %d arguments", len(args))
		}
		m, err = idc.Load(args[0])
	}
	if err != nil {
		return err
	}
	if m.Partial && f.from == "aws" && !f.allowPartial {
		return fmt.Errorf("snapshot incomplete, nothing written (rerun with --allow-partial to write it marked partial); missing:\n  %s",
			strings.Join(m.Missing, "\n  "))
	}
	if err := a.writeSnapshot(m, f.out); err != nil {
		return err
	}
	if f.from != "aws" { // the collector logs its own summary
		fmt.Fprintf(a.Stderr, "snapshot from %s: %d accounts, %d users, %d groups, %d permission sets, %d assignments\n",
			f.from, len(m.Accounts), len(m.Users), len(m.Groups), len(m.PermissionSets), len(m.Assignments))
	}
	warnList(a.Stderr, "snapshot: warning: ", m.Validate(), 5)
	if m.Partial {
		fmt.Fprintf(a.Stderr, "portcullis: warning: the snapshot is PARTIAL; it was written marked partial, and these parts are missing:\n  %s\n",
			strings.Join(m.Missing, "\n  "))
		return withCode(ExitBadInput, "partial snapshot written (%d missing, listed above)", len(m.Missing))
	}
	return nil
}

func (a *App) snapshotAWS(cmd *cobra.Command, f snapshotFlags) (*idc.Model, error) {
	if f.concurrency < 1 {
		return nil, fmt.Errorf("--concurrency: want at least 1, got %d", f.concurrency)
	}
	var mu sync.Mutex // the collector logs from its workers
	began := a.Now().UTC()
	m, err := awscollect.Collect(cmd.Context(), awscollect.Options{
		Region: f.region, Profile: f.profile, Endpoint: f.endpoint, InstanceARN: f.instanceARN,
		Concurrency: f.concurrency, AllowPartial: f.allowPartial, UserAgentVersion: version.String(),
		Logf: func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(a.Stderr, "aws: "+format+"\n", args...)
		},
	})
	if err != nil {
		return nil, err
	}
	// The state is what was read from the start of the collection on; an
	// events replay from this time forward is then never short of a change.
	m.CapturedAt = began
	return m, nil
}

func (a *App) snapshotTerraform(path string, planned bool) (*idc.Model, error) {
	res, err := terraform.LoadResult(path)
	if err != nil {
		return nil, err
	}
	m := res.Current
	if planned {
		if res.Planned == nil {
			return nil, fmt.Errorf("--planned: %s is a %s, not a plan (terraform show -json of a plan file)", path, res.Kind)
		}
		m = res.Planned
	}
	m.CapturedAt = a.Now().UTC() // state files carry no time
	return m, nil
}

// writeSnapshot writes the snapshot to stdout or, atomically, to out.
func (a *App) writeSnapshot(m *idc.Model, out string) error {
	return a.writeOutput(out, m.Write)
}

// warnList prints up to max errors, then how many more there were.
func warnList(w io.Writer, prefix string, errs []error, max int) {
	for i, err := range errs {
		if i == max {
			fmt.Fprintf(w, "%s… and %d more\n", prefix, len(errs)-max)
			return
		}
		fmt.Fprintf(w, "%s%v\n", prefix, err)
	}
}

func writeWithNewline(w io.Writer, b []byte) error {
	if len(b) == 0 || b[len(b)-1] != '\n' {
		b = append(b[:len(b):len(b)], '\n')
	}
	_, err := w.Write(b)
	return err
}

// snapshotEvents replays CloudTrail onto the base model. Unreadable input
// and writes that could not be applied still give a snapshot, but one
// marked partial, which ends the command with exit 2.
func (a *App) snapshotEvents(cmd *cobra.Command, args []string, f snapshotFlags) (*idc.Model, error) {
	m := idc.New("events")
	// Events alone only show what changed in the window.
	for _, f := range []string{idc.FactDelegatedAdmin, idc.FactManagementAccount, idc.FactMemberships, idc.FactPermissionSets} {
		m.SetUnknown(f)
	}
	if f.base != "" {
		b, err := idc.Load(f.base)
		if err != nil {
			return nil, fmt.Errorf("--base: %w", err)
		}
		m = b
		m.From = "events"
	}
	var filter source.Filter
	var err error
	if filter.Since, filter.Until, err = timeWindow(f.since, f.until, a.Now()); err != nil {
		return nil, err
	}
	if f.since == "" && f.base != "" && !m.CapturedAt.IsZero() {
		// Events before the base was captured are already in it.
		filter.Since = m.CapturedAt
		if !filter.Until.IsZero() && !filter.Since.Before(filter.Until) {
			return nil, fmt.Errorf("--until %s is not after the base's captured_at %s, where the replay starts (--since overrides): the window holds nothing",
				stamp(filter.Until), stamp(filter.Since))
		}
		fmt.Fprintf(a.Stderr, "replaying events from %s (the base's captured_at; --since overrides)\n", m.CapturedAt.Format(time.RFC3339))
	}
	if history, err := a.snapshotHistory(cmd, args, f, m, filter); history || err != nil {
		return m, err
	}
	paths, objs, err := a.resolveInputs(cmd, args, filter, cloudFlags{})
	if err != nil {
		return nil, err
	}
	var ws source.WalkStats
	var lost []error // paths that cannot be read, while others can
	if len(paths) > 0 {
		ws, err = source.Walk(cmd.Context(), paths, filter, func(o source.Object) error {
			objs = append(objs, o)
			return nil
		})
		if err != nil && (cmd.Context().Err() != nil || len(objs) == 0) {
			return nil, err
		}
		lost = collect.PathErrors(err)
	}
	st, err := collect.Replay(cmd.Context(), m, objs, collect.ReplayOptions{
		Since: filter.Since, Until: filter.Until, SkipOtherInstances: f.skipOther,
		OnError: func(err error) { fmt.Fprintln(a.Stderr, "portcullis: input:", err) },
	})
	if err != nil {
		return nil, err
	}
	for _, e := range lost {
		fmt.Fprintln(a.Stderr, "portcullis: input:", e)
		m.Missing = append(m.Missing, "events: "+e.Error())
		m.Partial = true
	}
	if st.OtherInstance > 0 {
		fmt.Fprintf(a.Stderr, "portcullis: skipped %d write(s) of other instances (--skip-other-instances); first: %s\n", st.OtherInstance, st.FirstOther.What())
	}
	fmt.Fprintf(a.Stderr, "replayed %d files, %d records: %d Identity Center events read, %d changes applied, %d could not be applied\n",
		st.Files, st.Records, st.Matched, st.Applied, len(st.ApplyErrors))
	a.noteEmptyWindow(filter, ws, st.Stats)
	warnList(a.Stderr, "portcullis: apply: ", st.ApplyErrors, 10)
	return m, nil
}
