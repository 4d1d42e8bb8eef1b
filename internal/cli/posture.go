package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/posture"
	"github.com/portcullis-sec/portcullis/internal/version"
)

func (a *App) postureCmd() *cobra.Command {
	var (
		aws                                                   awsFlags
		snapshot, orgPath, window, configPath, format, failOn string
		output                                                string
		events                                                []string
	)
	cmd := &cobra.Command{
		Use:   "posture --snapshot SPEC [--events PATH...] [--org ORG_EXPORT.json|aws]",
		Short: "Hardening checks over Identity Center: session duration, admin sets, boundaries, large groups, MFA evidence, delegated admin, SCP guardrail, unused assignments",
		Long: `posture runs hardening checks over an Identity Center state. Each check has a
stable id, a severity, the objects that fail it, why it matters and how to fix it.
Checks that need CloudTrail (MFA evidence from sign-ins, unused assignments) run
only with --events; the SCP guardrail check only with --org. A check whose input
is missing is skipped, never passed.

--snapshot is ` + modelSpecHelp + `.

--org is an Organizations export: {"Policies": [describe-policy "Policy" objects
plus "Targets" from list-targets-for-policy], "Accounts": [{"Id", "Parents"}]},
or aws to read the SCPs, their targets and each account's parent chain from
the live API (same --region, --profile and --endpoint as --snapshot aws; needs
the management account or an Organizations delegated administrator, with
organizations:ListPolicies, DescribePolicy, ListTargetsForPolicy, ListAccounts
and ListParents). A file named aws is ./aws.

--format ocsf writes one OCSF 1.3.0 Compliance Finding (class_uid 2003) per
evaluated check as JSON lines, passed checks included (status Resolved) so a
SIEM sees failures close.

Exit status: 0 no failed check at or above --fail-on (or no --fail-on), 1 error,
2 unreadable events or a partial snapshot, 3 a failed check at or above --fail-on.`,
		Example: `  portcullis posture --snapshot snapshot.json --config portcullis.yaml
  portcullis posture --snapshot aws --events ./AWSLogs --org org.json --window 30d --fail-on high
  portcullis posture --snapshot snapshot.json --org aws --profile management --region us-east-1
  portcullis posture --snapshot snapshot.json --format ocsf > posture.ocsf.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if snapshot == "" {
				return fmt.Errorf("--snapshot is required (%s)", modelSpecHelp)
			}
			if err := checkFormat(format, posture.Formats); err != nil {
				return err
			}
			gate, err := parseGate(failOn)
			if err != nil {
				return err
			}
			win, err := parseWindow(window)
			if err != nil {
				return fmt.Errorf("--window: %w", err)
			}
			cfg, err := a.loadConfig(configPath)
			if err != nil {
				return err
			}
			in := posture.Input{Config: cfg, Window: win}
			ctx := cmd.Context()
			if orgPath != "" {
				if in.Org, err = a.loadOrganization(ctx, orgPath, aws); err != nil {
					return err
				}
			}
			if in.Model, err = a.loadModel(ctx, snapshot, aws); err != nil {
				return err
			}
			bad := 0
			if in.Events, bad, err = a.optionalEvents(ctx, events, aws); err != nil {
				return err
			}
			rep := posture.Run(in)
			if err := a.writeOutput(output, func(w io.Writer) error { return rep.Write(w, format, version.String()) }); err != nil {
				return fmt.Errorf("write posture report: %w", err)
			}
			if gate != nil && rep.FailsAt(*gate) {
				return withCode(ExitFindings, "posture checks at or above %s failed", *gate)
			}
			if bad > 0 {
				return withCode(ExitBadInput, "%d unreadable event file(s) or record(s): evidence-based checks may be incomplete", bad)
			}
			return partialExit(in.Model)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&snapshot, "snapshot", "", "the Identity Center state: "+modelSpecHelp)
	fl.StringArrayVar(&events, "events", nil, "CloudTrail (files, directories, org-trail layout, - for stdin) for the MFA and unused-assignment checks; repeat for more")
	fl.StringVar(&orgPath, "org", "", "Organizations export (SCPs and their targets) for the SCP guardrail check, or aws to read them live (management or delegated Organizations admin)")
	fl.StringVar(&window, "window", "90d", "evidence window, ending at the latest event (or the snapshot time without events): 90d, 2w, 36h or ISO-8601 (P30D)")
	fl.StringVar(&configPath, "config", "", "portcullis.yaml (admins, sensitive_accounts, max_session_duration, large_group_size …)")
	fl.StringVar(&format, "format", "table", "output: "+strings.Join(posture.Formats, ", "))
	fl.StringVar(&failOn, "fail-on", "", "exit 3 when a check at or above this severity fails (info, low, medium, high, critical)")
	aws.register(cmd)
	addOutput(cmd, &output)
	return cmd
}

// parseWindow reads --window: any duration config.ParseDuration takes (90d,
// 2w, 36h, P30D), and only a positive one.
func parseWindow(s string) (time.Duration, error) {
	d, err := config.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("want a positive duration, got %q", s)
	}
	return d, nil
}
