package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/access"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/hunt"
	"github.com/portcullis-sec/portcullis/internal/respond"
	"github.com/portcullis-sec/portcullis/internal/simulate"
)

func (a *App) demoCmd() *cobra.Command {
	var keep bool
	var events int64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Simulate a small organization under attack, hunt it and show what portcullis finds (no AWS account needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := os.MkdirTemp("", "portcullis-demo-")
			if err != nil {
				return err
			}
			if !keep {
				defer os.RemoveAll(dir)
			}
			w := a.Stdout
			fmt.Fprintf(w, "1. Simulating an AWS organization with Identity Center under attack in %s …\n", dir)
			sum, err := simulate.Run(cmd.Context(), simulate.Options{Out: dir, Events: events, Seed: 42, Scenarios: []string{"all"}})
			if err != nil {
				return fmt.Errorf("simulate: %w", err)
			}
			fmt.Fprintf(w, "   %d CloudTrail files, %d records (%d of them attack steps hidden in the noise)\n\n", sum.Files, sum.Records, len(sum.Attacks))
			cfg, err := config.Load(sum.ConfigPath)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "2. Hunting it: portcullis hunt --config %s %s\n", sum.ConfigPath, filepath.Join(dir, "AWSLogs"))
			res, err := hunt.Run(cmd.Context(), hunt.Options{Paths: []string{filepath.Join(dir, "AWSLogs")}, Config: cfg})
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "   read %d records in %s; %d passed the prefilter; %d findings\n\n", res.Scan.Records, res.Elapsed.Round(1e6), res.Scan.Matched, len(res.Findings))
			var serious []finding.Finding
			low := 0
			for _, f := range res.Findings {
				if f.Severity >= finding.Medium {
					serious = append(serious, f)
				} else {
					low++
				}
			}
			fmt.Fprintf(w, "3. Findings at medium or above (%d more at low/info: routine admin work and failed attempts):\n\n", low)
			if err := finding.WriteTable(w, serious); err != nil {
				return err
			}
			fmt.Fprintf(w, "\n4. The story, in order:\n\n")
			for _, line := range story(serious) {
				fmt.Fprintln(w, "   "+line)
			}
			if err := a.demoAftermath(w, res, cfg); err != nil {
				return err
			}
			demoConfigPlane(w, serious)
			if keep {
				fmt.Fprintf(w, "\nThe trail is kept in %s (config: %s).\n", dir, sum.ConfigPath)
			} else {
				fmt.Fprintf(w, "\nRun with --keep to keep the trail and try: portcullis hunt --config %s DIR\n", filepath.Base(sum.ConfigPath))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the simulated trail")
	cmd.Flags().Int64Var(&events, "events", 30000, "records to simulate")
	return cmd
}

// story turns findings into short sentences: who did what, when.
func story(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		who := f.Actor.Name
		if who == "" {
			who = f.Actor.ARN
		}
		out = append(out, fmt.Sprintf("%s  [%s] %s", f.Time.UTC().Format("Jan 02 15:04"), strings.ToUpper(f.Severity.String()), f.Summary))
		_ = who
	}
	return out
}

// demoAftermath shows what the attack left: admin paths into sensitive
// accounts in the state replayed from the trail, and the containment plan
// for the backdoor permission set (a dry run: nothing is called).
func (a *App) demoAftermath(w io.Writer, res *hunt.Result, cfg *config.Config) error {
	g := access.Compute(res.State)
	paths := g.AdminPathsIntoSensitive(cfg)
	fmt.Fprintf(w, "\n5. Admin paths into sensitive accounts, in the state replayed from the trail (portcullis access --admin-paths-sensitive):\n\n")
	if err := access.WriteTable(w, paths); err != nil {
		return err
	}
	var target *finding.Finding
	for i := range res.Findings {
		if res.Findings[i].Rule == "idc.chain.backdoor-permission-set" {
			target = &res.Findings[i]
			break
		}
	}
	if target == nil {
		return nil
	}
	fmt.Fprintf(w, "\n6. Containment plan for %s (portcullis contain --finding %s --delete-permission-set; dry run, nothing is called):\n\n", target.Rule, target.ID[:11])
	plan, err := respond.Plan(respond.Input{Finding: target, DeletePermissionSet: true}, res.State, cfg, a.Now())
	if plan == nil {
		return fmt.Errorf("containment plan: %w", err)
	}
	if rerr := respond.RenderPlan(w, plan, "text"); rerr != nil {
		return rerr
	}
	if err != nil {
		fmt.Fprintf(w, "\n(guard rails: %v)\n", err)
	}
	return nil
}
