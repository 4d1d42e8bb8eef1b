package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/store"
)

// storeWith writes a store holding findings with these ids.
func storeWith(t *testing.T, ids ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "portcullis.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	var fs []finding.Finding
	for i, id := range ids {
		fs = append(fs, finding.Finding{Schema: finding.Schema, ID: id, Rule: "idc.test.rule", Title: "test", Severity: finding.High,
			Time: at.Add(time.Duration(i) * time.Minute), Summary: "<stdin> & more",
			Events: []finding.EventRef{{EventID: "ev-" + id, EventName: "CreateAccountAssignment", EventSource: "sso.amazonaws.com", Time: at}}})
	}
	if _, err := st.PutFindings(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFindingsNeverCreateAStore: a mistyped --store is an error naming the
// path, and no empty database is left behind.
func TestFindingsNeverCreateAStore(t *testing.T) {
	for _, args := range [][]string{{"list"}, {"show", "pf-00000001"}, {"ack", "pf-00000001"}, {"resolve", "pf-00000001"}} {
		typo := filepath.Join(t.TempDir(), "typo.db")
		r := runCLI(t, append(append([]string{"findings"}, args...), "--store", typo)...)
		if r.code != ExitError || !strings.Contains(r.stderr, typo) {
			t.Errorf("findings %s: exit %d, stderr %q: want an error naming %s", args[0], r.code, r.stderr, typo)
		}
		if _, err := os.Stat(typo); err == nil {
			t.Errorf("findings %s created %s", args[0], typo)
		}
	}
}

// TestFindingsIDPrefixes: ack, resolve and show take a unique prefix of 8+
// characters, as contain does; short or ambiguous ones say so.
func TestFindingsIDPrefixes(t *testing.T) {
	db := storeWith(t, "pf-abc00001aa", "pf-abc00002bb", "pf-def00003cc")
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"ack", "pf-def00"}, ExitOK, "pf-def00003cc acknowledged", ""},
		{[]string{"resolve", "pf-def00003cc"}, ExitOK, "pf-def00003cc resolved", ""},
		{[]string{"show", "pf-def000", "--format", "json"}, ExitOK, `"id": "pf-def00003cc"`, ""},
		{[]string{"ack", "pf-def"}, ExitError, "", "too short for a prefix (give 8 or more characters); it starts 1 finding(s): pf-def00003cc"},
		{[]string{"show", "pf-abc000"}, ExitError, "", "ambiguous: it starts 2 finding(s): pf-abc00001aa, pf-abc00002bb"},
		{[]string{"resolve", "pf-zzzzzzzz"}, ExitError, "", `finding "pf-zzzzzzzz" not found`},
	} {
		r := runCLI(t, append(append([]string{"findings"}, tc.args...), "--store", db)...)
		if r.code != tc.code || !strings.Contains(r.stdout, tc.out) || !strings.Contains(r.stderr, tc.err) {
			t.Errorf("findings %v: exit %d (want %d)\nstdout %s\nstderr %s", tc.args, r.code, tc.code, r.stdout, r.stderr)
		}
	}
	r := session{stdoutTTY: true}.run(t, "findings", "show", "pf-def00003", "--store", db)
	if r.code != ExitOK || !strings.Contains(r.stdout, "status") || !strings.Contains(r.stdout, "resolved") || !strings.Contains(r.stdout, "actor     unknown") {
		t.Errorf("show on a terminal: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rec store.Record
	if r := runCLI(t, "findings", "show", "pf-def00003", "--store", db); json.Unmarshal([]byte(r.stdout), &rec) != nil || rec.Status != store.StatusResolved {
		t.Errorf("show as JSON: %s", r.stdout)
	}
}
