package enrich

import (
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

func decode(t *testing.T, js string) *cloudtrail.Event {
	t.Helper()
	e, err := cloudtrail.Decode([]byte(js), cloudtrail.Origin{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSCIMMembershipShapes(t *testing.T) {
	cfg := config.Default()
	cfg.PrivilegedGroups = []string{"g-1"}
	cases := map[string]string{
		"body object":   `{"groupId":"g-1","httpBody":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"u-9"}]}]}}`,
		"body as text":  `{"groupId":"g-1","httpBody":"{\"Operations\":[{\"op\":\"Add\",\"path\":\"members\",\"value\":[{\"value\":\"u-9\"}]}]}"}`,
		"flat, lowered": `{"groupId":"g-1","operations":[{"op":"add","path":"members","value":[{"value":"u-9"}]}]}`,
	}
	for name, rp := range cases {
		e := New(cfg, idc.New("test"))
		ev := decode(t, `{"eventSource":"identitystore-scim.amazonaws.com","eventName":"PatchGroup","requestParameters":`+rp+`}`)
		e.Enrich(ev)
		if ev.Derived["portcullis.scim.adds_members"] != true || ev.String("portcullis.member.user_id") != "u-9" || ev.Derived["portcullis.group.privileged"] != true {
			t.Errorf("%s: derived %v", name, ev.Derived)
		}
	}
	e := New(cfg, idc.New("test"))
	ev := decode(t, `{"eventSource":"identitystore-scim.amazonaws.com","eventName":"PatchGroup","requestParameters":{"groupId":"g-1","httpBody":{"Operations":[{"op":"replace","value":{"id":"g-1","displayName":"x"}}]}}}`)
	e.Enrich(ev)
	if ev.Derived["portcullis.scim.adds_members"] == true {
		t.Error("a rename was taken for a membership add")
	}
}

func TestSettingsShapes(t *testing.T) {
	cases := []struct {
		name, rp, kind, change string
		hours                  float64
	}{
		{"flat session", `{"type":"SESSION","maxAuthenticationAge":"P7D"}`, "session", "", 168},
		{"nested session", `{"configurationType":"SESSION","ssoConfiguration":{"sessionConfiguration":{"maxAuthenticationAge":"PT12H"}}}`, "session", "", 12},
		{"minutes", `{"configurationType":"SESSION","maxAuthenticationAgeMinutes":720}`, "session", "", 12},
		{"mfa never", `{"mfaMode":"NEVER"}`, "mfa", "relaxed", -1},
		{"mfa always", `{"mfaMode":"ALWAYS_ON","noMfaSignInBehavior":"BLOCKED"}`, "mfa", "strengthened", -1},
		{"mfa hidden", `{"directoryId":"d-1"}`, "mfa", "unknown", -1},
	}
	for _, c := range cases {
		name := "UpdateSsoConfiguration"
		if c.kind == "mfa" {
			name = "PutMfaDeviceManagementForDirectory"
		}
		e := New(config.Default(), idc.New("test"))
		ev := decode(t, `{"eventSource":"sso.amazonaws.com","eventName":"`+name+`","requestParameters":`+c.rp+`}`)
		e.Enrich(ev)
		if ev.String("portcullis.settings.kind") != c.kind {
			t.Errorf("%s: kind %q", c.name, ev.String("portcullis.settings.kind"))
		}
		if c.kind == "mfa" && ev.String("portcullis.mfa.change") != c.change {
			t.Errorf("%s: change %q", c.name, ev.String("portcullis.mfa.change"))
		}
		if c.kind == "session" && ev.Derived["portcullis.portal.max_auth_age_hours"] != c.hours {
			t.Errorf("%s: hours %v", c.name, ev.Derived["portcullis.portal.max_auth_age_hours"])
		}
	}
}

func TestWriteClassification(t *testing.T) {
	cases := map[string]bool{"CreateAccountAssignment": true, "PutInlinePolicyToPermissionSet": true, "ListAccounts": false,
		"DescribePermissionSet": false, "Createx": false, "Tag": true, "UntagResource": true, "GetRoleCredentials": false}
	for name, want := range cases {
		if IsWrite(name) != want {
			t.Errorf("%s: IsWrite=%v", name, !want)
		}
	}
}

func TestLearnNamesFromReads(t *testing.T) {
	m := idc.New("test")
	e := New(config.Default(), m)
	e.Enrich(decode(t, `{"eventSource":"sso.amazonaws.com","eventName":"DescribePermissionSet","readOnly":true,
	  "responseElements":{"permissionSet":{"name":"Ops","permissionSetArn":"arn:aws:sso:::permissionSet/i/ps-1"}}}`))
	e.Enrich(decode(t, `{"eventSource":"identitystore.amazonaws.com","eventName":"ListGroups","readOnly":true,
	  "responseElements":{"groups":[{"groupId":"g-1","displayName":"PlatformAdmins"},{"groupId":"g-2","displayName":"HIDDEN_DUE_TO_SECURITY_REASONS"}]}}`))
	if ps, ok := m.PermissionSetByARN("arn:aws:sso:::permissionSet/i/ps-1"); !ok || ps.Name != "Ops" {
		t.Errorf("permission set not learned: %+v", ps)
	}
	if g, ok := m.GroupByName("PlatformAdmins"); !ok || g.ID != "g-1" {
		t.Errorf("group not learned")
	}
	if _, ok := m.GroupByID("g-2"); ok {
		t.Errorf("hidden name learned as a group")
	}
}

// TestUnknownValues: missing and redacted values are unknown — never a
// match either way — whatever field they are in.
func TestUnknownValues(t *testing.T) {
	for v, want := range map[string]bool{"": false, "HIDDEN_DUE_TO_SECURITY_REASONS": false, "alice": true, "hidden": true} {
		if known(v) != want {
			t.Errorf("known(%q) = %v", v, !want)
		}
	}
	// A redacted group name is not taken for the group's name.
	e := New(config.Default(), idc.New("test"))
	ev := decode(t, `{"eventSource":"identitystore.amazonaws.com","eventName":"CreateGroup","requestParameters":{"displayName":"HIDDEN_DUE_TO_SECURITY_REASONS"},"responseElements":{"groupId":"g-1"}}`)
	e.Enrich(ev)
	if ev.String("portcullis.group.id") != "g-1" || ev.String("portcullis.group.name") != "" {
		t.Errorf("derived %v", ev.Derived)
	}
}
