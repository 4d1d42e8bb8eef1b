package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/detect"
)

func (a *App) rulesCmd() *cobra.Command {
	var dirs []string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List, show, test, document and export the rule pack",
	}
	cmd.PersistentFlags().StringSliceVar(&dirs, "rules", nil, "extra rule directory (Sigma YAML), added to the built-in pack")
	load := func() (*detect.RuleSet, error) { return detect.Load(dirs...) }

	var listFormat, listOutput, docsOutput string
	var verbose bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the rules (table, or json with their metadata)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(listFormat, []string{"table", "json"}); err != nil {
				return err
			}
			rs, err := load()
			if err != nil {
				return err
			}
			return a.writeOutput(listOutput, func(w io.Writer) error { return writeRuleList(w, rs, listFormat) })
		},
	}
	list.Flags().StringVar(&listFormat, "format", "table", "table or json")
	addOutput(list, &listOutput)
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
		Use:   "test [-v]",
		Short: "Run every rule's own positive and negative test events (-v: each test's verdict)",
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
			failed := writeRuleTests(a.Stdout, res, verbose)
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
			return a.writeOutput(docsOutput, func(w io.Writer) error { _, err := io.WriteString(w, md); return err })
		},
	}
	test.Flags().BoolVarP(&verbose, "verbose", "v", false, "print every test with its verdict: rule, test, expected and got (match and severity)")
	addOutput(docs, &docsOutput)
	cmd.AddCommand(list, show, test, docs, a.rulesExportCmd(&dirs))
	return cmd
}
