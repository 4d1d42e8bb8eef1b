package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/detect"
)

func (a *App) rulesCmd() *cobra.Command {
	var dirs []string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List, show, test and document the rule pack",
	}
	cmd.PersistentFlags().StringSliceVar(&dirs, "rules", nil, "extra rule directory (Sigma YAML), added to the built-in pack")
	load := func() (*detect.RuleSet, error) { return detect.Load(dirs...) }

	list := &cobra.Command{
		Use:   "list",
		Short: "List the rules",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rs, err := load()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tLEVEL\tKIND\tTITLE")
			for _, r := range rs.Rules {
				if !r.Generates() {
					continue
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Portcullis.ID, r.Level, r.KindLabel(), r.Title)
			}
			return tw.Flush()
		},
	}
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one rule as written (Sigma YAML with its portcullis block and tests)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := load()
			if err != nil {
				return err
			}
			r := rs.Find(args[0])
			if r == nil {
				return fmt.Errorf("no rule %q (see portcullis rules list)", args[0])
			}
			fmt.Fprintf(a.Stdout, "# %s — %s (from %s)\n", r.Portcullis.ID, r.Title, r.Source)
			_, err = a.Stdout.Write(r.YAML)
			return err
		},
	}
	test := &cobra.Command{
		Use:   "test",
		Short: "Run every rule's own positive and negative test events",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rs, err := load()
			if err != nil {
				return err
			}
			cfg, err := detect.TestContext()
			if err != nil {
				return err
			}
			res, err := rs.RunTests(cfg)
			if err != nil {
				return err
			}
			failed := 0
			for _, r := range res {
				if !r.Passed {
					failed++
					fmt.Fprintf(a.Stdout, "FAIL %s: %s: %s\n", r.Rule, r.Name, r.Detail)
				}
			}
			fmt.Fprintf(a.Stdout, "%d passed, %d failed\n", len(res)-failed, failed)
			if failed > 0 {
				return withCode(ExitError, "%d rule tests failed", failed)
			}
			return nil
		},
	}
	docs := &cobra.Command{
		Use:   "docs",
		Short: "Print the Markdown rule table for the README (ids, severities, one example each)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rs, err := load()
			if err != nil {
				return err
			}
			cfg, err := detect.TestContext()
			if err != nil {
				return err
			}
			md, err := detect.Docs(rs, cfg)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(a.Stdout, md)
			return err
		},
	}
	cmd.AddCommand(list, show, test, docs)
	return cmd
}
