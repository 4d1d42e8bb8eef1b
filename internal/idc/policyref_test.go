package idc

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestParsePolicyARN(t *testing.T) {
	cases := []struct {
		arn, acct, path, name string
		ok                    bool
	}{
		{"arn:aws:iam::222222222222:policy/team-base", "222222222222", "/", "team-base", true},
		{"arn:aws:iam::222222222222:policy/boundaries/team/dev-boundary", "222222222222", "/boundaries/team/", "dev-boundary", true},
		{"arn:aws-us-gov:iam::222222222222:policy/x", "222222222222", "/", "x", true},
		{"arn:aws:iam::aws:policy/AdministratorAccess", "", "", "", false},
		{"arn:aws:iam::222222222222:role/x", "", "", "", false},
		{"arn:aws:iam::222222222222:policy/", "", "", "", false},
		{"team-base", "", "", "", false},
	}
	for _, c := range cases {
		acct, path, name, ok := ParsePolicyARN(c.arn)
		if acct != c.acct || path != c.path || name != c.name || ok != c.ok {
			t.Errorf("ParsePolicyARN(%q) = %q %q %q %v", c.arn, acct, path, name, ok)
		}
	}
}

// TestPolicyUsersFollowApplyAndSnapshots: references learned from events
// (attach, boundary, provisioning, assignment, detach, delete) answer the
// member-account question, and a snapshot written and read back answers
// the same.
func TestPolicyUsersFollowApplyAndSnapshots(t *testing.T) {
	const (
		ps2  = "arn:aws:sso:::permissionSet/ssoins-aaaabbbbccccdddd/ps-2222222222222222"
		inst = `"instanceArn":"arn:aws:sso:::instance/ssoins-aaaabbbbccccdddd"`
	)
	m := New("events")
	apply := func(name, req string) {
		t.Helper()
		if _, err := m.Apply(event(t, SourceSSO, name, name+req[len(req)-12:], "", req, "")); err != nil {
			t.Fatal(err)
		}
	}
	m.PermissionSets[psARN] = &PermissionSet{ARN: psARN, Name: "Developers"}
	m.PermissionSets[ps2] = &PermissionSet{ARN: ps2, Name: "Auditors"}
	m.Index()
	apply("AttachCustomerManagedPolicyReferenceToPermissionSet", `{`+inst+`,"permissionSetArn":"`+psARN+`","customerManagedPolicyReference":{"name":"team-base"}}`)
	apply("PutPermissionsBoundaryToPermissionSet", `{`+inst+`,"permissionSetArn":"`+psARN+`","permissionsBoundary":{"customerManagedPolicyReference":{"name":"dev-boundary","path":"/boundaries/"}}}`)
	apply("AttachCustomerManagedPolicyReferenceToPermissionSet", `{`+inst+`,"permissionSetArn":"`+ps2+`","customerManagedPolicyReference":{"name":"Team-Base","path":"/"}}`)

	type q struct{ acct, path, name string }
	users := func(m *Model, x q) string {
		var out []string
		for _, u := range m.PolicyUsers(x.acct, x.path, x.name) {
			out = append(out, fmt.Sprintf("%s boundary=%v provisioned=%v known=%v", u.PermissionSet.Name, u.Boundary, u.Provisioned, u.ProvisioningKnown))
		}
		return strings.Join(out, "; ")
	}
	check := func(stage string, m *Model, want map[q]string) {
		t.Helper()
		for x, w := range want {
			if got := users(m, x); got != w {
				t.Errorf("%s: PolicyUsers%v = %q, want %q", stage, x, got, w)
			}
		}
	}
	check("provisioning unknown", m, map[q]string{
		{"222222222222", "/", "team-base"}:               "Auditors boundary=false provisioned=false known=false; Developers boundary=false provisioned=false known=false",
		{"222222222222", "/boundaries/", "DEV-boundary"}: "Developers boundary=true provisioned=false known=false",
		{"222222222222", "/other/", "team-base"}:         "",
	})
	apply("ProvisionPermissionSet", `{`+inst+`,"permissionSetArn":"`+psARN+`","targetId":"222222222222","targetType":"AWS_ACCOUNT"}`)
	apply("CreateAccountAssignment", `{`+inst+`,"permissionSetArn":"`+ps2+`","targetId":"333333333333","targetType":"AWS_ACCOUNT","principalType":"GROUP","principalId":"g-1"}`)
	after := map[q]string{
		{"222222222222", "/", "team-base"}:               "Developers boundary=false provisioned=true known=true",
		{"333333333333", "/", "team-base"}:               "Auditors boundary=false provisioned=true known=true",
		{"222222222222", "/boundaries/", "dev-boundary"}: "Developers boundary=true provisioned=true known=true",
		{"444444444444", "/", "team-base"}:               "",
	}
	check("provisioned", m, after)

	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Read(&buf, "s.json")
	if err != nil {
		t.Fatal(err)
	}
	check("snapshot read back", back, after)

	apply("DetachCustomerManagedPolicyReferenceFromPermissionSet", `{`+inst+`,"permissionSetArn":"`+psARN+`","customerManagedPolicyReference":{"name":"team-base","path":"/"}}`)
	apply("DeletePermissionsBoundaryFromPermissionSet", `{`+inst+`,"permissionSetArn":"`+psARN+`"}`)
	apply("DeletePermissionSet", `{`+inst+`,"permissionSetArn":"`+ps2+`"}`)
	check("detached and deleted", m, map[q]string{
		{"222222222222", "/", "team-base"}:               "",
		{"333333333333", "/", "team-base"}:               "",
		{"222222222222", "/boundaries/", "dev-boundary"}: "",
	})
}
