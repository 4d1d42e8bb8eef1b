package collect

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/collect/terraform"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// tfState is a raw Terraform state of the terraform package's tests.
var tfState = filepath.Join("terraform", "testdata", "raw-v4.tfstate")

// writeSnapshot writes a small snapshot (one assignment) and returns its path.
func writeSnapshot(t *testing.T, dir string) string {
	t.Helper()
	m := idc.New("aws")
	const ps = "arn:aws:sso:::permissionSet/ssoins-1/ps-1"
	m.Accounts["111111111111"] = &idc.Account{ID: "111111111111"}
	m.Users["u-1"] = &idc.User{ID: "u-1", UserName: "alice"}
	m.PermissionSets[ps] = &idc.PermissionSet{ARN: ps, Name: "Admin"}
	m.Assignments = append(m.Assignments, idc.Assignment{AccountID: "111111111111", PermissionSetARN: ps, PrincipalType: "USER", PrincipalID: "u-1"})
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "idc.snapshot.json")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadSpecs: a spec names a snapshot, Terraform (by content or
// terraform:), stdin, and bad inputs fail with the file in the message.
func TestLoadSpecs(t *testing.T) {
	dir := t.TempDir()
	snapPath := writeSnapshot(t, dir)
	snap, err := os.ReadFile(snapPath)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := terraform.Load(tfState)
	if err != nil {
		t.Fatal(err)
	}
	if len(tf.Assignments) == 0 {
		t.Fatalf("%s holds no assignment: it cannot tell the readers apart", tfState)
	}
	junk := filepath.Join(dir, "junk.json")
	if err := os.WriteFile(junk, []byte(`{"hello":"world"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	notJSON := filepath.Join(dir, "state.tfstate")
	if err := os.WriteFile(notJSON, []byte("terraform {"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, spec, stdin string
		wantFrom          string
		wantAssignments   int
		wantErr           string
	}{
		{"snapshot", snapPath, "", "aws", 1, ""},
		{"terraform by content", tfState, "", "terraform", len(tf.Assignments), ""},
		{"terraform forced", "terraform:" + tfState, "", "terraform", len(tf.Assignments), ""},
		{"stdin", "-", string(snap), "aws", 1, ""},
		{"snapshot forced as terraform", "terraform:" + snapPath, "", "", 0, "idc.snapshot.json"},
		{"neither", junk, "", "", 0, "neither a portcullis snapshot"},
		{"not JSON", notJSON, "", "", 0, "state.tfstate: not a JSON object"},
		{"not JSON: where", notJSON, "", "", 0, "line 1, column 2: invalid character 'e' in literal true"},
		{"cut short: where", "-", "{\n \"schema\": \"portcullis.snapshot/v1\",\n \"users\": {", "", 0, "line 3, column 12: unexpected end of JSON input"},
		{"missing", filepath.Join(dir, "missing.json"), "", "", 0, "missing.json"},
		{"empty", "", "", "", 0, "no model given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Load(context.Background(), tt.spec, Options{Stdin: strings.NewReader(tt.stdin)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.From != tt.wantFrom || len(m.Assignments) != tt.wantAssignments {
				t.Errorf("from %q with %d assignments, want %q with %d", m.From, len(m.Assignments), tt.wantFrom, tt.wantAssignments)
			}
		})
	}
}

func TestLoadOrganizationFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "org.json")
	doc := `{"Policies":[{"Id":"p-1","Content":"{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"sso:*\",\"Resource\":\"*\"}}","Targets":[{"TargetId":"r-1","Type":"ROOT"}]}]}`
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	org, err := LoadOrganization(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(org.Policies) != 1 || org.Policies[0].Document == nil || !org.Applies(&org.Policies[0], "222222222222", "") {
		t.Errorf("organization = %+v", org)
	}
	if _, err := LoadOrganization(context.Background(), filepath.Join(t.TempDir(), "none.json"), Options{}); err == nil || !strings.Contains(err.Error(), "none.json") {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzRead: whatever a spec file holds, telling a snapshot from Terraform
// never panics and a failure names the file.
func FuzzRead(f *testing.F) {
	for _, name := range []string{
		filepath.Join("terraform", "testdata", "raw-v4.golden.json"),
		tfState,
		filepath.Join("terraform", "testdata", "show-plan.json"),
	} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"schema":"portcullis.snapshot/v2"}`))
	f.Add([]byte(`{"format_version":"1.2","values":{"root_module":{}}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Read(b, "fuzz.json")
		if err != nil && !strings.Contains(err.Error(), "fuzz.json") {
			t.Errorf("error does not name the file: %v", err)
		}
		if err == nil && m == nil {
			t.Error("nil model without an error")
		}
	})
}
