package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/portcullis-sec/portcullis/internal/collect"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/hunt"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/source"
	"github.com/portcullis-sec/portcullis/internal/source/eventhistory"
)

// historyFlags are hunt's flags for CloudTrail's 90-day event history. The
// regions and profile are hunt's --aws-region and --profile.
type historyFlags struct {
	enabled  bool
	endpoint string
	rate     float64
}

func (f *historyFlags) register(fl *pflag.FlagSet) {
	fl.BoolVar(&f.enabled, "event-history", false, "hunt CloudTrail's 90-day event history (LookupEvents) of the --aws-region regions instead of files: no trail needed")
	fl.StringVar(&f.endpoint, "cloudtrail-endpoint", "", "CloudTrail endpoint URL (tests, VPC endpoints) (--event-history)")
	fl.Float64Var(&f.rate, "lookup-rate", eventhistory.Rate, "LookupEvents requests per second per region; the API allows 2, lower it to leave room for other tools (--event-history)")
}

// historyRegions are --aws-region's regions (comma-separated).
func historyRegions(s string) []string {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// runHuntHistory hunts the event history: the lookups follow the loaded
// rules, events reach the engine in time order as from files.
func (a *App) runHuntHistory(cmd *cobra.Command, f huntFlags) error {
	switch {
	case f.athena.enabled:
		return fmt.Errorf("--event-history and --athena are two sources: pick one")
	case len(f.accounts) > 0 || len(f.region) > 0:
		return fmt.Errorf("--account and --region prune trail paths; the event history holds the signed-in account only, and its regions are --aws-region")
	case f.aws.s3Endpoint != "":
		return fmt.Errorf("--s3-endpoint is for s3:// inputs, not --event-history")
	case f.history.rate <= 0:
		return fmt.Errorf("--lookup-rate: want more than 0 requests per second, got %v", f.history.rate)
	}
	hs, err := a.huntSetup(cmd.Context(), f)
	if err != nil {
		return err
	}
	now := a.Now()
	if hs.filter.Until.IsZero() {
		hs.filter.Until = now
	}
	if hs.filter.Since.IsZero() {
		hs.filter.Since = hs.filter.Until.Add(-eventhistory.Horizon)
	}
	if !hs.filter.Since.Before(hs.filter.Until) {
		return fmt.Errorf("--since %s is not before --until %s", hs.filter.Since.Format(time.RFC3339), hs.filter.Until.Format(time.RFC3339))
	}
	if hs.filter.Since.Before(now.Add(-eventhistory.Horizon)) {
		fmt.Fprintf(a.Stderr, "portcullis: warning: --since %s is more than 90 days ago: the event history holds only the last 90 days\n", hs.filter.Since.Format("2006-01-02"))
	}
	if f.history.rate > eventhistory.Rate {
		fmt.Fprintf(a.Stderr, "portcullis: warning: --lookup-rate %v is above the API's limit of %v per second per region: expect throttling\n", f.history.rate, eventhistory.Rate)
	}

	ctx := cmd.Context()
	regions := historyRegions(f.aws.region)
	conn := f.aws
	conn.region = ""
	if len(regions) > 0 {
		conn.region = regions[0]
	}
	cfg, err := conn.awsConfig(ctx)
	if err != nil {
		return fmt.Errorf("--event-history (regions: --aws-region): %w", err)
	}
	if len(regions) == 0 {
		regions = []string{cfg.Region}
	}
	ho := hunt.Options{Config: hs.cfg, Rules: hs.rules, Snapshot: hs.snap, Filter: hs.filter}
	interest, err := hunt.Interest(ho)
	if err != nil {
		return err
	}
	prog := &historyProgress{w: a.Stderr}
	ro := eventhistory.Options{
		Regions: regions, Client: eventhistory.NewClient(cfg, f.history.endpoint), Interests: interest,
		Since: hs.filter.Since, Until: hs.filter.Until, Rate: f.history.rate,
	}
	if !f.quiet && a.StderrTTY {
		ro.Progress = prog.update
	}
	ho.OnError = func(err error) { prog.println("portcullis: input:", err) }
	var st eventhistory.Stats
	res, runErr := hunt.RunEvents(ctx, ho, eventhistory.Events(ctx, ro, &st))
	prog.clear()
	if res == nil {
		return runErr
	}
	if err := a.writeOutput(f.output, func(w io.Writer) error { return finding.Write(w, hs.format, res.Findings) }); err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	if !f.quiet {
		writeHistorySummary(a.Stderr, res, st)
	}
	if runErr != nil {
		// What was found stands; the window after Reached was not read.
		return fmt.Errorf("the event history was read up to %s only (findings above cover that much): %w", st.Reached.Format(time.RFC3339), runErr)
	}
	if gated(hs.gate, res.Findings) {
		return withCode(ExitFindings, "")
	}
	if res.InputErrors > 0 {
		return withCode(ExitBadInput, "%d event history records could not be read (see above)", res.InputErrors)
	}
	return partialExit(hs.snap)
}

// historyProgress draws the event history's progress on one
// self-erasing terminal line.
type historyProgress struct {
	w     io.Writer
	mu    sync.Mutex
	shown bool
}

func (p *historyProgress) update(st eventhistory.Stats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[Kevent history: %d pages, %d events, %d matched, %d throttled; reached %s (%.0f%%)",
		st.Pages, st.Events, st.Matched, st.Throttles, st.Reached.UTC().Format("2006-01-02 15:04"), 100*reached(st))
	p.shown = true
}

// println prints a line of its own, clearing the progress line first.
func (p *historyProgress) println(v ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
	fmt.Fprintln(p.w, v...)
}

func (p *historyProgress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

// reached is the share of the window read.
func reached(st eventhistory.Stats) float64 {
	total := st.Until.Sub(st.Since)
	if total <= 0 {
		return 1
	}
	return min(1, float64(st.Reached.Sub(st.Since))/float64(total))
}

// writeHistorySummary prints what the read asked, got and found.
func writeHistorySummary(w io.Writer, res *hunt.Result, st eventhistory.Stats) {
	fmt.Fprintf(w, "event history: %s to %s, %d region(s) × %d lookups (%s), %d slices\n",
		st.Since.UTC().Format(time.RFC3339), st.Until.UTC().Format(time.RFC3339), st.Regions, len(st.Lookups), strings.Join(st.Lookups, ", "), st.Slices)
	fmt.Fprintf(w, "read %d pages (%d requests), %d events, %d matched the prefilter, %d throttles, %d retries, %d duplicates, in %s\n",
		st.Pages, st.Requests, st.Events, st.Matched, st.Throttles, st.Retries, st.Duplicates, res.Elapsed.Round(time.Millisecond))
	if res.InputErrors > 0 {
		fmt.Fprintf(w, "unreadable: %d records\n", res.InputErrors)
	}
	if n := len(res.ApplyErrors); n > 0 {
		fmt.Fprintf(w, "state: %d Identity Center events could not be applied to the model (first: %v)\n", n, res.ApplyErrors[0])
	}
	by := finding.CountBySeverity(res.Findings)
	fmt.Fprintf(w, "findings: %d (critical %d, high %d, medium %d, low %d, info %d)\n", len(res.Findings),
		by[finding.Critical], by[finding.High], by[finding.Medium], by[finding.Low], by[finding.Info])
}

// snapshotHistory replays the event history onto m when the only PATH of
// snapshot --from events is the event-history spec (history true); the
// connection flags --region, --profile and --endpoint go with it alone.
func (a *App) snapshotHistory(cmd *cobra.Command, args []string, f snapshotFlags, m *idc.Model, filter source.Filter) (history bool, err error) {
	var regions []string
	for _, arg := range args {
		if r, ok := collect.HistoryRegions(arg); ok {
			history, regions = true, r
		}
	}
	switch {
	case history && len(args) > 1:
		return true, fmt.Errorf("--from events: %s is read on its own, not with other paths (replay one onto the other with --base)", collect.HistorySpec)
	case !history:
		for _, name := range []string{"region", "profile", "endpoint", "lookup-rate"} {
			if cmd.Flags().Changed(name) {
				return false, fmt.Errorf("--%s goes with --from aws, or --from events %s", name, collect.HistorySpec)
			}
		}
		return false, nil
	}
	if !filter.Since.IsZero() && filter.Since.Before(a.Now().Add(-eventhistory.Horizon)) {
		fmt.Fprintf(a.Stderr, "portcullis: warning: replaying from %s, more than 90 days ago: the event history holds only the last 90 days\n", filter.Since.Format("2006-01-02"))
	}
	prog := &historyProgress{w: a.Stderr}
	// The history is read up to now; the snapshot is dated by --until or its
	// last event (collect.Replay), never by the clock.
	h := collect.History{AWS: a.collectOptions(awsFlags{region: f.region, profile: f.profile, endpoint: f.endpoint}), Rate: f.lookupRate}
	if a.StderrTTY {
		h.Progress = prog.update
	}
	st, err := collect.ReplayHistory(cmd.Context(), m, regions, h, collect.ReplayOptions{
		Since: filter.Since, Until: filter.Until, Now: a.Now(),
		OnError: func(err error) { prog.println("portcullis: input:", err) },
	})
	prog.clear()
	if err != nil {
		return true, err
	}
	hs := st.History
	fmt.Fprintf(a.Stderr, "replayed the event history of %d region(s), %s to %s: %d pages, %d events, %d throttles; %d Identity Center events read, %d changes applied, %d could not be applied\n",
		hs.Regions, hs.Since.UTC().Format(time.RFC3339), hs.Until.UTC().Format(time.RFC3339), hs.Pages, hs.Events, hs.Throttles, st.Matched, st.Applied, len(st.ApplyErrors))
	warnList(a.Stderr, "portcullis: apply: ", st.ApplyErrors, 10)
	return true, nil
}
