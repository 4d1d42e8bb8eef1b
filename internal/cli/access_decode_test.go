package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/access"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// TestAccessOutputSameWithEitherSnapshotDecoder: `access` reads snapshots
// with idc's hand-written decoder; every answer, in every format its
// question prints, must be byte for byte what it was when encoding/json
// decoded the snapshot. New: the command line on the file. Old: the same
// question answered from the model encoding/json decodes from the same
// file. The snapshot is a generated organization of some size, with names
// that need escaping in JSON, CSV and DOT.
func TestAccessOutputSameWithEitherSnapshotDecoder(t *testing.T) {
	dir := t.TempDir()
	m := idc.Synthetic(11, 500, 100, 40, 30, 3000)
	oddAccessNames(m)
	snap := filepath.Join(dir, "big.json")
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(snap, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "portcullis.yaml")
	cfgText := "sensitive_accounts:\n  - \"" + m.ManagementAccountID + "\"\n  - \"" + m.DelegatedAdminID + "\"\nlarge_group_size: 20\n"
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := decodeWithEncodingJSON(t, buf.Bytes())

	user, group, ps, acct := firstKey(ref.Users), firstKey(ref.Groups), firstKey(ref.PermissionSets), firstKey(ref.Accounts)
	questions := []struct {
		name  string
		args  []string
		flags accessFlags
	}{
		{"all", nil, accessFlags{}},
		{"account", []string{"--account", ref.Accounts[acct].Name}, accessFlags{account: ref.Accounts[acct].Name}},
		{"account admin", []string{"--account", acct, "--admin-only"}, accessFlags{account: acct, adminOnly: true}},
		{"user", []string{"--user", ref.Users[user].UserName}, accessFlags{user: ref.Users[user].UserName}},
		{"user in account", []string{"--user", user, "--account", ref.Accounts[acct].Name}, accessFlags{user: user, account: ref.Accounts[acct].Name}},
		{"blast user", []string{"--blast-radius", "user:" + user}, accessFlags{blast: "user:" + user}},
		{"blast group", []string{"--blast-radius", "group:" + group}, accessFlags{blast: "group:" + group}},
		{"blast permission set", []string{"--blast-radius", "permission-set:" + ps}, accessFlags{blast: "permission-set:" + ps}},
		{"blast management", []string{"--blast-radius", "account:management", "--config", cfgPath}, accessFlags{blast: "account:management", configPath: cfgPath}},
		{"blast delegated admin", []string{"--blast-radius", "account:delegated-admin"}, accessFlags{blast: "account:delegated-admin"}},
		{"admin paths sensitive", []string{"--admin-paths-sensitive", "--config", cfgPath}, accessFlags{adminSensitive: true, configPath: cfgPath}},
		{"large admin groups", []string{"--large-admin-groups", "--config", cfgPath}, accessFlags{largeGroups: true, configPath: cfgPath}},
	}
	asked := map[string]bool{}
	for _, q := range questions {
		question, err := pickQuestion(q.flags)
		if err != nil {
			t.Fatal(err)
		}
		asked[question.flag] = true
		for _, format := range question.formats {
			t.Run(q.name+" "+format, func(t *testing.T) {
				r := runCLI(t, append([]string{"access", "--snapshot", snap, "--format", format}, q.args...)...)
				if r.code != ExitOK {
					t.Fatalf("exit %d: %s", r.code, r.stderr)
				}
				want := answerFrom(t, ref, question, q.flags, format)
				if len(want) < 50 {
					t.Errorf("answer too small to compare anything: %q", want)
				}
				if !bytes.Equal([]byte(r.stdout), want) {
					t.Errorf("output differs from encoding/json's model (%d bytes, want %d)\n%s", len(r.stdout), len(want), firstDiff([]byte(r.stdout), want))
				}
			})
		}
	}
	for _, q := range append(slices.Clone(accessQuestions), allGrants) {
		if !asked[q.flag] {
			t.Errorf("question %q not compared", q.flag)
		}
	}
}

// decodeWithEncodingJSON is how `access` read a snapshot before the
// hand-written decoder: encoding/json, then idc's checks, which for a
// snapshot portcullis wrote change nothing (this checks that they would
// not, so nothing is left to them).
func decodeWithEncodingJSON(t *testing.T, doc []byte) *idc.Model {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	var m idc.Model
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("data after the snapshot: %v", err)
	}
	if m.Schema != idc.SnapshotSchema || m.Accounts == nil || m.Users == nil || m.Groups == nil || m.PermissionSets == nil || m.Memberships == nil {
		t.Fatal("the snapshot leaves idc's checks something to fill in")
	}
	for k, a := range m.Accounts {
		if a.ID != k {
			t.Fatalf("account %s: id %q", k, a.ID)
		}
	}
	for k, u := range m.Users {
		if u.ID != k {
			t.Fatalf("user %s: id %q", k, u.ID)
		}
	}
	for k, g := range m.Groups {
		if g.ID != k {
			t.Fatalf("group %s: id %q", k, g.ID)
		}
	}
	for k, ps := range m.PermissionSets {
		if ps.ARN != k {
			t.Fatalf("permission set %s: arn %q", k, ps.ARN)
		}
	}
	return &m
}

// answerFrom answers question from m as the command does, and prints it.
func answerFrom(t *testing.T, m *idc.Model, q accessQuestion, f accessFlags, format string) []byte {
	t.Helper()
	cfg := config.Default()
	if f.configPath != "" {
		var err error
		if cfg, err = config.Load(f.configPath); err != nil {
			t.Fatal(err)
		}
	}
	ans, err := q.answer(accessInput{flags: f, cfg: cfg, model: m, graph: access.Compute(m), warn: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ans.write(&buf, format); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// oddAccessNames gives some of every kind of name characters each output
// format escapes or quotes: quotes, backslashes, commas, tabs, line
// breaks, HTML's specials, non-ASCII and invalid UTF-8.
func oddAccessNames(m *idc.Model) {
	odd := []string{`say "hi"`, `back\slash`, "comma, and\ttab", "two\nlines", "<b>&amp;</b>", "Zoë ☃ 𝄞", "bad \xff byte", " lead"}
	i := 0
	next := func() string { i++; return odd[i%len(odd)] + " " + strconv.Itoa(i) }
	for _, k := range sortedKeysOf(m.Users)[:20] {
		m.Users[k].UserName, m.Users[k].DisplayName = next(), next()
	}
	for _, k := range sortedKeysOf(m.Groups)[:20] {
		m.Groups[k].DisplayName = next()
	}
	for _, k := range sortedKeysOf(m.Accounts)[2:12] {
		m.Accounts[k].Name = next()
	}
	for _, k := range sortedKeysOf(m.PermissionSets)[:10] {
		m.PermissionSets[k].Name = next()
	}
}

func sortedKeysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func firstKey[V any](m map[string]V) string { return sortedKeysOf(m)[0] }

// firstDiff shows where two outputs part.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(i-80, 0)
	return "at byte " + strconv.Itoa(i) + "\ngot:  " + strconv.Quote(string(got[lo:min(i+80, len(got))])) + "\nwant: " + strconv.Quote(string(want[lo:min(i+80, len(want))]))
}
