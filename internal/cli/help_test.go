package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// walk calls fn for every command of the tree.
func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walk(sub, fn)
	}
}

// TestFlagUsageHasNoBackticks: pflag takes a `quoted` word of a usage text
// as the flag's argument name, so help would read "--baseline terraform
// show -json" instead of "--baseline string".
func TestFlagUsageHasNoBackticks(t *testing.T) {
	app, _, _ := session{}.app()
	walk(app.Root(), func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			if strings.Contains(f.Usage, "`") {
				name, _ := pflag.UnquoteUsage(f)
				t.Errorf("%s --%s: usage has a backtick, help shows the argument as %q: %s", c.CommandPath(), f.Name, name, f.Usage)
			}
		}
		c.LocalFlags().VisitAll(check)
		c.PersistentFlags().VisitAll(check)
	})
}
