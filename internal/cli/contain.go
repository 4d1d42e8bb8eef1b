package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	awscollect "github.com/portcullis-sec/portcullis/internal/collect/aws"
	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/respond"
	"github.com/portcullis-sec/portcullis/internal/respond/apply"
)

// defaultAuditPath is where --apply appends its audit log unless told.
const defaultAuditPath = "portcullis-audit.jsonl"

type containFlags struct {
	aws                                awsFlags
	findingID, findingsPath            string
	principal, group, permSet, account string
	snapshot, from, configPath, format string
	revoke, via                        string
	deletePermSet, delegated, perAcct  bool
	detach, force                      []string
	apply, yes                         bool
	auditPath, statePath, resumePath   string
	output                             string
	planPath, liftState                string
	lift                               bool
}

func (a *App) containCmd() *cobra.Command {
	var f containFlags
	cmd := &cobra.Command{
		Use:   "contain (--finding ID --findings FILE | --principal ID | --permission-set ARN | --account ID) (--snapshot SPEC | --from aws)",
		Short: "Build (and with --apply, run) a containment plan that really ends access: revoke live sessions, remove grants, undo persistence",
		Long: `contain builds a containment plan for a finding (from hunt's JSON output) or for
a principal, group, permission set and/or account, against the current state.
Each step is an exact AWS API call with its AWS CLI equivalent, why it is there
and what proves afterwards that it took effect.

Removing an assignment does not end sessions already issued: AWSReservedSSO_*
credentials live until they expire (up to 12 hours) and those roles cannot be
edited through IAM. So the plan first revokes live sessions with a deny-all
statement keyed on aws:TokenIssueTime (sessions issued before now) and/or
identitystore:userId, merged into the permission set's inline policy and
re-provisioned to every account; where the set cannot be changed (provisioned to
the management account while acting as delegated admin) it uses an SCP instead.
Then it deletes rogue assignments, removes group memberships (and says when the
IdP and its SCIM token must change too), and undoes other persistence.

Dry run by default: without --apply nothing is called; the plan is printed.
--apply runs it through the AWS SDK step by step, appending every call and its
result to an audit log, and stops at the first failure with a state file to
resume from (--resume). It asks for confirmation on a terminal unless --yes,
and refuses without a terminal and without --yes.

Guard rails refuse steps that would:
` + guardLines() + `
unless --force names the guard. A refused plan is printed with its blocked
steps and nothing runs.

--plan FILE applies exactly a plan written by --format json and reviewed:
its hash proves it was not edited, and the state it was built from (the
assignments, memberships and permission sets its steps depend on) is read
again and compared; if anything moved, it refuses and names what.

--lift, after the incident, removes the PortcullisDeny… statements a
containment added (in --permission-set, in every set provisioned to
--account, or exactly those of the run whose state file --lift-state names,
with the SCP it created) and re-provisions. Dry run unless --apply.

Exit status: 0 plan printed, or applied completely; 1 error, guard refusal,
no confirmation or a failed step; 3 applied, but manual steps remain for a person.`,
		Example: `  portcullis contain --findings findings.jsonl --finding pf-0a1b2c3d --snapshot snapshot.json
  portcullis contain --principal mallory@example.com --from aws --format sh > contain.sh
  portcullis contain --permission-set Backdoor --delete-permission-set --from aws --apply
  portcullis contain --resume portcullis-contain-0123456789ab.state.json --apply
  portcullis contain --plan reviewed-plan.json --from aws --apply
  portcullis contain --lift --lift-state portcullis-contain-0123456789ab.state.json --from aws --apply`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runContain(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.findingID, "finding", "", "id of the finding to contain (a unique prefix of 8+ characters works); needs --findings")
	fl.StringVar(&f.findingsPath, "findings", "", "hunt output with the finding (JSON lines, JSON array or object)")
	fl.StringVar(&f.principal, "principal", "", "user or group to contain (id, user name or group display name)")
	fl.StringVar(&f.group, "group", "", "group (id or name); with a user --principal only that membership is removed")
	fl.StringVar(&f.permSet, "permission-set", "", "permission set (ARN or name)")
	fl.StringVar(&f.account, "account", "", "account id (narrows the plan to one account)")
	fl.StringVar(&f.snapshot, "snapshot", "", "the current state: "+modelSpecHelp)
	fl.StringVar(&f.from, "from", "", "read the current state from here instead of --snapshot: aws (live)")
	fl.StringVar(&f.configPath, "config", "", "portcullis.yaml (admins and break_glass_permission_sets feed the guard rails)")
	fl.StringVar(&f.format, "format", "text", "plan output: text, json or sh (a bash script of AWS CLI commands)")
	fl.StringVar(&f.revoke, "revoke", "auto", "session revocation: auto, issued-before (aws:TokenIssueTime), user (identitystore:userId), both, none")
	fl.StringVar(&f.via, "revoke-via", "auto", "where the deny goes: auto, permission-set (inline policy), scp")
	fl.BoolVar(&f.deletePermSet, "delete-permission-set", false, "the permission set is rogue: delete its assignments, then the set")
	fl.StringArrayVar(&f.detach, "detach-policy", nil, "managed policy ARN to detach from the permission set (repeat)")
	fl.BoolVar(&f.delegated, "delegated-admin", false, "we act as Identity Center's delegated admin: sets provisioned to the management account are revoked with an SCP")
	fl.BoolVar(&f.perAcct, "provision-per-account", false, "re-provision one account at a time instead of ALL_PROVISIONED_ACCOUNTS")
	fl.StringArrayVar(&f.force, "force", nil, "override a guard rail (repeat): "+strings.Join(respond.GuardIDs(), ", "))
	fl.BoolVar(&f.apply, "apply", false, "run the plan against AWS (default: dry run, print the plan)")
	fl.BoolVar(&f.yes, "yes", false, "with --apply: do not ask for confirmation")
	fl.StringVar(&f.auditPath, "audit", "", "with --apply: audit log to append every call to (default ./"+defaultAuditPath+")")
	fl.StringVar(&f.statePath, "state", "", "with --apply: resumable state file (default ./portcullis-contain-<plan hash>.state.json)")
	fl.StringVar(&f.resumePath, "resume", "", "resume the plan kept in this state file (with --apply: run its remaining steps)")
	fl.StringVar(&f.planPath, "plan", "", "a reviewed plan (contain --format json): checked against the live state (--snapshot or --from aws), with --apply run as written")
	fl.BoolVar(&f.lift, "lift", false, "after the incident: remove the PortcullisDeny… statements (and SCPs) a containment added; scope with --permission-set, --account or --lift-state")
	fl.StringVar(&f.liftState, "lift-state", "", "with --lift: the state file of the contain --apply run to undo (exactly its statements, and the SCP it created)")
	f.aws.register(cmd)
	addOutput(cmd, &f.output)
	return cmd
}

func (a *App) runContain(ctx context.Context, f containFlags) error {
	if err := checkFormat(f.format, []string{respond.FormatText, respond.FormatJSON, respond.FormatShell}); err != nil {
		return err
	}
	// Refuse before reading anything: nobody could confirm the writes.
	if f.apply && !f.yes && !a.StdinTTY {
		return apply.ErrConfirmationRequired
	}
	var (
		plan      *respond.ContainmentPlan
		model     *idc.Model // the state read; nil on --resume
		statePath = f.statePath
	)
	switch {
	case f.planPath != "":
		p, m, err := a.reviewedPlan(ctx, f)
		if err != nil {
			return err
		}
		plan, model = p, m
	case f.lift || f.liftState != "":
		p, m, err := a.liftPlan(ctx, f)
		if err != nil {
			return err
		}
		plan, model = p, m
	case f.resumePath != "":
		p, err := a.resumePlan(f)
		if err != nil {
			return err
		}
		plan, statePath = p, f.resumePath
	default:
		p, m, err := a.buildPlan(ctx, f)
		var gerr *respond.GuardError
		if errors.As(err, &gerr) && p != nil {
			a.renderRefused(p, f.format, f.output)
			return err
		}
		if err != nil {
			return err
		}
		plan, model = p, m
	}
	if err := a.writeOutput(f.output, func(w io.Writer) error { return respond.RenderPlan(w, plan, f.format) }); err != nil {
		return err
	}
	if !f.apply {
		return partialExit(model)
	}
	if statePath == "" {
		statePath = apply.DefaultStatePath(plan)
	}
	if err := a.applyPlan(ctx, plan, f, statePath); err != nil {
		return err
	}
	return partialExit(model)
}

// buildPlan reads the finding, the config and the state and plans. A guard
// refusal returns the plan and the *respond.GuardError.
func (a *App) buildPlan(ctx context.Context, f containFlags) (*respond.ContainmentPlan, *idc.Model, error) {
	in, err := containInput(f)
	if err != nil {
		return nil, nil, err
	}
	if f.findingID != "" || f.findingsPath != "" {
		if f.findingID == "" || f.findingsPath == "" {
			return nil, nil, fmt.Errorf("--finding ID and --findings FILE go together")
		}
		fs, err := respond.LoadFindings(f.findingsPath)
		if err != nil {
			return nil, nil, err
		}
		if in.Finding, err = respond.FindFinding(fs, f.findingID); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f.findingsPath, err)
		}
	}
	spec := f.snapshot
	switch {
	case f.snapshot != "" && f.from != "":
		return nil, nil, fmt.Errorf("give --snapshot SPEC or --from aws, not both")
	case f.from != "":
		spec = f.from
	case spec == "":
		return nil, nil, fmt.Errorf("no state: give --snapshot FILE or --from aws")
	}
	cfg, err := a.loadConfig(f.configPath)
	if err != nil {
		return nil, nil, err
	}
	m, err := a.loadModel(ctx, spec, f.aws)
	if err != nil {
		return nil, nil, err
	}
	p, err := respond.Plan(in, m, cfg, a.Now())
	return p, m, err
}

// containInput maps the flags onto respond.Input (see the package doc's table).
func containInput(f containFlags) (respond.Input, error) {
	in := respond.Input{
		Principal: f.principal, Group: f.group, PermissionSet: f.permSet, Account: f.account,
		DeletePermissionSet: f.deletePermSet, DetachPolicies: f.detach, DelegatedAdmin: f.delegated,
		ProvisionPerAccount: f.perAcct, Region: f.aws.region, Force: f.force,
	}
	switch f.revoke {
	case "auto":
	case string(respond.RevokeIssuedBefore), string(respond.RevokeUser), string(respond.RevokeBoth), string(respond.RevokeNone):
		in.Revoke = respond.RevokeMode(f.revoke)
	default:
		return in, fmt.Errorf("--revoke: want auto, issued-before, user, both or none, got %q", f.revoke)
	}
	switch f.via {
	case "auto":
	case string(respond.ViaPermissionSet), string(respond.ViaSCP):
		in.Via = respond.RevokeVia(f.via)
	default:
		return in, fmt.Errorf("--revoke-via: want auto, permission-set or scp, got %q", f.via)
	}
	if err := respond.CheckForce(f.force); err != nil {
		return in, err
	}
	return in, nil
}

// resumePlan takes the plan from a state file; flags that would build a
// different plan are refused rather than silently ignored.
func (a *App) resumePlan(f containFlags) (*respond.ContainmentPlan, error) {
	conflicts := []struct{ name, v string }{{"--finding", f.findingID}, {"--findings", f.findingsPath}, {"--principal", f.principal},
		{"--group", f.group}, {"--permission-set", f.permSet}, {"--account", f.account}, {"--snapshot", f.snapshot}, {"--from", f.from}, {"--state", f.statePath}}
	for _, c := range conflicts {
		if c.v != "" {
			return nil, fmt.Errorf("--resume takes the plan from %s: drop %s", f.resumePath, c.name)
		}
	}
	st, err := apply.LoadState(f.resumePath)
	if err != nil {
		return nil, fmt.Errorf("--resume: %w", err)
	}
	if st.Plan == nil {
		return nil, fmt.Errorf("--resume: %s holds no plan", f.resumePath)
	}
	if done := st.Completed(); len(done) > 0 {
		fmt.Fprintf(a.Stderr, "portcullis: %s: steps already done: %s\n", f.resumePath, strings.Join(done, ", "))
	}
	return st.Plan, nil
}

// renderRefused shows a plan that guard rails blocked. A shell script is
// never written for it, so sh falls back to text on stderr.
func (a *App) renderRefused(p *respond.ContainmentPlan, format, output string) {
	if format == respond.FormatShell {
		_ = respond.RenderText(a.Stderr, p)
		return
	}
	_ = a.writeOutput(output, func(w io.Writer) error { return respond.RenderPlan(w, p, format) })
}

func (a *App) applyPlan(ctx context.Context, p *respond.ContainmentPlan, f containFlags, statePath string) error {
	auditPath := f.auditPath
	if auditPath == "" {
		auditPath = defaultAuditPath
	}
	audit, err := os.OpenFile(auditPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("--audit: %w", err)
	}
	defer audit.Close()
	o := a.collectOptions(f.aws)
	if o.Region == "" {
		o.Region = p.Region
	}
	cfg, err := awscollect.LoadConfig(ctx, o)
	if err != nil {
		return fmt.Errorf("AWS configuration: %w", err)
	}
	opts := apply.Options{Execute: true, Yes: f.yes, Out: a.Stderr, StatePath: statePath}
	if a.StdinTTY {
		opts.Confirm = a.Stdin
	}
	err = apply.Run(ctx, p, apply.NewSDKExecutor(cfg), audit, opts)
	if cerr := audit.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("audit log %s: %w", auditPath, cerr)
	}
	if err != nil {
		return err
	}
	if n := manualSteps(p); n > 0 {
		return withCode(ExitFindings, "%d manual step(s) remain for a person (listed above); containment is not complete until they are done (audit log %s)", n, auditPath)
	}
	fmt.Fprintf(a.Stderr, "portcullis: plan %s applied; audit log %s, state %s\n", p.Hash, auditPath, statePath)
	return nil
}

// guardLines lists the guard registry for contain --help.
func guardLines() string {
	var b strings.Builder
	for _, g := range respond.Guards() {
		fmt.Fprintf(&b, "  %-20s %s\n", g.ID, strings.ReplaceAll(g.Title, "`", ""))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func manualSteps(p *respond.ContainmentPlan) int {
	n := 0
	for _, s := range p.Steps {
		if s.Manual {
			n++
		}
	}
	return n
}
