package respond

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFindingsFormats(t *testing.T) {
	line := `{"schema":"portcullis.finding/v1","id":"pf-aaaaaaaaaaaaaaaaaaaaaaaa","rule":"idc.assignment.created","severity":"high","time":"2026-03-02T08:10:00Z","actor":{"allowlisted":false},"targets":{"principal_id":"u"},"events":[],"summary":"s"}`
	other := strings.Replace(line, "pf-aaaa", "pf-bbbb", 1)
	cases := []struct {
		name    string
		in      string
		wantIDs []string
		wantErr string
	}{
		{"json lines with blank lines and CRLF", line + "\r\n\r\n" + other + "\n", []string{"pf-aaaaaaaaaaaaaaaaaaaaaaaa", "pf-bbbbaaaaaaaaaaaaaaaaaaaa"}, ""},
		{"json array", "[" + line + "," + other + "]", []string{"pf-aaaaaaaaaaaaaaaaaaaaaaaa", "pf-bbbbaaaaaaaaaaaaaaaaaaaa"}, ""},
		{"wrapper object", `{"findings":[` + line + `]}`, []string{"pf-aaaaaaaaaaaaaaaaaaaaaaaa"}, ""},
		{"one pretty object", strings.ReplaceAll(line, ",", ",\n  "), []string{"pf-aaaaaaaaaaaaaaaaaaaaaaaa"}, ""},
		{"bad line names the line", line + "\n{\"id\":\n", nil, "x.jsonl:2:"},
		{"bad severity names the line", line + "\n" + strings.Replace(other, `"high"`, `"extreme"`, 1), nil, "x.jsonl:2: unknown severity"},
		{"finding without id", `{"rule":"r"}` + "\n" + line, nil, "x.jsonl:1: finding without id"},
		{"other schema", strings.Replace(line, "finding/v1", "finding/v9", 1), nil, "not supported"},
		{"array item", "[" + line + `,{"rule":"x"}]`, nil, "item 1: finding without id"},
		{"empty", " \n", nil, "empty file"},
		{"not json", "Records,", nil, `got "R"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := ParseFindings(strings.NewReader(tc.in), "x.jsonl")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, f := range fs {
				ids = append(ids, f.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.wantIDs, ",") {
				t.Errorf("ids %q, want %q", ids, tc.wantIDs)
			}
		})
	}
}

func TestLoadFindingsFile(t *testing.T) {
	fs, err := LoadFindings(filepath.Join("testdata", "findings.jsonl"))
	if err != nil || len(fs) != 5 {
		t.Fatalf("%d findings, %v", len(fs), err)
	}
	if _, err := LoadFindings(filepath.Join(t.TempDir(), "missing.jsonl")); err == nil || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("missing file: %v", err)
	}
	cases := []struct{ id, want, wantErr string }{
		{findBackdoor, findBackdoor, ""},
		{"pf-2c3d4e5f", findBackdoor, ""},     // unique prefix
		{"pf-", "", "too short for a prefix"}, // says so, listing candidates
		{"pf-9999999999", "", "not found"},
		{"", "", "empty"},
	}
	for _, tc := range cases {
		f, err := FindFinding(fs, tc.id)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("FindFinding(%q) err = %v, want %q", tc.id, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || f.ID != tc.want):
			t.Errorf("FindFinding(%q) = %v, %v", tc.id, f, err)
		}
	}
	dup := append(fs, fs[2])
	dup[5].ID = findBackdoor[:len(findBackdoor)-1] + "0"
	if _, err := FindFinding(dup, "pf-2c3d4e5f"); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("ambiguous prefix: %v", err)
	}
}

func TestFromFindingByRule(t *testing.T) {
	cases := []struct {
		id        string
		principal string
		group     string
		ps        string
		account   string
		rogue     bool
		detach    string
	}{
		{findAssignment, userMallory, "", psAdmin, "333333333333", false, ""},
		{findMembership, userTrent, groupAdmins, "", "", false, ""},
		{findBackdoor, "", "", psBackdoor, "", true, ""},
		{findAttached, "", "", psDev, "", false, "arn:aws:iam::aws:policy/AdministratorAccess"},
	}
	for _, tc := range cases {
		in, _, err := fromFinding(Input{}, loadFinding(t, tc.id))
		if err != nil {
			t.Fatalf("%s: %v", tc.id, err)
		}
		detach := strings.Join(in.DetachPolicies, ",")
		if in.Principal != tc.principal || in.Group != tc.group || in.PermissionSet != tc.ps || in.Account != tc.account ||
			in.DeletePermissionSet != tc.rogue || detach != tc.detach {
			t.Errorf("%s: got %+v", tc.id, in)
		}
	}
	// Flags the caller gave win over the finding's targets.
	in, _, err := fromFinding(Input{Account: "444444444444"}, loadFinding(t, findAssignment))
	if err != nil || in.Account != "444444444444" {
		t.Errorf("caller's account overridden: %+v %v", in, err)
	}
}

func FuzzParseFindings(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "findings.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`[{"id":"x"}]`))
	f.Add([]byte(`{"findings":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := ParseFindings(strings.NewReader(string(b)), "fuzz")
		if err == nil {
			for _, x := range fs {
				if x.ID == "" {
					t.Fatal("accepted a finding without id")
				}
			}
		}
	})
}
