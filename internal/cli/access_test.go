package cli

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/access"
)

// TestAccessQuestions asks each question of the small organization in
// testdata/model/org.snapshot.json (read it beside the goldens: 4 accounts,
// platform-admins = alice, bob, carol with Admin in management and prod;
// developers = bob, dave with ReadOnly in prod and Dev in dev; dave has
// Admin in dev directly, carol ReadOnly in dev).
func TestAccessQuestions(t *testing.T) {
	snap, cfg := modelDir.file("org.snapshot.json"), modelDir.file("portcullis.yaml")
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"all.table", []string{"--format", "table"}},
		{"all.json", nil}, // json is the default off a terminal
		{"all.csv", []string{"--format", "csv"}},
		{"all.dot", []string{"--format", "dot"}},
		{"account-prod-admin.table", []string{"--account", "prod", "--admin-only", "--format", "table"}},
		{"account-333.json", []string{"--account", "333333333333", "--format", "json"}},
		{"user-bob.table", []string{"--user", "bob", "--format", "table"}},
		{"user-dave.csv", []string{"--user", "u-dave", "--format", "csv"}},
		{"blast-group.table", []string{"--blast-radius", "group:platform-admins", "--config", cfg, "--format", "table"}},
		{"blast-user.json", []string{"--blast-radius", "user:bob", "--config", cfg}},
		{"blast-permission-set.table", []string{"--blast-radius", "permission-set:Admin", "--config", cfg, "--format", "table"}},
		{"blast-delegated-admin.table", []string{"--blast-radius", "account:delegated-admin", "--config", cfg, "--format", "table"}},
		{"blast-management.json", []string{"--blast-radius", "account:management", "--config", cfg}},
		{"admin-paths-sensitive.table", []string{"--admin-paths-sensitive", "--config", cfg, "--format", "table"}},
		{"large-admin-groups.table", []string{"--large-admin-groups", "--config", cfg, "--format", "table"}},
		{"large-admin-groups.json", []string{"--large-admin-groups", "--config", cfg}},
		{"large-admin-groups-default.json", []string{"--large-admin-groups"}}, // default size 50: none
	} {
		t.Run(tc.golden, func(t *testing.T) {
			r := runCLI(t, append([]string{"access", "--snapshot", snap}, tc.args...)...)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if strings.HasSuffix(tc.golden, ".json") && !json.Valid([]byte(r.stdout)) {
				t.Errorf("not JSON:\n%s", r.stdout)
			}
			modelDir.check(t, "access-"+tc.golden, []byte(r.stdout))
		})
	}
}

// TestAccessAnswers checks the facts behind the goldens, so that a wrong
// golden accepted with -update still fails here.
func TestAccessAnswers(t *testing.T) {
	snap, cfg := modelDir.file("org.snapshot.json"), modelDir.file("portcullis.yaml")
	grants := func(t *testing.T, args ...string) [][]string {
		t.Helper()
		r := runCLI(t, append([]string{"access", "--snapshot", snap, "--format", "csv"}, args...)...)
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if err != nil || len(rows) == 0 {
			t.Fatalf("csv: %v", err)
		}
		var out [][]string // user, account, permission set, level, via
		for _, row := range rows[1:] {
			out = append(out, []string{row[1], row[3], row[4], row[6], row[7]})
		}
		return out
	}
	users := func(rows [][]string) []string {
		var us []string
		for _, r := range rows {
			us = append(us, r[0])
		}
		slices.Sort(us)
		return slices.Compact(us)
	}
	if got := grants(t); len(got) != 12 {
		// admins: 3 users x 2 accounts; devs: 2 x 2; dave direct; carol direct.
		t.Errorf("every grant: %d rows, want 12", len(got))
	}
	if got := users(grants(t, "--account", "prod", "--admin-only")); !slices.Equal(got, []string{"alice", "bob", "carol"}) {
		t.Errorf("admins of prod = %v", got)
	}
	if got := users(grants(t, "--account", "dev")); !slices.Equal(got, []string{"bob", "carol", "dave"}) {
		t.Errorf("users reaching dev = %v", got)
	}
	bob := grants(t, "--user", "bob")
	if len(bob) != 4 {
		t.Errorf("bob holds %d grants, want 4 (Admin x2 via platform-admins, ReadOnly prod + Dev dev via developers): %v", len(bob), bob)
	}
	// --user with --account: bob's access in prod only (Admin via
	// platform-admins, ReadOnly via developers); --admin-only keeps Admin.
	bobProd := grants(t, "--user", "bob", "--account", "prod")
	if len(bobProd) != 2 || bobProd[0][1] != "prod" || bobProd[1][1] != "prod" {
		t.Errorf("bob in prod: %v, want his 2 grants into prod", bobProd)
	}
	if got := grants(t, "--user", "bob", "--account", "prod", "--admin-only"); len(got) != 1 || got[0][3] != "admin" {
		t.Errorf("bob's admin paths into prod: %v", got)
	}
	for _, g := range grants(t, "--admin-paths-sensitive", "--config", cfg) {
		if g[3] != "admin" || (g[1] != "management" && g[1] != "prod") {
			t.Errorf("admin path into sensitive: %v", g)
		}
	}

	r := runCLI(t, "access", "--snapshot", snap, "--blast-radius", "account:delegated-admin", "--config", cfg, "--format", "json")
	var b struct {
		Blast access.Blast `json:"blast_radius"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
		t.Fatalf("blast json: %v\n%s", err, r.stdout)
	}
	if b.Blast.ID != "222222222222" || slices.Contains(b.Blast.Accounts, "111111111111") {
		t.Errorf("delegated admin radius = %+v, want account 222222222222 without the management account", b.Blast)
	}

	r = runCLI(t, "access", "--snapshot", snap, "--large-admin-groups", "--config", cfg, "--format", "json")
	var lg struct {
		Size   int                `json:"large_group_size"`
		Groups []access.GroupRisk `json:"large_admin_groups"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &lg); err != nil {
		t.Fatal(err)
	}
	if lg.Size != 2 || len(lg.Groups) != 1 || lg.Groups[0].GroupName != "platform-admins" || lg.Groups[0].Size != 3 {
		t.Errorf("large admin groups (size > 2) = %+v", lg)
	}
}

// TestAccessFromTerraform answers from a Terraform state directly.
func TestAccessFromTerraform(t *testing.T) {
	r := runCLI(t, "access", "--terraform", modelDir.file("sso.tfstate"), "--format", "table")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	modelDir.check(t, "access-terraform.table", []byte(r.stdout))
	if !strings.Contains(r.stdout, "erin") || !strings.Contains(r.stdout, "group ops") {
		t.Errorf("erin's Admin through ops is missing:\n%s", r.stdout)
	}
}

// TestAccessTableOnTerminal: with no --format, a terminal gets the table.
func TestAccessTableOnTerminal(t *testing.T) {
	r := session{stdoutTTY: true}.run(t, "access", "--snapshot", modelDir.file("org.snapshot.json"), "--user", "dave")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "USER ") {
		t.Errorf("want a table on a terminal, got:\n%s", r.stdout)
	}
}

func TestAccessBadInput(t *testing.T) {
	snap, cfg := modelDir.file("org.snapshot.json"), modelDir.file("portcullis.yaml")
	missing := filepath.Join(t.TempDir(), "nope.json")
	noSensitive := filepath.Join(t.TempDir(), "portcullis.yaml")
	if err := os.WriteFile(noSensitive, []byte("admins: [alice@example.com]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no snapshot", nil, "--snapshot is required"},
		{"both sources", []string{"--snapshot", snap, "--terraform", modelDir.file("sso.tfstate")}, "not both"},
		{"missing snapshot", []string{"--snapshot", missing}, missing},
		{"malformed snapshot", []string{"--snapshot", modelDir.file("malformed.snapshot.json")}, "malformed.snapshot.json"},
		{"missing terraform", []string{"--terraform", missing}, missing},
		{"missing config", []string{"--snapshot", snap, "--config", missing}, missing},
		{"blast without colon", []string{"--snapshot", snap, "--blast-radius", "alice"}, `--blast-radius: want KIND:ID`},
		{"blast unknown kind", []string{"--snapshot", snap, "--blast-radius", "role:admin"}, `got "role:admin"`},
		{"blast empty id", []string{"--snapshot", snap, "--blast-radius", "user:"}, `got "user:"`},
		{"blast unknown user", []string{"--snapshot", snap, "--blast-radius", "user:mallory"}, `"mallory"`},
		{"unknown account", []string{"--snapshot", snap, "--account", "staging"}, `--account: access: no account "staging"`},
		{"unknown user", []string{"--snapshot", snap, "--user", "mallory"}, `--user: access: no user "mallory"`},
		{"two questions", []string{"--snapshot", snap, "--user", "bob", "--large-admin-groups"}, "one question at a time"},
		{"user in an unknown account", []string{"--snapshot", snap, "--user", "bob", "--account", "staging"}, `--user bob --account staging: access: no account "staging"`},
		{"admin-only alone", []string{"--snapshot", snap, "--admin-only"}, "--admin-only goes with --account"},
		{"sensitive without config", []string{"--snapshot", snap, "--admin-paths-sensitive"}, "needs sensitive_accounts from a config: --config FILE"},
		{"sensitive with none configured", []string{"--snapshot", snap, "--admin-paths-sensitive", "--config", noSensitive}, "lists no sensitive_accounts"},
		{"two questions named", []string{"--snapshot", snap, "--large-admin-groups", "--blast-radius", "user:bob"}, "got --blast-radius and --large-admin-groups"},
		{"bad format", []string{"--snapshot", snap, "--format", "xml"}, `"xml"`},
		{"csv blast radius", []string{"--snapshot", snap, "--blast-radius", "group:developers", "--format", "csv", "--config", cfg}, "--blast-radius prints as table or json"},
		{"dot groups", []string{"--snapshot", snap, "--large-admin-groups", "--format", "dot"}, "--large-admin-groups prints as table or json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, append([]string{"access"}, tc.args...)...)
			if r.code != ExitError {
				t.Errorf("exit %d, want %d", r.code, ExitError)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout should be empty on error, got %.200q", r.stdout)
			}
		})
	}
}

// FuzzParseBlast: any --blast-radius value either parses back to itself
// (KIND:ID with a known kind and a non-empty id) or is an error naming it.
func FuzzParseBlast(f *testing.F) {
	for _, s := range []string{"user:alice", "group:", "account:management", "permission-set:arn:aws:sso:::permissionSet/ssoins-1/ps-1", ":x", "role:x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kind, id, err := parseBlast(s)
		if err != nil {
			if !strings.Contains(err.Error(), "--blast-radius") {
				t.Errorf("error does not name the flag: %v", err)
			}
			return
		}
		if !slices.Contains(blastKinds, kind) || id == "" || kind+":"+id != s {
			t.Errorf("parseBlast(%q) = %q, %q", s, kind, id)
		}
	})
}
