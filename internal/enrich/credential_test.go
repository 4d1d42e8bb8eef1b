package enrich

import (
	"fmt"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// rec builds a record; fields is a JSON fragment of further top-level keys.
func rec(src, name, at, ip, ua, fields string) string {
	return fmt.Sprintf(`{"eventVersion":"1.11","eventSource":%q,"eventName":%q,"eventTime":%q,"sourceIPAddress":%q,"userAgent":%q,"eventID":"id-%s-%s"%s}`,
		src, name, at, ip, ua, name, at, fields)
}

const (
	uaCLI   = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64 prompt/off command/sso.login"
	uaBoto  = "Boto3/1.17.80 Python/3.9.5 Darwin/20.3.0 Botocore/1.20.80"
	uaGo    = "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.26.4 api/sso#1.25.3"
	idcUser = `,"userIdentity":{"type":"IdentityCenterUser","accountId":"111111111111","onBehalfOf":{"userId":"u-1","identityStoreArn":"arn:aws:identitystore::111111111111:identitystore/d-1"}%s}`
)

func withCred(id string) string {
	if id == "" {
		return fmt.Sprintf(idcUser, "")
	}
	return fmt.Sprintf(idcUser, `,"credentialId":"`+id+`"`)
}

func deviceToken(at, ip, ua, cred string) string {
	return rec("sso.amazonaws.com", "CreateToken", at, ip, ua, withCred(cred)+
		`,"requestParameters":{"clientId":"c-1","clientSecret":"HIDDEN_DUE_TO_SECURITY_REASONS","grantType":"urn:ietf:params:oauth:grant-type:device_code","deviceCode":"dc"},"responseElements":{"expiresIn":28800}`)
}

func roleCreds(at, ip, ua, cred string) string {
	return rec("sso.amazonaws.com", "GetRoleCredentials", at, ip, ua, withCred(cred)+
		`,"requestParameters":null,"readOnly":true,"serviceEventDetails":{"role_name":"AdministratorAccess","account_id":"222222222222"}`)
}

func TestCredentialTracking(t *testing.T) {
	legacy := `,"userIdentity":{"type":"Unknown","principalId":"x","userName":"bob@example.com"}`
	app := "arn:aws:sso::111111111111:application/ssoins-1/apl-1"
	cases := []struct {
		name   string
		events []string
		want   map[string]any // derived fields of the last event
	}{
		{"token then use from the same network", []string{
			deviceToken("2026-11-02T10:00:00Z", "198.51.100.7", uaBoto, "AAAA"),
			roleCreds("2026-11-02T10:01:00Z", "198.51.100.9", uaBoto, "AAAA"),
		}, map[string]any{"portcullis.credential.key": "cred:AAAA", "portcullis.credential.device_code": true,
			"portcullis.credential.new_network": false, "portcullis.credential.new_client": false, "portcullis.credential.first_network": "198.51.100.0/24"}},
		{"one credential from another network and client", []string{
			deviceToken("2026-11-02T10:00:00Z", "198.51.100.7", uaCLI, "AAAA"),
			roleCreds("2026-11-02T11:00:00Z", "203.0.113.50", uaGo, "AAAA"),
		}, map[string]any{"portcullis.credential.new_network": true, "portcullis.credential.new_client": true, "portcullis.credential.grant": "device_code", "portcullis.credential.moved": true}},
		{"a move is reported once", []string{
			deviceToken("2026-11-02T10:00:00Z", "198.51.100.7", uaCLI, "AAAA"),
			roleCreds("2026-11-02T11:00:00Z", "203.0.113.50", uaCLI, "AAAA"),
			roleCreds("2026-11-02T11:01:00Z", "203.0.113.51", uaCLI, "AAAA"),
		}, map[string]any{"portcullis.credential.new_network": true, "portcullis.credential.moved": false}},
		{"same network, same client: no move", []string{
			deviceToken("2026-11-02T10:00:00Z", "198.51.100.7", uaCLI, "AAAA"),
			roleCreds("2026-11-02T11:00:00Z", "198.51.100.8", uaCLI, "AAAA"),
		}, map[string]any{"portcullis.credential.moved": false}},
		{"no credentialId: joined by user and network within the token's life", []string{
			rec("sso.amazonaws.com", "CreateToken", "2026-11-02T10:00:00Z", "198.51.100.7", uaBoto, legacy+
				`,"requestParameters":{"grantType":"urn:ietf:params:oauth:grant-type:device_code"}`),
			rec("sso.amazonaws.com", "ListAccounts", "2026-11-02T10:05:00Z", "198.51.100.8", uaBoto, legacy),
		}, map[string]any{"portcullis.credential.key": "user:name:bob@example.com|198.51.100.0/24", "portcullis.credential.device_code": true}},
		{"no credentialId: not joined after the token expired", []string{
			rec("sso.amazonaws.com", "CreateToken", "2026-11-02T10:00:00Z", "198.51.100.7", uaBoto, legacy+
				`,"requestParameters":{"grantType":"urn:ietf:params:oauth:grant-type:device_code"},"responseElements":{"expiresIn":3600}`),
			rec("sso.amazonaws.com", "ListAccounts", "2026-11-02T11:30:00Z", "198.51.100.8", uaBoto, legacy),
		}, map[string]any{"portcullis.credential.device_code": false}},
		{"hidden credentialId is no credentialId", []string{
			deviceToken("2026-11-02T10:00:00Z", "198.51.100.7", uaBoto, "HIDDEN_DUE_TO_SECURITY_REASONS"),
			roleCreds("2026-11-02T10:01:00Z", "198.51.100.9", uaBoto, ""),
		}, map[string]any{"portcullis.credential.key": "user:u-1|198.51.100.0/24", "portcullis.credential.device_code": true}},
		{"application token used by the application", []string{
			rec("sso-oauth.amazonaws.com", "CreateTokenWithIAM", "2026-11-02T10:00:00Z", "54.79.161.228", uaGo,
				`,"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/AppRole/fn"}`+
					`,"requestParameters":{"clientId":"`+app+`","grantType":"urn:ietf:params:oauth:grant-type:jwt-bearer","scope":["sso:account:access"],"assertion":"HIDDEN_DUE_TO_SECURITY_REASONS"}`+
					`,"responseElements":{"expiresIn":3600},"additionalEventData":{"identitystore:UserId":"u-1","identitycenter:CredentialId":"BBBB"}`),
			roleCreds("2026-11-02T10:00:02Z", "54.79.161.228", uaGo, "BBBB"),
		}, map[string]any{"portcullis.credential.via_application": true, "portcullis.credential.application_arn": app,
			"portcullis.credential.user": "u-1", "portcullis.credential.grant": "jwt-bearer", "portcullis.credential.new_network": false}},
		{"a failed sign-in issues nothing", []string{
			rec("signin.amazonaws.com", "UserAuthentication", "2026-11-02T10:00:00Z", "198.51.100.7", "Mozilla/5.0", withCred("CCCC")+
				`,"serviceEventDetails":{"UserAuthentication":"Failure"}`),
			roleCreds("2026-11-02T10:01:00Z", "203.0.113.9", "Mozilla/5.0", "CCCC"),
		}, map[string]any{"portcullis.credential.new_network": false, "portcullis.credential.first_network": "203.0.113.0/24"}},
		{"portal session from the sign-in, used elsewhere", []string{
			rec("signin.amazonaws.com", "UserAuthentication", "2026-11-02T10:00:00Z", "198.51.100.7", "Mozilla/5.0", withCred("CCCC")+
				`,"serviceEventDetails":{"UserAuthentication":"Success"}`),
			roleCreds("2026-11-02T10:01:00Z", "203.0.113.9", "Mozilla/5.0", "CCCC"),
		}, map[string]any{"portcullis.credential.new_network": true, "portcullis.credential.new_client": false, "portcullis.credential.grant": ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := New(config.Default(), idc.New("test"))
			var last map[string]any
			for _, js := range c.events {
				ev := decode(t, js)
				e.Enrich(ev)
				last = ev.Derived
			}
			for k, want := range c.want {
				if got := last[k]; got != want {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
		})
	}
}

// TestCredentialStateBounded: a flood of distinct tokens keeps at most
// maxCredentials of them, forgetting the oldest.
func TestCredentialStateBounded(t *testing.T) {
	e := New(config.Default(), idc.New("test"))
	cs := e.creds
	cs.byKey.max, cs.aliases.max = 10, 10
	for i := range 25 {
		ev := decode(t, deviceToken("2026-11-02T10:00:00Z", fmt.Sprintf("198.51.%d.7", i), uaBoto, fmt.Sprintf("T%02d", i)))
		e.Enrich(ev)
	}
	if cs.byKey.len() != 10 || cs.aliases.len() != 10 {
		t.Fatalf("kept %d credentials and %d aliases, want 10 each", cs.byKey.len(), cs.aliases.len())
	}
	if _, ok := cs.byKey.get("cred:T00"); ok {
		t.Error("the oldest credential survived")
	}
	if _, ok := cs.byKey.get("cred:T24"); !ok {
		t.Error("the newest credential was dropped")
	}
	if !strings.HasPrefix(cs.byKey.entries()[0].K, "cred:T") {
		t.Error("entries are not credentials")
	}
}
