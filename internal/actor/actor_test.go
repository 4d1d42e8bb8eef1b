package actor

import (
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
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
		{"user name, any case", Actor{Name: "Alice@Example.com"}, true},
		{"user id", Actor{UserID: "u-42"}, true},
		{"expired entry", Actor{Name: "temp@example.com"}, false},
		{"nobody", Actor{Name: "mallory"}, false},
		{"brackets are literal", Actor{Name: "[a]"}, false},
	}
	for _, c := range cases {
		if got, _ := l.Match(c.a, now); got != c.want {
			t.Errorf("%s: got %v want %v", c.name, got, c.want)
		}
	}
}
