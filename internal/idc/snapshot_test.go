package idc

import (
	"bytes"
	"strings"
	"testing"
)

func TestSnapshotRoundTripIsStable(t *testing.T) {
	m := Synthetic(7, 50, 10, 8, 12, 200)
	var a, b bytes.Buffer
	if err := m.Write(&a); err != nil {
		t.Fatal(err)
	}
	back, err := Read(bytes.NewReader(a.Bytes()), "a.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("write → read → write changed the snapshot")
	}
	// Lookups work on a model read from JSON with no extra call.
	if _, ok := back.UserByName("user00003@example.com"); !ok {
		t.Error("UserByName after Read")
	}
	if _, ok := back.GroupByName("GROUP-0002"); !ok {
		t.Error("case-insensitive GroupByName after Read")
	}
	if ps, ok := back.PermissionSetByName("arn:aws:sts::1:assumed-role/AWSReservedSSO_AdministratorAccess_0011223344556677/bob"); !ok || ps.Name != "AdministratorAccess" {
		t.Error("PermissionSetByName from an assumed-role ARN")
	}
}

func TestWriteSortsWithoutReorderingTheModel(t *testing.T) {
	m := New("file")
	m.Assignments = []Assignment{{AccountID: "2", PermissionSetARN: "p", PrincipalType: "USER", PrincipalID: "u"}, {AccountID: "1", PermissionSetARN: "p", PrincipalType: "USER", PrincipalID: "u"}}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if i, j := strings.Index(buf.String(), `"account_id": "1"`), strings.Index(buf.String(), `"account_id": "2"`); i < 0 || j < i {
		t.Errorf("assignments not sorted:\n%s", buf.String())
	}
	if m.Assignments[0].AccountID != "2" {
		t.Error("Write reordered the caller's model")
	}
}

func TestReadRejects(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"no schema", `{"accounts":{}}`, "no schema"},
		{"other schema", `{"schema":"portcullis.snapshot/v9"}`, `"portcullis.snapshot/v9" is not supported`},
		{"not json", `{"schema":`, "s.json"},
		{"trailing data", `{"schema":"portcullis.snapshot/v1"} {}`, "after the snapshot"},
		{"key and id disagree", `{"schema":"portcullis.snapshot/v1","users":{"a":{"id":"b"}}}`, `users["a"]: id is "b"`},
		{"null entry", `{"schema":"portcullis.snapshot/v1","groups":{"a":null}}`, `groups["a"]: null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.doc), "s.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestValidateReportsButKeepsDanglingReferences(t *testing.T) {
	doc := `{"schema":"portcullis.snapshot/v1","users":{"u1":{"user_name":"a"}},
	"assignments":[{"account_id":"1","permission_set_arn":"arn:ps/missing","principal_type":"USER","principal_id":"u1"},
	{"account_id":"1","permission_set_arn":"arn:ps/missing","principal_type":"ROLE","principal_id":"x"}],
	"memberships":{"g9":[{"user_id":"u1"}]}}`
	m, err := Read(strings.NewReader(doc), "s.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Assignments) != 2 {
		t.Error("dangling assignments dropped")
	}
	got := m.Validate()
	joined := ""
	for _, e := range got {
		joined += e.Error() + "\n"
	}
	for _, want := range []string{`unknown permission set "arn:ps/missing"`, `principal_type "ROLE"`, `memberships["g9"]: unknown group`} {
		if !strings.Contains(joined, want) {
			t.Errorf("Validate lacks %q:\n%s", want, joined)
		}
	}
}

func TestLookupsOnHandBuiltModelAndReindex(t *testing.T) {
	m := New("aws")
	m.Users["u1"] = &User{ID: "u1", UserName: "alice"}
	if u, ok := m.UserByName("alice"); !ok || u.ID != "u1" {
		t.Fatal("lazy index")
	}
	m.Users["u2"] = &User{ID: "u2", UserName: "bob"}
	if _, ok := m.UserByName("bob"); ok {
		t.Fatal("expected a stale index before Index() (documented)")
	}
	m.Index()
	if _, ok := m.UserByName("bob"); !ok {
		t.Error("Index() did not pick up the new user")
	}
}

func TestSyntheticIsDeterministicAndSized(t *testing.T) {
	a, b := Synthetic(1, 300, 40, 20, 15, 900), Synthetic(1, 300, 40, 20, 15, 900)
	var ba, bb bytes.Buffer
	if err := a.Write(&ba); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(&bb); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ba.Bytes(), bb.Bytes()) {
		t.Error("same seed, different model")
	}
	if len(a.Users) != 300 || len(a.Groups) != 40 || len(a.Accounts) != 20 || len(a.PermissionSets) != 15 || len(a.Assignments) != 900 {
		t.Errorf("sizes: %d users %d groups %d accounts %d ps %d assignments", len(a.Users), len(a.Groups), len(a.Accounts), len(a.PermissionSets), len(a.Assignments))
	}
	if errs := a.Validate(); len(errs) != 0 {
		t.Errorf("synthetic model is inconsistent: %v", errs[0])
	}
	if c := Synthetic(2, 300, 40, 20, 15, 900); c.InstanceARN == a.InstanceARN {
		t.Error("seed ignored")
	}
}
