package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/collect"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/drift"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

func (a *App) diffCmd() *cobra.Command {
	var (
		aws                                awsFlags
		configPath, format, failOn, output string
	)
	cmd := &cobra.Command{
		Use:   "diff BASELINE CURRENT",
		Short: "List every difference between two Identity Center states (snapshot, Terraform or live AWS)",
		Long: `diff compares two Identity Center states and lists every difference with the
identity of the object (an assignment is permission set + principal + account),
a severity in the context of portcullis.yaml (admin sets, sensitive accounts,
privileged and large groups) and the reasons for it. Inline policy changes show
a statement-level policy diff and whether the change grants admin.

Each side is ` + modelSpecHelp + `.

Exit status: 0 no difference at or above --fail-on (or no --fail-on), 1 error,
2 a side is a partial snapshot, 3 a difference at or above --fail-on.`,
		Example: `  portcullis diff last-known-good.json aws --config portcullis.yaml
  portcullis diff terraform.tfstate snapshot.json --format markdown > drift.md
  portcullis diff --fail-on high baseline.json today.json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			gate, err := parseGate(failOn)
			if err != nil {
				return err
			}
			if err := checkFormat(format, drift.Formats); err != nil {
				return err
			}
			cfg, err := a.loadConfig(configPath)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			base, cur, err := a.loadPair(ctx, args[0], args[1], aws)
			if err != nil {
				return err
			}
			rep := drift.Diff(base, cur, cfg)
			if err := a.writeOutput(output, func(w io.Writer) error { return rep.Write(w, format) }); err != nil {
				return fmt.Errorf("write diff: %w", err)
			}
			if gate != nil {
				if n := rep.AtLeast(*gate); n > 0 {
					return withCode(ExitFindings, "%d difference(s) at or above %s", n, *gate)
				}
			}
			return partialExit(base, cur)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&configPath, "config", "", "portcullis.yaml with admins, sensitive_accounts, privileged_groups …")
	fl.StringVar(&format, "format", "table", "output: "+strings.Join(drift.Formats, ", "))
	fl.StringVar(&failOn, "fail-on", "", "exit 3 when a difference at or above this severity is found (info, low, medium, high, critical)")
	aws.register(cmd)
	addOutput(cmd, &output)
	return cmd
}

func (a *App) reconcileCmd() *cobra.Command {
	var (
		aws                                           awsFlags
		baseline, current, configPath, format, output string
		events                                        []string
	)
	cmd := &cobra.Command{
		Use:   "reconcile --baseline SPEC [--current SPEC] [--events PATH...]",
		Short: "List every grant the authoritative baseline (e.g. Terraform) does not know about, explained by CloudTrail",
		Long: `reconcile answers the incident responder's question: what exists that the
authoritative baseline does not know about? Every grant in the current state
that is not in the baseline is listed as rogue: an assignment, a membership into
a group that holds assignments, a new permission set, a policy attached, an
inline policy that adds statements or drops a Deny, a boundary removed, a new
delegated administrator.

With --events, each rogue grant is explained by the CloudTrail events that made
it (who, when, from where), or flagged as unexplained: made out of band (in the
IdP / SCIM) or outside the trail given. Grants made only by allow-listed admins
(admins in portcullis.yaml) are shown apart from grants made by anyone else.

Baseline and current are each ` + modelSpecHelp + `.
--current defaults to aws (the live API).

Exit status:
  0  no rogue grants, or only grants made by allow-listed admins
  1  error
  2  finished, but some events or a snapshot could not be read completely
  3  rogue grants made by non-allow-listed actors, unexplained grants, or
     (without --events) rogue grants nobody can be named for`,
		Example: `  portcullis reconcile --baseline terraform.tfstate --events ./AWSLogs --config portcullis.yaml
  portcullis reconcile --baseline terraform:plan.json --current snapshot.json --format markdown
  portcullis reconcile --baseline last-known-good.json --current aws --region eu-west-1
  portcullis reconcile --baseline terraform.tfstate --events event-history --region eu-west-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if baseline == "" {
				return fmt.Errorf("--baseline is required (%s)", modelSpecHelp)
			}
			if err := checkFormat(format, drift.Formats); err != nil {
				return err
			}
			cfg, err := a.loadConfig(configPath)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			base, cur, err := a.loadPair(ctx, baseline, current, aws)
			if err != nil {
				return err
			}
			return a.reconcile(ctx, base, cur, events, cfg, format, output, aws)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&baseline, "baseline", "", "the authoritative state: "+modelSpecHelp)
	fl.StringVar(&current, "current", "aws", "the state to check: "+modelSpecHelp)
	fl.StringArrayVar(&events, "events", nil, "CloudTrail (files, directories, org-trail layout, - for stdin, or "+collect.HistoryHelp+" with --region, --profile, --endpoint) to explain each grant; repeat for more")
	fl.StringVar(&configPath, "config", "", "portcullis.yaml (admins decide which grants are allow-listed)")
	fl.StringVar(&format, "format", "table", "output: "+strings.Join(drift.Formats, ", "))
	aws.register(cmd)
	aws.registerLookupRate(cmd)
	addOutput(cmd, &output)
	return cmd
}

func (a *App) reconcile(ctx context.Context, base, cur *idc.Model, events []string, cfg *config.Config, format, output string, aws awsFlags) error {
	evs, bad, err := a.optionalEvents(ctx, events, aws)
	if err != nil {
		return err
	}
	rep := drift.Reconcile(base, cur, evs, cfg)
	if err := a.writeOutput(output, func(w io.Writer) error { return rep.Write(w, format) }); err != nil {
		return fmt.Errorf("write reconcile report: %w", err)
	}
	allowed := rep.RogueBy(drift.ByAllowlisted)
	if n := rep.Rogue() - allowed; n > 0 {
		return withCode(ExitFindings, "%d rogue grant(s) outside the baseline: %d by non-allow-listed actors, %d unexplained, %d without evidence (%d more by allow-listed admins)",
			n, rep.RogueBy(drift.ByOthers), rep.RogueBy(drift.Unexplained), rep.RogueBy(drift.NoEvidence), allowed)
	}
	if allowed > 0 {
		fmt.Fprintf(a.Stderr, "portcullis: %d grant(s) outside the baseline, all made by allow-listed admins\n", allowed)
	}
	if bad > 0 {
		return withCode(ExitBadInput, "%d unreadable event file(s) or record(s): a grant may show as unexplained because its event was lost", bad)
	}
	return partialExit(base, cur)
}

// optionalEvents reads --events when given; nil means "no events", which
// the libraries treat differently from "events, none relevant".
func (a *App) optionalEvents(ctx context.Context, paths []string, aws awsFlags) (evs []*cloudtrail.Event, bad int, err error) {
	if len(paths) == 0 {
		return nil, 0, nil
	}
	return a.readEvents(ctx, paths, aws)
}

// loadPair loads two models; both sides cannot come from stdin.
func (a *App) loadPair(ctx context.Context, baseSpec, curSpec string, aws awsFlags) (*idc.Model, *idc.Model, error) {
	if baseSpec == "-" && curSpec == "-" {
		return nil, nil, fmt.Errorf("only one side can be read from stdin")
	}
	base, err := a.loadModel(ctx, baseSpec, aws)
	if err != nil {
		return nil, nil, fmt.Errorf("baseline: %w", err)
	}
	cur, err := a.loadModel(ctx, curSpec, aws)
	if err != nil {
		return nil, nil, fmt.Errorf("current: %w", err)
	}
	return base, cur, nil
}

// partialExit turns a partial snapshot into exit 2: the output stands, but
// it is not the whole picture, and a pipeline must not take it for one.
func partialExit(ms ...*idc.Model) error {
	for _, m := range ms {
		if m != nil && m.Partial {
			return withCode(ExitBadInput, "a snapshot is partial (see the warning above): the result may be incomplete")
		}
	}
	return nil
}

// parseGate reads --fail-on; "" means no gate.
func parseGate(s string) (*finding.Severity, error) {
	if s == "" {
		return nil, nil
	}
	sev, err := finding.ParseSeverity(s)
	if err != nil {
		return nil, fmt.Errorf("--fail-on: %w", err)
	}
	return &sev, nil
}

func checkFormat(format string, allowed []string) error {
	for _, f := range allowed {
		if f == format {
			return nil
		}
	}
	return fmt.Errorf("--format: want %s, got %q", strings.Join(allowed, ", "), format)
}
