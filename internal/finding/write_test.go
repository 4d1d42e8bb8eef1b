package finding

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/golden"
)

func sample() []Finding {
	t := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	return []Finding{{
		Schema: Schema, ID: StableID("idc.assignment.created", "e1"), Rule: "idc.assignment.created",
		Title: "Identity Center account assignment created", Severity: Critical, Time: t,
		Actor:   Actor{ARN: "arn:aws:sts::1:assumed-role/AWSReservedSSO_DevOps_0123456789abcdef/mallory", Type: "IdentityCenterSession", Name: "mallory"},
		Account: "111111111111", Region: "us-east-1",
		Targets: Targets{AccountID: "222222222222", PermissionSetName: "Backdoor", PrincipalType: "USER", PrincipalID: "u-1"},
		Events:  []EventRef{{EventID: "e1", EventName: "CreateAccountAssignment", EventSource: "sso.amazonaws.com", Time: t}},
		Summary: "mallory assigned permission set Backdoor (level admin) to USER u-1 in account 222222222222",
		Attack:  []string{"T1098"}, Remediation: "Delete the assignment.", Reasons: []string{"admin access to a sensitive account"},
	}, {
		Schema: Schema, ID: StableID("idc.permission-set.created", "e0"), Rule: "idc.permission-set.created",
		Title: "Identity Center permission set created", Severity: Low, Time: t.Add(-time.Hour),
		Actor:   Actor{Name: "alice@example.com", Allowlisted: true},
		Events:  []EventRef{{EventID: "e0", EventName: "CreatePermissionSet", EventSource: "sso.amazonaws.com", Time: t.Add(-time.Hour)}},
		Summary: "alice@example.com created permission set ReadOnly (session PT1H)",
	}}
}

func TestWriteGolden(t *testing.T) {
	fs := sample()
	Sort(fs)
	for _, format := range Formats {
		var b bytes.Buffer
		if err := Write(&b, format, fs); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", "findings."+format+".golden"), b.Bytes())
	}
}

func TestReadRoundTrip(t *testing.T) {
	fs := sample()
	for _, format := range []string{"json", "jsonl"} {
		var b bytes.Buffer
		if err := Write(&b, format, fs); err != nil {
			t.Fatal(err)
		}
		got, err := Read(&b, "x."+format)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != fs[0].ID || got[0].Severity != Critical || !got[1].Actor.Allowlisted {
			t.Errorf("%s round trip: %+v", format, got)
		}
	}
	if _, err := Read(bytes.NewReader([]byte(`{"severity":"bogus"}`)), "bad.jsonl"); err == nil {
		t.Error("bad severity accepted")
	}
}

func TestStableID(t *testing.T) {
	first, again := StableID("r", "a", "b"), StableID("r", "a", "b")
	if first != again || first == StableID("r", "ab") {
		t.Error("ids must be stable and unambiguous")
	}
}
