package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portcullis-sec/portcullis/internal/access"
	"github.com/portcullis-sec/portcullis/internal/collect/terraform"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

type accessFlags struct {
	snapshot, terraform, configPath, format string
	account, user, blast                    string
	adminOnly, adminSensitive, largeGroups  bool
}

var blastKinds = []string{access.KindUser, access.KindGroup, access.KindPermissionSet, access.KindAccount}

func (a *App) accessCmd() *cobra.Command {
	var f accessFlags
	cmd := &cobra.Command{
		Use:   "access --snapshot FILE [question] [--format table|json|csv|dot]",
		Short: "Effective access: who reaches which account with which permission set; admin paths; blast radius",
		Long: `access expands every assignment of a snapshot into (user, account, permission
set) grants, with the path (direct or through which group) and the level of
the permission set (admin, privileged, …). Ask one question, or none to list
every grant:

  --account ID_OR_NAME [--admin-only]   who can reach this account
  --user ID_OR_NAME                     what this user can reach
  --blast-radius KIND:ID                what falls to whoever controls a user, group,
                                        permission-set or account (account:management and
                                        account:delegated-admin name those two accounts)
  --admin-paths-sensitive               admin paths into sensitive_accounts (needs --config)
  --large-admin-groups                  groups with admin larger than large_group_size

Grant lists print as table, json, csv (access reviews) or dot (Graphviz);
blast radius and large admin groups as table or json.`,
		Example: `  portcullis access --snapshot idc.json --account prod --admin-only
  portcullis access --snapshot idc.json --user alice@example.com
  portcullis access --snapshot idc.json --blast-radius account:delegated-admin --config portcullis.yaml
  portcullis access --snapshot idc.json --format csv > access-review.csv
  portcullis access --snapshot idc.json --format dot | dot -Tsvg > access.svg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runAccess(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.snapshot, "snapshot", "", "Identity Center snapshot (portcullis snapshot)")
	fl.StringVar(&f.terraform, "terraform", "", "read the state straight from a Terraform file instead of a snapshot")
	fl.StringVar(&f.configPath, "config", "", "portcullis.yaml (sensitive_accounts, large_group_size)")
	fl.StringVar(&f.format, "format", "", "table, json, csv or dot (default: table on a terminal, json otherwise)")
	fl.StringVar(&f.account, "account", "", "who can reach this account (id or name)")
	fl.BoolVar(&f.adminOnly, "admin-only", false, "with --account: admin paths only")
	fl.StringVar(&f.user, "user", "", "what this user (id or user name) can reach")
	fl.StringVar(&f.blast, "blast-radius", "", "blast radius of KIND:ID, KIND one of "+strings.Join(blastKinds, ", "))
	fl.BoolVar(&f.adminSensitive, "admin-paths-sensitive", false, "admin paths into the config's sensitive_accounts")
	fl.BoolVar(&f.largeGroups, "large-admin-groups", false, "groups holding admin with more members than large_group_size (default 50)")
	return cmd
}

func (a *App) runAccess(cmd *cobra.Command, f accessFlags) error {
	var asked []string
	for _, q := range []struct {
		set  bool
		name string
	}{
		{f.account != "", "--account"}, {f.user != "", "--user"}, {f.blast != "", "--blast-radius"},
		{f.adminSensitive, "--admin-paths-sensitive"}, {f.largeGroups, "--large-admin-groups"},
	} {
		if q.set {
			asked = append(asked, q.name)
		}
	}
	if len(asked) > 1 {
		return fmt.Errorf("ask one question at a time, got %s", strings.Join(asked, " and "))
	}
	if f.adminOnly && f.account == "" {
		return fmt.Errorf("--admin-only goes with --account")
	}
	format := f.format
	if format == "" {
		format = "json"
		if a.StdoutTTY {
			format = "table"
		}
	}
	grantList := f.blast == "" && !f.largeGroups
	if grantList && !contains([]string{"table", "json", "csv", "dot"}, format) {
		return fmt.Errorf("--format: want table, json, csv or dot, got %q", format)
	}
	if !grantList && format != "table" && format != "json" {
		return fmt.Errorf("--format: %s prints as table or json, got %q", asked[0], format)
	}
	var kind, id string
	if f.blast != "" {
		var err error
		if kind, id, err = parseBlast(f.blast); err != nil {
			return err
		}
	}
	cfg, err := a.loadConfig(f.configPath)
	if err != nil {
		return err
	}
	if f.adminSensitive && f.configPath == "" {
		return fmt.Errorf("--admin-paths-sensitive needs --config FILE with sensitive_accounts")
	}
	if f.adminSensitive && len(cfg.SensitiveAccounts) == 0 {
		return fmt.Errorf("--admin-paths-sensitive: config %s lists no sensitive_accounts", f.configPath)
	}
	m, err := a.accessModel(f)
	if err != nil {
		return err
	}
	g := access.Compute(m)

	switch {
	case f.blast != "":
		b, err := g.BlastRadius(kind, resolveAccountAlias(m, kind, id), cfg)
		if err != nil {
			return fmt.Errorf("--blast-radius %s: %w", f.blast, err)
		}
		if format == "table" {
			return access.WriteBlastTable(a.Stdout, b)
		}
		b.Accounts, b.SensitiveAccounts = orEmpty(b.Accounts), orEmpty(b.SensitiveAccounts)
		return writeJSON(a.Stdout, struct {
			Schema string       `json:"schema"`
			Blast  access.Blast `json:"blast_radius"`
		}{access.Schema, b})
	case f.largeGroups:
		risks := g.LargeAdminGroups(cfg)
		if format == "table" {
			return access.WriteGroupRisksTable(a.Stdout, risks)
		}
		for i := range risks {
			risks[i].AdminAccounts, risks[i].PermissionSets = orEmpty(risks[i].AdminAccounts), orEmpty(risks[i].PermissionSets)
		}
		return writeJSON(a.Stdout, struct {
			Schema         string             `json:"schema"`
			LargeGroupSize int                `json:"large_group_size"`
			Count          int                `json:"count"`
			Groups         []access.GroupRisk `json:"large_admin_groups"`
		}{access.Schema, cfg.LargeGroupSize, len(risks), orEmpty(risks)})
	}

	var res *access.Result
	switch {
	case f.account != "":
		if res, err = g.WhoCanReach(f.account, f.adminOnly); err != nil {
			return fmt.Errorf("--account: %w", err)
		}
	case f.user != "":
		if res, err = g.WhatCanReach(f.user); err != nil {
			return fmt.Errorf("--user: %w", err)
		}
	case f.adminSensitive:
		for _, id := range cfg.SensitiveAccounts {
			if _, ok := m.Accounts[id]; !ok {
				fmt.Fprintf(a.Stderr, "portcullis: warning: sensitive account %s (config %s) is not in the snapshot\n", id, f.configPath)
			}
		}
		res = g.AdminPathsIntoSensitive(cfg)
	default:
		res = g.All()
	}
	return writeGrants(a.Stdout, format, res)
}

// accessModel loads the model from --snapshot or --terraform and says on
// stderr when it is partial: answers from it may be short.
func (a *App) accessModel(f accessFlags) (*idc.Model, error) {
	var (
		m   *idc.Model
		err error
	)
	switch {
	case f.snapshot != "" && f.terraform != "":
		return nil, fmt.Errorf("give --snapshot or --terraform, not both")
	case f.snapshot != "":
		m, err = idc.Load(f.snapshot)
	case f.terraform != "":
		m, err = terraform.Load(f.terraform)
	default:
		return nil, fmt.Errorf("--snapshot FILE is required (or --terraform FILE); make one with portcullis snapshot")
	}
	if err != nil {
		return nil, err
	}
	if m.Partial {
		fmt.Fprintf(a.Stderr, "portcullis: warning: the snapshot is partial, answers may miss access; missing:\n  %s\n", strings.Join(m.Missing, "\n  "))
	}
	return m, nil
}

// parseBlast splits KIND:ID at the first colon (ARNs carry colons of their own).
func parseBlast(s string) (kind, id string, err error) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok || id == "" || !contains(blastKinds, kind) {
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

func writeGrants(w io.Writer, format string, res *access.Result) error {
	switch format {
	case "table":
		return access.WriteTable(w, res)
	case "csv":
		return access.WriteCSV(w, res)
	case "dot":
		return access.WriteDOT(w, res)
	}
	return access.WriteJSON(w, res)
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
