package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/version"
)

func (a *App) versionCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date and Go version",
		Long: `version prints what build of portcullis this is. The version is the same one
OCSF output carries in metadata.product.version and every AWS call carries in
its user agent (portcullis/<version>).`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			in := version.Get()
			switch format {
			case "json":
				return writeJSON(a.Stdout, in)
			case "text":
			default:
				return fmt.Errorf("--format: want text or json, got %q", format)
			}
			tw := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "portcullis\t%s\n", in.Version)
			if in.Commit != "" {
				modified := ""
				if in.Modified {
					modified = " (modified)"
				}
				fmt.Fprintf(tw, "commit\t%s%s\n", in.Commit, modified)
			}
			if in.Date != "" {
				fmt.Fprintf(tw, "built\t%s\n", in.Date)
			}
			fmt.Fprintf(tw, "go\t%s %s\n", in.GoVersion, in.Platform)
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}
