package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/simulate"
)

func (a *App) simulateCmd() *cobra.Command {
	var (
		o                                     simulate.Options
		size, start, snapshot                 string
		users, groups, accounts, sets, assign int
		force                                 bool
	)
	cmd := &cobra.Command{
		Use:   "simulate --out DIR",
		Short: "Write a synthetic organization trail (benign noise plus attack scenarios) or a synthetic snapshot",
		Example: `  portcullis simulate --out /tmp/trail --scenario all --events 200000 --seed 7
  portcullis simulate --out /tmp/trail --size 1GB
  portcullis simulate --snapshot /tmp/big.json --users 10000 --groups 2000 --accounts 500 --permission-sets 300 --assignments 100000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if snapshot != "" {
				m := idc.Synthetic(o.Seed, users, groups, accounts, sets, assign)
				if err := a.writeOutput(snapshot, m.Write); err != nil {
					return fmt.Errorf("write %s: %w", snapshot, err)
				}
				fmt.Fprintf(a.Stderr, "wrote synthetic snapshot %s: %d users, %d groups, %d accounts, %d permission sets, %d assignments\n",
					snapshot, len(m.Users), len(m.Groups), len(m.Accounts), len(m.PermissionSets), len(m.Assignments))
				return nil
			}
			if o.Out == "" {
				return fmt.Errorf("--out is required")
			}
			if err := checkOutDir(o.Out, force); err != nil {
				return err
			}
			if size != "" {
				n, err := simulate.ParseSize(size)
				if err != nil {
					return fmt.Errorf("--size: %w", err)
				}
				o.Size = n
			}
			if start != "" {
				t, err := time.Parse("2006-01-02", start)
				if err != nil {
					return fmt.Errorf("--start: want YYYY-MM-DD: %w", err)
				}
				o.Start = t
			}
			for _, s := range o.Scenarios {
				if s != "all" && !slices.Contains(simulate.ScenarioNames(), s) {
					return fmt.Errorf("--scenario: unknown %q (want all or one of %s)", s, strings.Join(simulate.ScenarioNames(), ", "))
				}
			}
			began := a.Now()
			sum, err := simulate.Run(cmd.Context(), o)
			if err != nil {
				return err
			}
			el := a.Now().Sub(began)
			fmt.Fprintf(a.Stderr, "wrote %d files, %d records, %.1f MB JSON (%.1f MB gzipped) in %s; %d attack records; config %s\n",
				sum.Files, sum.Records, float64(sum.Bytes)/1e6, float64(sum.CompressedBytes)/1e6, el.Round(time.Millisecond), len(sum.Attacks), sum.ConfigPath)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Out, "out", "", "output directory (org-trail layout under AWSLogs/); must be empty or new unless --force")
	fl.BoolVar(&force, "force", false, "write into a non-empty --out: files of the same name are overwritten, nothing is deleted (an older trail there stays and mixes with the new one)")
	fl.Int64Var(&o.Events, "events", 0, "records to write (default 20000)")
	fl.StringVar(&size, "size", "", "approximate uncompressed size instead of --events (e.g. 1GB, 200MB)")
	fl.Int64Var(&o.Seed, "seed", 1, "random seed: the same seed and flags give identical files")
	fl.StringSliceVar(&o.Scenarios, "scenario", nil, "attack scenarios to plant: all, or "+strings.Join(simulate.ScenarioNames(), ", "))
	fl.IntVar(&o.Accounts, "accounts", 0, "member accounts (default 12)")
	fl.IntVar(&o.Days, "days", 0, "days of activity (default 3)")
	fl.StringVar(&start, "start", "", "first day, YYYY-MM-DD (default 2026-11-01)")
	fl.IntVar(&o.Workers, "workers", 0, "files written in parallel (default: CPUs)")
	fl.StringVar(&snapshot, "snapshot", "", "write a synthetic Identity Center snapshot to this file instead of a trail")
	fl.IntVar(&users, "users", 10000, "snapshot mode: users")
	fl.IntVar(&groups, "groups", 2000, "snapshot mode: groups")
	fl.IntVar(&accounts, "snapshot-accounts", 500, "snapshot mode: accounts")
	fl.IntVar(&sets, "permission-sets", 300, "snapshot mode: permission sets")
	fl.IntVar(&assign, "assignments", 100000, "snapshot mode: assignments")
	return cmd
}

// checkOutDir refuses a --out that already holds files: a second trail
// would mix two organizations and overwrite the first one's truth file and
// config. --force writes anyway and still deletes nothing.
func checkOutDir(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("--out %s: %w", dir, err)
	case len(entries) == 0 || force:
		return nil
	}
	return fmt.Errorf("--out %s is not empty (%d entries, e.g. %s): a trail written there would mix with what is there and overwrite its %s and portcullis.yaml; "+
		"use a new or empty folder, or --force to write into it anyway (it overwrites files of the same name and deletes nothing)",
		dir, len(entries), entries[0].Name(), ".portcullis-truth.json")
}
