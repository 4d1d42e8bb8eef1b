package access

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/golden"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

func fixture(t testing.TB) *Graph {
	t.Helper()
	m, err := idc.Load(filepath.Join("testdata", "org.snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	return Compute(m)
}

func cfg() *config.Config {
	c := config.Default()
	c.SensitiveAccounts = []string{"333333333333"}
	return c
}

// paths renders a result compactly: user>account>set>via.
func paths(r *Result) []string {
	var out []string
	for _, a := range r.Slice() {
		out = append(out, a.UserName+">"+a.AccountID[:1]+">"+a.PermissionSetName+">"+via(a))
	}
	return out
}

func TestComputeExpandsGroupsAndKeepsEveryPath(t *testing.T) {
	g := fixture(t)
	want := []string{
		">4>ReadOnly>direct", // u-ghost: assigned but not in the model, kept by id
		"alice>1>Admin>group admins",
		"alice>3>Admin>group admins",
		"bob>1>Admin>group admins",
		"bob>3>Admin>group admins",
		"bob>3>ReadOnly>direct",
		"bob>3>ReadOnly>group devs",
		"bob>4>Dev>group devs",
		"carol>3>ReadOnly>group devs",
		"carol>4>Admin>direct",
		"carol>4>Dev>group devs",
	}
	if got := paths(g.All()); !slices.Equal(got, want) {
		t.Errorf("grants:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if a := g.All().At(0); a.UserID != "u-ghost" {
		t.Errorf("unknown principal kept as %+v", a)
	}
}

func TestQuestions(t *testing.T) {
	g := fixture(t)
	tests := []struct {
		name string
		run  func() (*Result, error)
		want []string
	}{
		{"who reaches prod with admin", func() (*Result, error) { return g.WhoCanReach("prod", true) }, []string{"alice>3>Admin>group admins", "bob>3>Admin>group admins"}},
		{"who reaches 444 at all", func() (*Result, error) { return g.WhoCanReach("444444444444", false) }, []string{">4>ReadOnly>direct", "bob>4>Dev>group devs", "carol>4>Admin>direct", "carol>4>Dev>group devs"}},
		{"what bob reaches", func() (*Result, error) { return g.WhatCanReach("bob") }, []string{"bob>1>Admin>group admins", "bob>3>Admin>group admins", "bob>3>ReadOnly>direct", "bob>3>ReadOnly>group devs", "bob>4>Dev>group devs"}},
		{"what a user id reaches", func() (*Result, error) { return g.WhatCanReach("u-alice") }, []string{"alice>1>Admin>group admins", "alice>3>Admin>group admins"}},
		{"user with nothing", func() (*Result, error) { return g.WhatCanReach(`dave "the admin"`) }, nil},
		{"admin paths into sensitive", func() (*Result, error) { return g.AdminPathsIntoSensitive(cfg()), nil }, []string{"alice>3>Admin>group admins", "bob>3>Admin>group admins"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.run()
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(r); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := g.WhoCanReach("nope", false); err == nil {
		t.Error("unknown account accepted")
	}
	if _, err := g.WhatCanReach("nobody"); err == nil {
		t.Error("unknown user accepted")
	}
}

func TestBlastRadius(t *testing.T) {
	g := fixture(t)
	tests := []struct {
		kind, id                        string
		users, paths, admin, adminAccts int
		accounts, sensitive             []string
	}{
		{KindUser, "carol", 1, 3, 1, 1, []string{"333333333333", "444444444444"}, []string{"333333333333"}},
		{KindGroup, "admins", 2, 4, 4, 2, []string{"111111111111", "333333333333"}, []string{"333333333333"}},
		{KindGroup, "g-devs", 2, 4, 0, 0, []string{"333333333333", "444444444444"}, []string{"333333333333"}},
		{KindPermissionSet, "Admin", 3, 5, 5, 3, []string{"111111111111", "333333333333", "444444444444"}, []string{"333333333333"}},
		// Delegated admin: everything but the management account and the
		// Admin set (provisioned to the management account).
		{KindAccount, "222222222222", 3, 6, 0, 0, []string{"222222222222", "333333333333", "444444444444"}, []string{"333333333333"}},
		{KindAccount, "management", 4, 11, 5, 3, []string{"111111111111", "222222222222", "333333333333", "444444444444"}, []string{"333333333333"}},
		{KindAccount, "dev", 3, 4, 1, 1, []string{"444444444444"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.id, func(t *testing.T) {
			b, err := g.BlastRadius(tt.kind, tt.id, cfg())
			if err != nil {
				t.Fatal(err)
			}
			if b.Users != tt.users || b.Paths != tt.paths || b.AdminPaths != tt.admin || b.AdminAccounts != tt.adminAccts ||
				!slices.Equal(b.Accounts, tt.accounts) || !slices.Equal(b.SensitiveAccounts, tt.sensitive) {
				t.Errorf("got %+v", b)
			}
		})
	}
	if _, err := g.BlastRadius("role", "x", nil); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestLargeAdminGroups(t *testing.T) {
	g := fixture(t)
	c := cfg()
	c.LargeGroupSize = 1
	got := g.LargeAdminGroups(c)
	if len(got) != 1 || got[0].GroupName != "admins" || got[0].Size != 2 ||
		!slices.Equal(got[0].AdminAccounts, []string{"111111111111", "333333333333"}) || !slices.Equal(got[0].PermissionSets, []string{"Admin"}) {
		t.Errorf("got %+v", got)
	}
	c.LargeGroupSize = 2
	if got := g.LargeAdminGroups(c); len(got) != 0 {
		t.Errorf("a group of exactly the limit is not large: %+v", got)
	}
}

func TestWritersMatchGolden(t *testing.T) {
	g := fixture(t)
	writers := map[string]func(*bytes.Buffer, *Result) error{
		"table.txt": func(b *bytes.Buffer, r *Result) error { return WriteTable(b, r) },
		"json.json": func(b *bytes.Buffer, r *Result) error { return WriteJSON(b, r) },
		"csv.csv":   func(b *bytes.Buffer, r *Result) error { return WriteCSV(b, r) },
		"dot.dot":   func(b *bytes.Buffer, r *Result) error { return WriteDOT(b, r) },
	}
	for name, write := range writers {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := write(&buf, g.All()); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "golden", "all."+name), buf.Bytes())
		})
	}
}

// TestJSONAndCSVAreWellFormed checks the hand-written encoder against the
// standard decoders, names with quotes included.
func TestJSONAndCSVAreWellFormed(t *testing.T) {
	m := idc.Synthetic(3, 40, 6, 5, 6, 60)
	for _, u := range m.Users {
		u.UserName = "quote\" back\\slash <tag> ünï\x01" + u.ID
		break
	}
	g := Compute(m)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, g.All()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema string   `json:"schema"`
		Count  int      `json:"count"`
		Access []Access `json:"access"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	if doc.Schema != Schema || doc.Count != g.Len() || !slices.Equal(doc.Access, g.All().Slice()) {
		t.Errorf("JSON does not round-trip: %d of %d", len(doc.Access), g.Len())
	}
	buf.Reset()
	if err := WriteCSV(&buf, g.All()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != g.Len()+1 {
		t.Errorf("csv: %d rows, %v", len(rows), err)
	}
}

func TestDOTHighlightsAdminPaths(t *testing.T) {
	g := fixture(t)
	r, err := g.WhatCanReach("carol")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteDOT(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	adminEdge := `"u:u-carol" -> "ps:444444444444:arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-admin" [color=red`
	plainEdge := `"g:g-devs" -> "ps:444444444444:arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-dev";`
	if !strings.Contains(out, adminEdge) || !strings.Contains(out, plainEdge) {
		t.Errorf("edges wrong:\n%s", out)
	}
}

func TestReportTablesMatchGolden(t *testing.T) {
	g := fixture(t)
	c := cfg()
	c.LargeGroupSize = 1
	var buf bytes.Buffer
	for _, q := range [][2]string{{KindAccount, "222222222222"}, {KindGroup, "admins"}} {
		b, err := g.BlastRadius(q[0], q[1], c)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteBlastTable(&buf, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteGroupRisksTable(&buf, g.LargeAdminGroups(c)); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "golden", "reports.txt"), buf.Bytes())
}
