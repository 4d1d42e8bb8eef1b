package enrich

import (
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

const (
	adminActor = `,"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_IdentityAdmins_fedcba9876543210/alice@example.com"}`
	selfActor  = `,"userIdentity":{"type":"IdentityCenterUser","onBehalfOf":{"userId":"u-bob","identityStoreArn":"arn:aws:identitystore::111111111111:identitystore/d-1"}}`
)

func TestTargetUser(t *testing.T) {
	cases := []struct {
		name, src, event, fields string
		want                     map[string]any
	}{
		{"admin resets someone's password", "sso-directory.amazonaws.com", "UpdatePassword", adminActor + `,"requestParameters":{"identityStoreId":"d-1","userId":"u-bob","mode":"OTP"}`,
			map[string]any{"portcullis.user_change.kind": "password", "portcullis.target_user.self": false, "portcullis.target_user.id": "u-bob", "portcullis.target_user.name": "bob", "portcullis.target_user.privileged": true}},
		{"a user changes its own password", "sso-directory.amazonaws.com", "UpdatePassword", selfActor + `,"requestParameters":{"identityStoreId":"d-1"}`,
			map[string]any{"portcullis.user_change.kind": "password", "portcullis.target_user.self": true, "portcullis.target_user.id": "u-bob"}},
		{"a user registers its own MFA device", "sso-directory.amazonaws.com", "StartVirtualMfaDeviceRegistration", selfActor + `,"requestParameters":{"userId":"u-bob"}`,
			map[string]any{"portcullis.user_change.kind": "mfa_registration", "portcullis.target_user.self": true, "portcullis.idc.write": false}},
		{"an admin registers one for bob", "sso-directory.amazonaws.com", "CompleteVirtualMfaDeviceRegistration", adminActor + `,"requestParameters":{"userId":"u-bob"}`,
			map[string]any{"portcullis.user_change.kind": "mfa_registration", "portcullis.target_user.self": false, "portcullis.idc.write": true}},
		{"a portal user naming someone else is not self", "sso-directory.amazonaws.com", "StartVirtualMfaDeviceRegistration", selfActor + `,"requestParameters":{"userId":"u-ann"}`,
			map[string]any{"portcullis.target_user.self": false, "portcullis.target_user.privileged": false}},
		{"API email change", "identitystore.amazonaws.com", "UpdateUser", adminActor + `,"requestParameters":{"identityStoreId":"d-1","userId":"u-bob","operations":[{"attributePath":"emails","attributeValue":"HIDDEN_DUE_TO_SECURITY_REASONS"}]}`,
			map[string]any{"portcullis.user_change.kind": "email"}},
		{"API user name change", "identitystore.amazonaws.com", "UpdateUser", adminActor + `,"requestParameters":{"identityStoreId":"d-1","userId":"u-bob","operations":[{"attributePath":"userName","attributeValue":"HIDDEN_DUE_TO_SECURITY_REASONS"}]}`,
			map[string]any{"portcullis.user_change.kind": "user_name"}},
		{"API title change", "identitystore.amazonaws.com", "UpdateUser", adminActor + `,"requestParameters":{"identityStoreId":"d-1","userId":"u-bob","operations":[{"attributePath":"title","attributeValue":"CTO"}]}`,
			map[string]any{"portcullis.user_change.kind": "attributes"}},
		{"console email change, value hidden, key readable", "sso-directory.amazonaws.com", "UpdateUser", adminActor + `,"requestParameters":{"identityStoreId":"d-1","userId":"u-bob","emails":"HIDDEN_DUE_TO_SECURITY_REASONS"}`,
			map[string]any{"portcullis.user_change.kind": "email"}},
		{"sign-in names the user", "signin.amazonaws.com", "UserAuthentication", `,"userIdentity":{"type":"Unknown","userName":"bob"}`,
			map[string]any{"portcullis.target_user.id": "u-bob", "portcullis.target_user.privileged": true}},
		{"an unprivileged user", "signin.amazonaws.com", "UserAuthentication", `,"userIdentity":{"type":"Unknown","userName":"ann"}`,
			map[string]any{"portcullis.target_user.id": "u-ann", "portcullis.target_user.privileged": false}},
		{"a hidden user name is nobody", "signin.amazonaws.com", "CredentialVerification", `,"userIdentity":{"type":"Unknown","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"}`,
			map[string]any{"portcullis.target_user.id": nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.PrivilegedGroups = []string{"PlatformAdmins"}
			m := idc.New("test")
			m.Users["u-bob"] = &idc.User{ID: "u-bob", UserName: "bob"}
			m.Users["u-ann"] = &idc.User{ID: "u-ann", UserName: "ann"}
			m.Groups["g-1"] = &idc.Group{ID: "g-1", DisplayName: "PlatformAdmins"}
			m.Memberships["g-1"] = []idc.Membership{{UserID: "u-bob"}}
			e := New(cfg, m)
			ev := decode(t, rec(c.src, c.event, "2026-11-02T10:00:00Z", "198.51.100.7", uaWeb, c.fields))
			e.Enrich(ev)
			for k, want := range c.want {
				if got := ev.Derived[k]; got != want {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
		})
	}
}

// TestUserPrivilegedFollowsTheModel: an admin assignment makes a user
// privileged once the engine says the model changed.
func TestUserPrivilegedFollowsTheModel(t *testing.T) {
	m := idc.New("test")
	m.Users["u-ann"] = &idc.User{ID: "u-ann", UserName: "ann"}
	m.PermissionSets["ps-1"] = &idc.PermissionSet{ARN: "ps-1", Name: "Admin", ManagedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}}
	e := New(config.Default(), m)
	if e.userPrivileged("u-ann") {
		t.Fatal("ann is privileged before any assignment")
	}
	m.Assignments = append(m.Assignments, idc.Assignment{AccountID: "222222222222", PermissionSetARN: "ps-1", PrincipalType: "USER", PrincipalID: "u-ann"})
	e.ModelChanged()
	if !e.userPrivileged("u-ann") {
		t.Error("an admin assignment did not make ann privileged")
	}
}
