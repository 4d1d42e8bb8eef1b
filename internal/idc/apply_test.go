package idc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/golden"
)

const (
	psARN  = "arn:aws:sso:::permissionSet/ssoins-aaaabbbbccccdddd/ps-1111111111111111"
	grpID  = "9a6700aaaa-11111111-2222-3333-4444-555555555555"
	usrID  = "9a6700bbbb-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	usrID2 = "9a6700bbbb-00000000-0000-0000-0000-00000000000f"
)

// event builds a decoded record from its parts; req and resp are JSON.
func event(t *testing.T, source, name, id, errCode, req, resp string) *cloudtrail.Event {
	t.Helper()
	rec := map[string]any{"eventVersion": "1.08", "eventTime": "2026-03-01T10:00:00Z", "eventSource": source,
		"eventName": name, "eventID": id, "awsRegion": "us-east-1", "recipientAccountId": "111111111111"}
	if errCode != "" {
		rec["errorCode"] = errCode
	}
	if req != "" {
		rec["requestParameters"] = json.RawMessage(req)
	}
	if resp != "" {
		rec["responseElements"] = json.RawMessage(resp)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := cloudtrail.Decode(b, cloudtrail.Origin{File: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func replay(t *testing.T, m *Model, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		ev, err := cloudtrail.Decode(sc.Bytes(), cloudtrail.Origin{File: path, Index: i})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Apply(ev); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestApplyReplayMatchesGolden(t *testing.T) {
	m := New("events")
	replay(t, m, filepath.Join("testdata", "replay.jsonl"))
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "replay.golden.json"), buf.Bytes())

	ps := m.PermissionSets[psARN]
	if ps == nil || ps.Name != "Breakglass" || ps.SessionDuration != "PT12H" {
		t.Fatalf("permission set = %+v", ps)
	}
	if ps.CreatedAt.Hour() != 10 {
		t.Errorf("createdDate in the console's odd format not parsed: %v", ps.CreatedAt)
	}
	if ps.CustomerManagedPolicies[0].Path != "/" {
		t.Errorf("customer managed policy path defaults to /, got %q", ps.CustomerManagedPolicies[0].Path)
	}
	if got := ps.ProvisionedTo; !slices.Equal(got, []string{"222222222222", "444444444444"}) {
		t.Errorf("provisioned to %v", got)
	}
	if len(m.Assignments) != 1 || m.Assignments[0].Source != "event:ev-09" {
		t.Errorf("failed CreateAccountAssignment must change nothing: %+v", m.Assignments)
	}
	if g := m.Groups[grpID]; g == nil || g.DisplayName != "" {
		t.Errorf("redacted group name must not be stored: %+v", g)
	}
	if m.GroupSize(grpID) != 2 {
		t.Errorf("group size = %d, want 2 (API member plus SCIM member)", m.GroupSize(grpID))
	}
	if m.DelegatedAdminID != "555555555555" || !m.Accounts["555555555555"].DelegatedAdmin {
		t.Errorf("delegated admin not recorded")
	}
	if m.InstanceARN != "arn:aws:sso:::instance/ssoins-aaaabbbbccccdddd" {
		t.Errorf("instance = %q", m.InstanceARN)
	}
}

func TestApplyChanges(t *testing.T) {
	const inst = `"instanceArn":"arn:aws:sso:::instance/ssoins-aaaabbbbccccdddd"`
	base := func(t *testing.T) *Model {
		m := New("events")
		replay(t, m, filepath.Join("testdata", "replay.jsonl"))
		return m
	}
	tests := []struct {
		name        string
		ev          func(t *testing.T) *cloudtrail.Event
		wantChanged bool
		check       func(t *testing.T, m *Model)
	}{
		{"detach managed policy", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "DetachManagedPolicyFromPermissionSet", "e1", "", `{`+inst+`,"permissionSetArn":"`+psARN+`","managedPolicyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`, "")
		}, true, func(t *testing.T, m *Model) {
			if len(m.PermissionSets[psARN].ManagedPolicies) != 0 {
				t.Error("policy still attached")
			}
			if m.PermissionSets[psARN].Source != "event:e1" {
				t.Error("source not recorded")
			}
		}},
		{"attach same managed policy twice is no change", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "AttachManagedPolicyToPermissionSet", "e2", "", `{`+inst+`,"permissionSetArn":"`+psARN+`","managedPolicyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`, "")
		}, false, nil},
		{"failed call changes nothing", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "DeletePermissionSet", "e3", "ConflictException", `{`+inst+`,"permissionSetArn":"`+psARN+`"}`, "")
		}, false, func(t *testing.T, m *Model) {
			if m.PermissionSets[psARN] == nil {
				t.Error("permission set deleted by a failed call")
			}
		}},
		{"delete permission set drops its assignments", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "DeletePermissionSet", "e4", "", `{`+inst+`,"permissionSetArn":"`+psARN+`"}`, "")
		}, true, func(t *testing.T, m *Model) {
			if _, ok := m.PermissionSetByName("Breakglass"); ok || len(m.Assignments) != 0 {
				t.Errorf("left behind: %d assignments", len(m.Assignments))
			}
		}},
		{"delete account assignment", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "DeleteAccountAssignment", "e5", "", `{`+inst+`,"targetId":"222222222222","targetType":"AWS_ACCOUNT","permissionSetArn":"`+psARN+`","principalType":"GROUP","principalId":"`+grpID+`"}`, "")
		}, true, func(t *testing.T, m *Model) {
			if len(m.Assignments) != 0 {
				t.Error("assignment kept")
			}
		}},
		{"update session duration", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "UpdatePermissionSet", "e6", "", `{`+inst+`,"permissionSetArn":"`+psARN+`","sessionDuration":"PT4H"}`, "")
		}, true, func(t *testing.T, m *Model) {
			if ps := m.PermissionSets[psARN]; ps.SessionDuration != "PT4H" || ps.Description != "emergency" {
				t.Errorf("got %+v", ps)
			}
		}},
		{"delete inline policy", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "DeleteInlinePolicyFromPermissionSet", "e7", "", `{`+inst+`,"permissionSetArn":"`+psARN+`"}`, "")
		}, true, func(t *testing.T, m *Model) {
			if m.PermissionSets[psARN].InlinePolicy != "" {
				t.Error("inline kept")
			}
		}},
		{"delete boundary", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "DeletePermissionsBoundaryFromPermissionSet", "e8", "", `{`+inst+`,"permissionSetArn":"`+psARN+`"}`, "")
		}, true, func(t *testing.T, m *Model) {
			if m.PermissionSets[psARN].PermissionsBoundary != nil {
				t.Error("boundary kept")
			}
		}},
		{"detach customer managed policy with explicit root path", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "DetachCustomerManagedPolicyReferenceFromPermissionSet", "e9", "", `{`+inst+`,"permissionSetArn":"`+psARN+`","customerManagedPolicyReference":{"name":"team-guardrail","path":"/"}}`, "")
		}, true, func(t *testing.T, m *Model) {
			if len(m.PermissionSets[psARN].CustomerManagedPolicies) != 0 {
				t.Error("reference kept")
			}
		}},
		{"untag", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "UntagResource", "e10", "", `{`+inst+`,"resourceArn":"`+psARN+`","tagKeys":["owner"]}`, "")
		}, true, func(t *testing.T, m *Model) {
			if _, ok := m.PermissionSets[psARN].Tags["owner"]; ok {
				t.Error("tag kept")
			}
		}},
		{"provision to all accounts adds none", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "ProvisionPermissionSet", "e11", "", `{`+inst+`,"permissionSetArn":"`+psARN+`","targetType":"ALL_PROVISIONED_ACCOUNTS"}`, "")
		}, false, nil},
		{"membership deleted by id", func(t *testing.T) *cloudtrail.Event {
			return event(t, "identitystore.amazonaws.com", "DeleteGroupMembership", "e12", "", `{"identityStoreId":"d-1234567890","membershipId":"9a6700cccc-00000000-0000-0000-0000-000000000001"}`, "")
		}, true, func(t *testing.T, m *Model) {
			if m.GroupSize(grpID) != 1 {
				t.Errorf("size %d", m.GroupSize(grpID))
			}
		}},
		{"console names a group; a later redacted name keeps it", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso-directory.amazonaws.com", "CreateGroup", "e13", "", `{"identityStoreId":"d-1234567890","displayName":"admins"}`, `{"group":{"groupId":"`+grpID+`","displayName":"admins"}}`)
		}, true, func(t *testing.T, m *Model) {
			ev := event(t, "identitystore.amazonaws.com", "UpdateGroup", "e13b", "", `{"identityStoreId":"d-1234567890","groupId":"`+grpID+`","operations":[{"attributePath":"displayName","attributeValue":"HIDDEN_DUE_TO_SECURITY_REASONS"}]}`, "")
			if _, err := m.Apply(ev); err != nil {
				t.Fatal(err)
			}
			if g, ok := m.GroupByName("ADMINS"); !ok || g.ID != grpID {
				t.Errorf("GroupByName = %+v, %v", g, ok)
			}
		}},
		{"console removes member", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso-directory.amazonaws.com", "RemoveMemberFromGroup", "e14", "", `{"identityStoreId":"d-1234567890","groupId":"`+grpID+`","member":{"memberId":"`+usrID+`"}}`, "")
		}, true, func(t *testing.T, m *Model) {
			if m.GroupSize(grpID) != 1 {
				t.Errorf("size %d", m.GroupSize(grpID))
			}
		}},
		{"SCIM removes member by filter", func(t *testing.T) *cloudtrail.Event {
			return event(t, "identitystore-scim.amazonaws.com", "PatchGroup", "e15", "", `{"groupId":"`+grpID+`","httpBody":{"Operations":[{"op":"remove","path":"members[value eq \"`+usrID2+`\"]"}]}}`, "")
		}, true, func(t *testing.T, m *Model) {
			if m.GroupSize(grpID) != 1 {
				t.Errorf("size %d", m.GroupSize(grpID))
			}
		}},
		{"SCIM renames group", func(t *testing.T) *cloudtrail.Event {
			return event(t, "identitystore-scim.amazonaws.com", "PatchGroup", "e16", "", `{"groupId":"`+grpID+`","httpBody":{"Operations":[{"op":"replace","value":{"id":"`+grpID+`","displayName":"platform-admins"}}]}}`, "")
		}, true, func(t *testing.T, m *Model) {
			if g, ok := m.GroupByName("platform-admins"); !ok || g.ID != grpID {
				t.Error("rename not indexed")
			}
		}},
		{"delete user drops memberships", func(t *testing.T) *cloudtrail.Event {
			return event(t, "identitystore.amazonaws.com", "DeleteUser", "e17", "", `{"identityStoreId":"d-1234567890","userId":"`+usrID+`"}`, "")
		}, true, func(t *testing.T, m *Model) {
			if _, ok := m.UserByName("mallory"); ok || m.GroupSize(grpID) != 1 {
				t.Error("user or membership kept")
			}
		}},
		{"SCIM deletes group with its assignments", func(t *testing.T) *cloudtrail.Event {
			return event(t, "identitystore-scim.amazonaws.com", "DeleteGroup", "e18", "", `{"groupId":"`+grpID+`","tenantId":"t-1"}`, "")
		}, true, func(t *testing.T, m *Model) {
			if m.GroupSize(grpID) != 0 || len(m.Assignments) != 0 {
				t.Error("group left traces")
			}
		}},
		{"SCIM creates user with external id", func(t *testing.T) *cloudtrail.Event {
			return event(t, "identitystore-scim.amazonaws.com", "CreateUser", "e19", "", `{"tenantId":"t-1","httpBody":{"userName":"HIDDEN_DUE_TO_SECURITY_REASONS","externalId":"okta-1"}}`, `{"id":"9a6700dddd-00000000-0000-0000-0000-000000000009"}`)
		}, true, func(t *testing.T, m *Model) {
			if u := m.Users["9a6700dddd-00000000-0000-0000-0000-000000000009"]; u == nil || u.ExternalID != "okta-1" || u.UserName != "" {
				t.Errorf("user %+v", u)
			}
		}},
		{"deregister delegated admin", func(t *testing.T) *cloudtrail.Event {
			return event(t, "organizations.amazonaws.com", "DeregisterDelegatedAdministrator", "e20", "", `{"accountId":"555555555555","servicePrincipal":"sso.amazonaws.com"}`, "")
		}, true, func(t *testing.T, m *Model) {
			if m.DelegatedAdminID != "" || m.Accounts["555555555555"].DelegatedAdmin {
				t.Error("still delegated")
			}
		}},
		{"delegated admin of another service is ignored", func(t *testing.T) *cloudtrail.Event {
			return event(t, "organizations.amazonaws.com", "RegisterDelegatedAdministrator", "e21", "", `{"accountId":"666666666666","servicePrincipal":"guardduty.amazonaws.com"}`, "")
		}, false, nil},
		{"read-only and unknown events are ignored", func(t *testing.T) *cloudtrail.Event {
			return event(t, "sso.amazonaws.com", "ListPermissionSets", "e22", "", `{`+inst+`}`, "")
		}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base(t)
			changed, err := m.Apply(tt.ev(t))
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.wantChanged {
				t.Errorf("changed = %v, want %v", changed, tt.wantChanged)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestApplyMalformedNamesFieldAndEvent(t *testing.T) {
	tests := []struct {
		name, source, event, req, resp, field string
	}{
		{"assignment without principal", "sso.amazonaws.com", "CreateAccountAssignment", `{"targetId":"222222222222","permissionSetArn":"` + psARN + `","principalType":"USER"}`, "", "requestParameters.principalId"},
		{"permission set arn is a number", "sso.amazonaws.com", "AttachManagedPolicyToPermissionSet", `{"permissionSetArn":5,"managedPolicyArn":"x"}`, "", "requestParameters.permissionSetArn"},
		{"create without response arn", "sso.amazonaws.com", "CreatePermissionSet", `{"name":"x"}`, `{}`, "responseElements.permissionSet.permissionSetArn"},
		{"bad principal type", "sso.amazonaws.com", "CreateAccountAssignment", `{"targetId":"1","permissionSetArn":"p","principalType":"ROLE","principalId":"x"}`, "", "requestParameters.principalType"},
		{"membership without user", "identitystore.amazonaws.com", "CreateGroupMembership", `{"groupId":"g","memberId":{}}`, "", "requestParameters.memberId.userId"},
		{"SCIM member list not a list", "identitystore-scim.amazonaws.com", "PatchGroup", `{"groupId":"g","httpBody":{"Operations":[{"op":"add","path":"members","value":"u"}]}}`, "", "requestParameters.httpBody.Operations.0.value"},
		{"inline policy is a number", "sso.amazonaws.com", "PutInlinePolicyToPermissionSet", `{"permissionSetArn":"p","inlinePolicy":3}`, "", "requestParameters.inlinePolicy"},
		{"tags not a list", "sso.amazonaws.com", "CreatePermissionSet", `{"name":"x","tags":"a"}`, `{"permissionSet":{"permissionSetArn":"p"}}`, "requestParameters.tags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New("events")
			_, err := m.Apply(event(t, tt.source, tt.event, "bad-1", "", tt.req, tt.resp))
			var ae *ApplyError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *ApplyError", err)
			}
			if ae.Field != tt.field || !strings.Contains(err.Error(), "bad-1") {
				t.Errorf("error %q names field %q, want %q and the event id", err, ae.Field, tt.field)
			}
		})
	}
}

func TestPermissionSetNameFromRole(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AWSReservedSSO_AdministratorAccess_0123456789abcdef", "AdministratorAccess"},
		{"arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Ops_Team_0123456789abcdef", "Ops_Team"},
		{"arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_ReadOnly_fedcba9876543210/alice@example.com", "ReadOnly"},
		{"AWSReservedSSO_NoSuffix", ""},
		{"SomeRole", ""},
	}
	for _, tt := range tests {
		got, ok := PermissionSetNameFromRole(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("PermissionSetNameFromRole(%q) = %q, %v", tt.in, got, ok)
		}
	}
}

func TestAssignmentDeletesKeepIndexConsistent(t *testing.T) {
	m := New("events")
	assign := func(name, acct string) {
		t.Helper()
		ev := event(t, "sso.amazonaws.com", name, name+acct, "", `{"targetId":"`+acct+`","targetType":"AWS_ACCOUNT","permissionSetArn":"`+psARN+`","principalType":"USER","principalId":"`+usrID+`"}`, "")
		if _, err := m.Apply(ev); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []string{"1", "2", "3", "4"} {
		assign("CreateAccountAssignment", a)
	}
	assign("DeleteAccountAssignment", "2") // "4" moves into its slot
	assign("DeleteAccountAssignment", "4")
	assign("CreateAccountAssignment", "1") // still a duplicate
	var got []string
	for _, a := range m.Assignments {
		got = append(got, a.AccountID)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"1", "3"}) {
		t.Errorf("assignments left: %v", got)
	}
	m.Index() // a rebuilt index must agree with the maintained one
	if len(m.idx.assignment) != 2 {
		t.Errorf("index has %d keys", len(m.idx.assignment))
	}
}

func TestConcurrentLookupsOnReadModel(t *testing.T) {
	var buf bytes.Buffer
	if err := Synthetic(5, 200, 20, 10, 10, 300).Write(&buf); err != nil {
		t.Fatal(err)
	}
	m, err := Read(&buf, "s.json")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for range 4 {
		go func() {
			for i := range 200 {
				m.UserByName("user00010@example.com")
				m.GroupByName("group-0003")
				m.PermissionSetByName("AWSReservedSSO_AdministratorAccess_0123456789abcdef")
				m.GroupSize("x")
				_ = i
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
}

// TestDelegatedAdminEventsMakeItKnown: a source that could not show the
// delegated admin (Terraform) learns it from either organizations call.
func TestDelegatedAdminEventsMakeItKnown(t *testing.T) {
	for _, name := range []string{"RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator"} {
		m := New("terraform")
		m.SetUnknown(FactDelegatedAdmin)
		changed, err := m.Apply(event(t, "organizations.amazonaws.com", name, "e1", "", `{"accountId":"666666666666","servicePrincipal":"sso.amazonaws.com"}`, ""))
		if err != nil || !changed || !m.Knows(FactDelegatedAdmin) {
			t.Errorf("%s: changed %t, error %v, delegated admin known %t", name, changed, err, m.Knows(FactDelegatedAdmin))
		}
	}
}
