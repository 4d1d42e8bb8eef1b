package actor

import (
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

func event(t *testing.T, userIdentity string) *cloudtrail.Event {
	t.Helper()
	e, err := cloudtrail.Decode([]byte(`{"eventSource":"sso.amazonaws.com","eventName":"X","userIdentity":`+userIdentity+`}`), cloudtrail.Origin{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestFromEventShapes(t *testing.T) {
	cases := []struct {
		name, ui string
		want     Actor
	}{
		{"IAM user", `{"type":"IAMUser","arn":"arn:aws:iam::1:user/bert","userName":"bert","accountId":"1"}`,
			Actor{ARN: "arn:aws:iam::1:user/bert", Type: KindIAMUser, Name: "bert", Account: "1"}},
		{"assumed role", `{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/Deploy/run-1","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/ci/Deploy"}}}`,
			Actor{ARN: "arn:aws:sts::1:assumed-role/Deploy/run-1", Type: KindAssumedRole, Name: "run-1", RoleARN: "arn:aws:iam::1:role/ci/Deploy"}},
		{"SSO session without issuer", `{"type":"AssumedRole","arn":"arn:aws-us-gov:sts::1:assumed-role/AWSReservedSSO_Admin_Team_0123456789abcdef/alice@example.com"}`,
			Actor{ARN: "arn:aws-us-gov:sts::1:assumed-role/AWSReservedSSO_Admin_Team_0123456789abcdef/alice@example.com", Type: KindSSOSession, Name: "alice@example.com",
				RoleARN: "arn:aws-us-gov:iam::1:role/AWSReservedSSO_Admin_Team_0123456789abcdef", PermissionSet: "Admin_Team"}},
		{"Identity Center user", `{"type":"IdentityCenterUser","accountId":"1","onBehalfOf":{"userId":"u-1","identityStoreArn":"arn:aws:identitystore::1:identitystore/d-1"}}`,
			Actor{Type: KindIDCUser, UserID: "u-1", Account: "1"}},
		{"legacy Unknown", `{"type":"Unknown","userName":"bob","principalId":"1:bob"}`, Actor{Type: KindUnknown, Name: "bob"}},
		{"SAML user", `{"type":"SAMLUser","userName":"carol@example.com"}`, Actor{Type: KindSAMLUser, Name: "carol@example.com"}},
		{"root", `{"type":"Root","arn":"arn:aws:iam::1:root","accountId":"1"}`, Actor{ARN: "arn:aws:iam::1:root", Type: KindRoot, Name: "root", Account: "1"}},
		{"AWS service", `{"type":"AWSService","invokedBy":"sso.amazonaws.com"}`, Actor{Type: KindAWSService, Name: "sso.amazonaws.com", Service: "sso.amazonaws.com"}},
		{"no type, role session", `{"arn":"arn:aws:sts::1:assumed-role/R/s"}`, Actor{ARN: "arn:aws:sts::1:assumed-role/R/s", Type: KindAssumedRole, Name: "s", RoleARN: "arn:aws:iam::1:role/R"}},
		{"no type at all", `{"principalId":"x"}`, Actor{Type: KindUnknown}},
		{"provisioning side effect", `{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/AWSServiceRoleForSSO/sso","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO"}}}`,
			Actor{ARN: "arn:aws:sts::1:assumed-role/AWSServiceRoleForSSO/sso", Type: KindAssumedRole, Name: "sso", RoleARN: "arn:aws:iam::1:role/aws-service-role/sso.amazonaws.com/AWSServiceRoleForSSO", Service: "sso.amazonaws.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FromEvent(event(t, c.ui)); got != c.want {
				t.Errorf("\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestPermissionSetFromRole(t *testing.T) {
	cases := map[string]string{
		"AWSReservedSSO_AdministratorAccess_7243976e43c75fc5":                                                          "AdministratorAccess",
		"arn:aws:iam::9:role/aws-reserved/sso.amazonaws.com/ap-southeast-2/AWSReservedSSO_Admin_Team_7243976e43c75fc5": "Admin_Team",
		"AWSReservedSSO_":  "",
		"OrdinaryRole":     "",
		"AWSReservedSSO_x": "",
	}
	for in, want := range cases {
		if got := PermissionSetFromRole(in); got != want {
			t.Errorf("%s: got %q want %q", in, got, want)
		}
	}
}

func TestAllowlist(t *testing.T) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	l := NewAllowlist([]config.Admin{
		{Pattern: "arn:aws:sts::1:assumed-role/AWSReservedSSO_IdentityAdmins_*"},
		{Pattern: "arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Breakglass_*"},
		{Pattern: "arn:aws:iam::1:role/Terraform"},
		{Pattern: "alice@example.com"},
		{Pattern: "u-42"},
		{Pattern: "temp@example.com", Expires: now.Add(-time.Hour)},
	})
	cases := []struct {
		name string
		a    Actor
		want bool
	}{
		{"session glob crosses slashes", Actor{ARN: "arn:aws:sts::1:assumed-role/AWSReservedSSO_IdentityAdmins_abc/someone"}, true},
		{"role with path vs rebuilt role", Actor{RoleARN: "arn:aws:iam::1:role/AWSReservedSSO_Breakglass_abc"}, true},
		{"role ARN", Actor{ARN: "arn:aws:sts::1:assumed-role/Terraform/x", RoleARN: "arn:aws:iam::1:role/Terraform"}, true},
		{"other role", Actor{ARN: "arn:aws:sts::1:assumed-role/Terraform2/x", RoleARN: "arn:aws:iam::1:role/Terraform2"}, false},
		{"ARNs are case-sensitive", Actor{RoleARN: "arn:aws:iam::1:role/terraform"}, false},
		{"session glob is case-sensitive", Actor{ARN: "arn:aws:sts::1:assumed-role/awsreservedsso_identityadmins_abc/someone"}, false},
		{"user id", IdentityCenterUser("u-42"), true},
		{"expired entry", SSOSession("aws", "1", "Admin", "temp@example.com"), false},
		{"nobody", SSOSession("aws", "1", "Admin", "mallory"), false},
		{"brackets are literal", SSOSession("aws", "1", "Admin", "[a]"), false},
	}
	for _, c := range cases {
		if got, _ := l.Match(c.a, now); got != c.want {
			t.Errorf("%s: got %v want %v", c.name, got, c.want)
		}
	}
}

// directory is an Identity Center state holding two users.
func directory() *idc.Model {
	m := idc.New("test")
	m.Users["u-alice"] = &idc.User{ID: "u-alice", UserName: "alice@example.com"}
	m.Users["u-bob"] = &idc.User{ID: "u-bob", UserName: "Bob@Example.com"}
	return m
}

// TestAllowlistTrustsOnlyWhatIdentityCenterVouches: a plain entry names an
// Identity Center user; anything a caller can name itself (a role session
// name, an IAM or federated user name, a name typed at a sign-in prompt)
// never matches it, and the match is exact.
func TestAllowlistTrustsOnlyWhatIdentityCenterVouches(t *testing.T) {
	now := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	l := NewAllowlist([]config.Admin{{Pattern: "alice@example.com"}, {Pattern: "Bob@Example.com"}, {Pattern: "u-42"}}).WithDirectory(directory())
	ev := func(ui string) Actor { return FromEvent(event(t, ui)) }
	cases := []struct {
		name string
		a    Actor
		want bool
	}{
		{"SSO session named by Identity Center", ev(`{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef"}}}`), true},
		{"Identity Center user resolved through the state", ev(`{"type":"IdentityCenterUser","onBehalfOf":{"userId":"u-alice"}}`), true},
		{"Identity Center user by id", ev(`{"type":"IdentityCenterUser","onBehalfOf":{"userId":"u-42"}}`), true},
		{"forged session name of another role", ev(`{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/ci-deployer/alice@example.com","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/ci-deployer"}}}`), false},
		{"role named like an SSO role only in the issuer", ev(`{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/ci-deployer/alice@example.com","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/AWSReservedSSO_X_0123456789abcdef"}}}`), false},
		{"IAM user with the same name", ev(`{"type":"IAMUser","arn":"arn:aws:iam::1:user/alice@example.com","userName":"alice@example.com"}`), false},
		{"federated user with the same name", ev(`{"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/alice@example.com"}`), false},
		{"legacy Unknown userName", ev(`{"type":"Unknown","userName":"alice@example.com"}`), false},
		{"SAML user name", ev(`{"type":"SAMLUser","userName":"alice@example.com"}`), false},
		{"name typed at sign-in, unknown id", FromEvent(decode(t, `{"eventSource":"signin.amazonaws.com","eventName":"CredentialVerification","userIdentity":{"type":"IdentityCenterUser","onBehalfOf":{"userId":"u-mallory"}},"additionalEventData":{"UserName":"alice@example.com"}}`)), false},
		{"SSO session, other case", ev(`{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/Alice@Example.com"}`), false},
		{"directory case kept", ev(`{"type":"IdentityCenterUser","onBehalfOf":{"userId":"u-bob"}}`), true},
		{"session name that is an id", ev(`{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/deploy/u-42"}`), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, pattern := l.Match(c.a, now)
			if got != c.want {
				t.Errorf("got %v (pattern %q) want %v for %+v", got, pattern, c.want, c.a)
			}
		})
	}
	// Without a directory a user name reaches only SSO sessions.
	bare := NewAllowlist([]config.Admin{{Pattern: "alice@example.com"}})
	if ok, _ := bare.Match(IdentityCenterUser("u-alice"), now); ok {
		t.Error("a user name matched an id without a directory")
	}
}

func decode(t *testing.T, rec string) *cloudtrail.Event {
	t.Helper()
	e, err := cloudtrail.Decode([]byte(rec), cloudtrail.Origin{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}
