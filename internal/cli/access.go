package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/access"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

type accessFlags struct {
	aws                                     awsFlags
	snapshot, terraform, configPath, format string
	output                                  string
	account, user, blast                    string
	adminOnly, adminSensitive, largeGroups  bool
}

var blastKinds = []string{access.KindUser, access.KindGroup, access.KindPermissionSet, access.KindAccount}

func (a *App) accessCmd() *cobra.Command {
	var f accessFlags
	cmd := &cobra.Command{
		Use:   "access --snapshot SPEC [question] [--format table|json|csv|dot]",
		Short: "Effective access: who reaches which account with which permission set; admin paths; blast radius",
		Long: `access expands every assignment of a snapshot into (user, account, permission
set) grants, with the path (direct or through which group) and the level of
the permission set (admin, privileged, …). Ask one question, or none to list
every grant:

  --account ID_OR_NAME [--admin-only]   who can reach this account
  --user ID_OR_NAME [--account ID_OR_NAME]
                                        what this user can reach (in that account)
  --blast-radius KIND:ID                what falls to whoever controls a user, group,
                                        permission-set or account (account:management and
                                        account:delegated-admin name those two accounts)
  --admin-paths-sensitive               admin paths into sensitive_accounts (needs --config)
  --large-admin-groups                  groups with admin larger than large_group_size

Grant lists print as table, json, csv (access reviews) or dot (Graphviz);
blast radius and large admin groups as table or json.

--snapshot is ` + modelSpecHelp + `;
--terraform FILE is the same as --snapshot terraform:FILE.`,
		Example: `  portcullis access --snapshot idc.json --account prod --admin-only
  portcullis access --snapshot idc.json --user alice@example.com
  portcullis access --snapshot idc.json --blast-radius account:delegated-admin --config portcullis.yaml
  portcullis access --snapshot idc.json --format csv > access-review.csv
  portcullis access --snapshot idc.json --format dot | dot -Tsvg > access.svg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runAccess(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.snapshot, "snapshot", "", "the Identity Center state: "+modelSpecHelp)
	fl.StringVar(&f.terraform, "terraform", "", "Terraform state or plan JSON: the same as --snapshot terraform:FILE")
	fl.StringVar(&f.configPath, "config", "", "portcullis.yaml (sensitive_accounts, large_group_size)")
	fl.StringVar(&f.format, "format", "", "table, json, csv or dot (default: table on a terminal, json otherwise)")
	fl.StringVar(&f.account, "account", "", "who can reach this account (id or name)")
	fl.BoolVar(&f.adminOnly, "admin-only", false, "with --account (and --user): admin paths only")
	fl.StringVar(&f.user, "user", "", "what this user (id or user name) can reach; with --account, in that account")
	fl.StringVar(&f.blast, "blast-radius", "", "blast radius of KIND:ID, KIND one of "+strings.Join(blastKinds, ", "))
	fl.BoolVar(&f.adminSensitive, "admin-paths-sensitive", false, "admin paths into the config's sensitive_accounts")
	fl.BoolVar(&f.largeGroups, "large-admin-groups", false, "groups holding admin with more members than large_group_size (default 50)")
	f.aws.register(cmd)
	addOutput(cmd, &f.output)
	return cmd
}

// accessInput is what a question is answered from.
type accessInput struct {
	flags accessFlags
	cfg   *config.Config
	model *idc.Model
	graph *access.Graph
	warn  io.Writer // warnings that do not stop the answer
}

// accessQuestion is one question access answers: the flag that asks it,
// what it checks before the model is read, how it computes its answer and
// the formats the answer prints in.
type accessQuestion struct {
	flag    string
	asked   func(accessFlags) bool
	formats []string
	// checkFlags runs before the config is read, checkConfig after; nil
	// when there is nothing to check.
	checkFlags  func(accessFlags) error
	checkConfig func(accessFlags, *config.Config) error
	answer      func(accessInput) (accessAnswer, error)
}

// accessAnswer prints in one of its question's formats.
type accessAnswer interface {
	write(w io.Writer, format string) error
}

var (
	grantFormats  = []string{"table", "json", "csv", "dot"}
	reportFormats = []string{"table", "json"}
)

// accessQuestions are asked one at a time; with none, access lists every
// grant (allGrants).
var accessQuestions = []accessQuestion{{
	flag:    "--user with --account",
	asked:   func(f accessFlags) bool { return f.user != "" && f.account != "" },
	formats: grantFormats,
	answer: func(in accessInput) (accessAnswer, error) {
		res, err := in.graph.UserInAccount(in.flags.user, in.flags.account, in.flags.adminOnly)
		if err != nil {
			return nil, fmt.Errorf("--user %s --account %s: %w", in.flags.user, in.flags.account, err)
		}
		return grants{res}, nil
	},
}, {
	flag:    "--account",
	asked:   func(f accessFlags) bool { return f.account != "" && f.user == "" },
	formats: grantFormats,
	answer: func(in accessInput) (accessAnswer, error) {
		res, err := in.graph.WhoCanReach(in.flags.account, in.flags.adminOnly)
		if err != nil {
			return nil, fmt.Errorf("--account: %w", err)
		}
		return grants{res}, nil
	},
}, {
	flag:    "--user",
	asked:   func(f accessFlags) bool { return f.user != "" && f.account == "" },
	formats: grantFormats,
	answer: func(in accessInput) (accessAnswer, error) {
		res, err := in.graph.WhatCanReach(in.flags.user)
		if err != nil {
			return nil, fmt.Errorf("--user: %w", err)
		}
		return grants{res}, nil
	},
}, {
	flag:    "--blast-radius",
	asked:   func(f accessFlags) bool { return f.blast != "" },
	formats: reportFormats,
	checkFlags: func(f accessFlags) error {
		_, _, err := parseBlast(f.blast)
		return err
	},
	answer: func(in accessInput) (accessAnswer, error) {
		kind, id, _ := parseBlast(in.flags.blast) // checked above
		b, err := in.graph.BlastRadius(kind, resolveAccountAlias(in.model, kind, id), in.cfg)
		if err != nil {
			return nil, fmt.Errorf("--blast-radius %s: %w", in.flags.blast, err)
		}
		return blast(b), nil
	},
}, {
	flag:    "--admin-paths-sensitive",
	asked:   func(f accessFlags) bool { return f.adminSensitive },
	formats: grantFormats,
	checkConfig: func(f accessFlags, cfg *config.Config) error {
		switch {
		case f.configPath == "":
			return fmt.Errorf("--admin-paths-sensitive needs sensitive_accounts from a config: --config FILE, ./portcullis.yaml or the user config folder's portcullis/portcullis.yaml")
		case len(cfg.SensitiveAccounts) == 0:
			return fmt.Errorf("--admin-paths-sensitive: config %s lists no sensitive_accounts", f.configPath)
		}
		return nil
	},
	answer: func(in accessInput) (accessAnswer, error) {
		for _, id := range in.cfg.SensitiveAccounts {
			if _, ok := in.model.Accounts[id]; !ok {
				fmt.Fprintf(in.warn, "portcullis: warning: sensitive account %s (config %s) is not in the snapshot\n", id, in.flags.configPath)
			}
		}
		return grants{in.graph.AdminPathsIntoSensitive(in.cfg)}, nil
	},
}, {
	flag:    "--large-admin-groups",
	asked:   func(f accessFlags) bool { return f.largeGroups },
	formats: reportFormats,
	answer: func(in accessInput) (accessAnswer, error) {
		return groupRisks{in.cfg.LargeGroupSize, in.graph.LargeAdminGroups(in.cfg)}, nil
	},
}}

var allGrants = accessQuestion{
	formats: grantFormats,
	answer:  func(in accessInput) (accessAnswer, error) { return grants{in.graph.All()}, nil },
}

// pickQuestion finds the one question the flags ask.
func pickQuestion(f accessFlags) (accessQuestion, error) {
	var asked []accessQuestion
	for _, q := range accessQuestions {
		if q.asked(f) {
			asked = append(asked, q)
		}
	}
	switch len(asked) {
	case 0:
		return allGrants, nil
	case 1:
		return asked[0], nil
	}
	var names []string
	for _, q := range asked {
		names = append(names, q.flag)
	}
	return accessQuestion{}, fmt.Errorf("ask one question at a time, got %s", strings.Join(names, " and "))
}

func (a *App) runAccess(ctx context.Context, f accessFlags) error {
	q, err := pickQuestion(f)
	if err != nil {
		return err
	}
	if f.adminOnly && f.account == "" {
		return fmt.Errorf("--admin-only goes with --account")
	}
	format := f.format
	if format == "" {
		format = "json"
		if a.StdoutTTY && f.output == "" {
			format = "table"
		}
	}
	if !slices.Contains(q.formats, format) {
		if slices.Equal(q.formats, grantFormats) {
			return fmt.Errorf("--format: want table, json, csv or dot, got %q", format)
		}
		return fmt.Errorf("--format: %s prints as table or json, got %q", q.flag, format)
	}
	if q.checkFlags != nil {
		if err := q.checkFlags(f); err != nil {
			return err
		}
	}
	cfg, err := a.loadConfig(f.configPath)
	if err != nil {
		return err
	}
	// Questions name the config in their messages: the discovered one too.
	if f.configPath, _, err = a.findConfig(f.configPath); err != nil {
		return err
	}
	if q.checkConfig != nil {
		if err := q.checkConfig(f, cfg); err != nil {
			return err
		}
	}
	m, err := a.accessModel(ctx, f)
	if err != nil {
		return err
	}
	ans, err := q.answer(accessInput{flags: f, cfg: cfg, model: m, graph: access.Compute(m), warn: a.Stderr})
	if err != nil {
		return err
	}
	if err := a.writeOutput(f.output, func(w io.Writer) error { return ans.write(w, format) }); err != nil {
		return err
	}
	return partialExit(m)
}

// grants is a list of (user, account, permission set) grants.
type grants struct{ *access.Result }

func (g grants) write(w io.Writer, format string) error {
	switch format {
	case "table":
		return access.WriteTable(w, g.Result)
	case "csv":
		return access.WriteCSV(w, g.Result)
	case "dot":
		return access.WriteDOT(w, g.Result)
	}
	return access.WriteJSON(w, g.Result)
}

// blast is what falls to whoever controls one principal or account.
type blast access.Blast

func (b blast) write(w io.Writer, format string) error {
	if format == "table" {
		return access.WriteBlastTable(w, access.Blast(b))
	}
	b.Accounts, b.SensitiveAccounts = orEmpty(b.Accounts), orEmpty(b.SensitiveAccounts)
	return writeJSON(w, struct {
		Schema string       `json:"schema"`
		Blast  access.Blast `json:"blast_radius"`
	}{access.Schema, access.Blast(b)})
}

// groupRisks are the groups holding admin with more than size members.
type groupRisks struct {
	size  int
	risks []access.GroupRisk
}

func (g groupRisks) write(w io.Writer, format string) error {
	if format == "table" {
		return access.WriteGroupRisksTable(w, g.risks)
	}
	for i := range g.risks {
		g.risks[i].AdminAccounts, g.risks[i].PermissionSets = orEmpty(g.risks[i].AdminAccounts), orEmpty(g.risks[i].PermissionSets)
	}
	return writeJSON(w, struct {
		Schema         string             `json:"schema"`
		LargeGroupSize int                `json:"large_group_size"`
		Count          int                `json:"count"`
		Groups         []access.GroupRisk `json:"large_admin_groups"`
	}{access.Schema, g.size, len(g.risks), orEmpty(g.risks)})
}

// accessModel loads the model from --snapshot (any spec) or --terraform
// (an alias of --snapshot terraform:FILE); loadModel warns when it is partial.
func (a *App) accessModel(ctx context.Context, f accessFlags) (*idc.Model, error) {
	spec := f.snapshot
	switch {
	case f.snapshot != "" && f.terraform != "":
		return nil, fmt.Errorf("give --snapshot or --terraform, not both")
	case f.terraform != "":
		spec = "terraform:" + f.terraform
	case spec == "":
		return nil, fmt.Errorf("--snapshot is required (%s); make a snapshot with portcullis snapshot", modelSpecHelp)
	}
	m, err := a.loadModel(ctx, spec, f.aws)
	if err != nil {
		return nil, fmt.Errorf("--snapshot: %w", err)
	}
	return m, nil
}

// parseBlast splits KIND:ID at the first colon (ARNs carry colons of their own).
func parseBlast(s string) (kind, id string, err error) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok || id == "" || !slices.Contains(blastKinds, kind) {
		return "", "", fmt.Errorf("--blast-radius: want KIND:ID with KIND one of %s (e.g. group:admins, account:management), got %q",
			strings.Join(blastKinds, ", "), s)
	}
	return kind, id, nil
}

// resolveAccountAlias maps account:management and account:delegated-admin
// to the model's accounts, unless an account is really called that.
func resolveAccountAlias(m *idc.Model, kind, id string) string {
	if kind != access.KindAccount {
		return id
	}
	if _, ok := m.Accounts[id]; ok {
		return id
	}
	for _, acct := range m.Accounts {
		if strings.EqualFold(acct.Name, id) {
			return id
		}
	}
	switch {
	case id == "management" && m.ManagementAccountID != "":
		return m.ManagementAccountID
	case id == "delegated-admin" && m.DelegatedAdminID != "":
		return m.DelegatedAdminID
	}
	return id
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// orEmpty makes nil slices encode as [] (consumers index them without checks).
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
