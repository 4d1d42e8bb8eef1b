package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// TestJSONIsNotHTMLEscaped: JSON output reads <stdin>, not \u003cstdin\u003e.
func TestJSONIsNotHTMLEscaped(t *testing.T) {
	events, err := os.ReadFile(modelDir.file("events.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := idc.New("file")
	m.Users["u-1"] = &idc.User{ID: "u-1", UserName: "a<b>&c"}
	m.Accounts["111111111111"] = &idc.Account{ID: "111111111111", Name: "prod & <dev>"}
	m.PermissionSets["arn:aws:sso:::permissionSet/ssoins-1/ps-1"] = &idc.PermissionSet{ARN: "arn:aws:sso:::permissionSet/ssoins-1/ps-1", Name: "Admin"}
	m.Assignments = []idc.Assignment{{AccountID: "111111111111", PermissionSetARN: "arn:aws:sso:::permissionSet/ssoins-1/ps-1", PrincipalType: "USER", PrincipalID: "u-1"}}
	snap := filepath.Join(t.TempDir(), "snap.json")
	f, err := os.Create(snap)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	db := storeWith(t, "pf-00000001aa")
	for _, tc := range []struct {
		name  string
		s     session
		args  []string
		plain string // must appear as is
	}{
		{"hunt json", session{stdin: string(events)}, []string{"hunt", "--format", "json", "-"}, "<stdin>"},
		{"hunt jsonl", session{stdin: string(events)}, []string{"hunt", "--format", "jsonl", "-"}, "<stdin>"},
		{"findings list json", session{}, []string{"findings", "list", "--store", db, "--format", "json"}, "<stdin> & more"},
		{"findings list jsonl", session{}, []string{"findings", "list", "--store", db, "--format", "jsonl"}, "<stdin> & more"},
		{"access json", session{}, []string{"access", "--snapshot", snap, "--format", "json"}, "a<b>&c"},
		{"snapshot", session{}, []string{"snapshot", "--from", "file", snap}, "prod & <dev>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.s.run(t, tc.args...)
			if strings.Contains(r.stdout, `\u003c`) || strings.Contains(r.stdout, `\u0026`) || !strings.Contains(r.stdout, tc.plain) {
				t.Errorf("exit %d: want %q unescaped:\n%.600s", r.code, tc.plain, r.stdout)
			}
		})
	}
}

// TestMessagesSayThingsOnce: no zero time in an error, no error text said
// twice.
func TestMessagesSayThingsOnce(t *testing.T) {
	m, err := idc.Load(containDir.file("snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	m.CapturedAt = time.Time{} // a replay that read no event
	undated := filepath.Join(t.TempDir(), "undated.json")
	f, err := os.Create(undated)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r := runCLI(t, "contain", "--principal", "nobody", "--snapshot", undated, "--region", "eu-west-1")
	if r.code != ExitError || !strings.Contains(r.stderr, `"nobody" is neither a user nor a group`) || strings.Contains(r.stderr, "0001-01-01") {
		t.Errorf("unknown principal in an undated state: exit %d: %s", r.code, r.stderr)
	}

	// Terraform ids are not GUIDs: contain refuses them, each once.
	r = runCLI(t, "contain", "--principal", "erin", "--snapshot", modelDir.file("sso.tfstate"), "--region", "us-east-1")
	if r.code != ExitError || strings.Count(r.stderr, `user id "u-erin"`) != 1 {
		t.Errorf("contain validation: exit %d, want user id \"u-erin\" named once: %s", r.code, r.stderr)
	}

	r = runCLI(t, "watch", "--listen", "127.0.0.1:0", "--store", filepath.Join(t.TempDir(), "p.db"))
	if r.code != ExitError || strings.Count(r.stderr, "--secret-file") != 1 || strings.Count(r.stderr, "--insecure-no-auth") != 1 {
		t.Errorf("watch without a secret: exit %d, want each remedy named once: %s", r.code, r.stderr)
	}
}
