package enrich

import (
	"fmt"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

const uaWeb = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36"

// signinStep is a sign-in record in the pre-2025 shape (type Unknown,
// userName) or, with id set, the IdentityCenterUser shape.
func signinStep(name, at, ip, user, id, outcome, extra string) string {
	ui := fmt.Sprintf(`{"type":"Unknown","principalId":"111111111111","accountId":"111111111111","userName":%q}`, user)
	if id != "" {
		ui = fmt.Sprintf(`{"type":"IdentityCenterUser","accountId":"111111111111","onBehalfOf":{"userId":%q,"identityStoreArn":"arn:aws:identitystore::111111111111:identitystore/d-1"}}`, id)
	}
	return rec("signin.amazonaws.com", name, at, ip, uaWeb, `,"userIdentity":`+ui+
		fmt.Sprintf(`,"additionalEventData":{"AuthWorkflowID":"wf-%s","UserName":%q,"CredentialType":"PASSWORD"%s},"serviceEventDetails":{%q:%q}`, at, user, extra, name, outcome))
}

func legacyToken(at, ip, user string) string {
	return rec("sso.amazonaws.com", "CreateToken", at, ip, uaCLI, fmt.Sprintf(`,"userIdentity":{"type":"Unknown","principalId":"x","userName":%q}`, user)+
		`,"requestParameters":{"grantType":"urn:ietf:params:oauth:grant-type:device_code"}`)
}

func TestSigninHistory(t *testing.T) {
	cases := []struct {
		name   string
		events []string
		want   map[string]any
	}{
		{"token from the network the user just signed in from", []string{
			signinStep("UserAuthentication", "2026-11-02T10:00:00Z", "198.51.100.7", "bob", "", "Success", ""),
			legacyToken("2026-11-02T10:02:00Z", "198.51.100.40", "bob"),
		}, map[string]any{"portcullis.signin.user_seen": true, "portcullis.signin.known_network": true}},
		{"token from elsewhere", []string{
			signinStep("UserAuthentication", "2026-11-02T10:00:00Z", "198.51.100.7", "bob", "", "Success", ""),
			legacyToken("2026-11-02T10:02:00Z", "203.0.113.5", "bob"),
		}, map[string]any{"portcullis.signin.user_seen": true, "portcullis.signin.known_network": false}},
		{"a sign-in long ago does not vouch", []string{
			signinStep("UserAuthentication", "2026-11-02T10:00:00Z", "198.51.100.7", "bob", "", "Success", ""),
			legacyToken("2026-12-05T22:30:00Z", "198.51.100.7", "bob"),
		}, map[string]any{"portcullis.signin.user_seen": true, "portcullis.signin.known_network": false}},
		{"no sign-in seen", []string{
			legacyToken("2026-11-02T10:02:00Z", "198.51.100.7", "bob"),
		}, map[string]any{"portcullis.signin.user_seen": false, "portcullis.signin.known_network": false}},
		{"sign-in names the user id, the token too", []string{
			signinStep("UserAuthentication", "2026-11-02T10:00:00Z", "198.51.100.7", "bob", "u-1", "Success", ""),
			deviceToken("2026-11-02T10:01:00Z", "198.51.100.9", uaCLI, "AAAA"),
		}, map[string]any{"portcullis.signin.user_seen": true, "portcullis.signin.known_network": true}},
		{"a failed sign-in is no history", []string{
			signinStep("CredentialVerification", "2026-11-02T10:00:00Z", "198.51.100.7", "bob", "", "Failure", ""),
			legacyToken("2026-11-02T10:02:00Z", "198.51.100.7", "bob"),
		}, map[string]any{"portcullis.signin.user_seen": false}},
		{"sign-in from a new network", []string{
			signinStep("UserAuthentication", "2026-11-01T10:00:00Z", "198.51.100.7", "bob", "", "Success", ""),
			signinStep("UserAuthentication", "2026-11-02T10:00:00Z", "203.0.113.5", "bob", "", "Success", `,"DeviceEnrollmentRequired":"true"`),
		}, map[string]any{"portcullis.signin.new_network": true, "portcullis.signin.device_enrollment": true, "portcullis.signin.outcome": "success"}},
		{"first sign-in seen is not new", []string{
			signinStep("UserAuthentication", "2026-11-02T10:00:00Z", "203.0.113.5", "bob", "", "Success", ""),
		}, map[string]any{"portcullis.signin.new_network": false}},
		{"success after failures of others from one address", []string{
			signinStep("CredentialVerification", "2026-11-02T10:00:00Z", "203.0.113.5", "ann", "", "Failure", ""),
			signinStep("CredentialVerification", "2026-11-02T10:00:10Z", "203.0.113.5", "HIDDEN_DUE_TO_SECURITY_REASONS", "", "Failure", ""),
			signinStep("CredentialVerification", "2026-11-02T10:00:20Z", "203.0.113.5", "HIDDEN_DUE_TO_SECURITY_REASONS", "", "Failure", ""),
			signinStep("CredentialVerification", "2026-11-02T10:00:25Z", "203.0.113.5", "bob", "", "Failure", ""),
			signinStep("CredentialVerification", "2026-11-02T10:00:30Z", "203.0.113.5", "bob", "", "Success", ""),
		}, map[string]any{"portcullis.signin.address_failed_others": float64(3)}},
		{"a typo then success is not others", []string{
			signinStep("CredentialVerification", "2026-11-02T10:00:00Z", "203.0.113.5", "bob", "", "Failure", ""),
			signinStep("CredentialVerification", "2026-11-02T10:00:30Z", "203.0.113.5", "bob", "", "Success", ""),
		}, map[string]any{"portcullis.signin.address_failed_others": float64(0)}},
		{"failures long ago do not count", []string{
			signinStep("CredentialVerification", "2026-11-02T09:00:00Z", "203.0.113.5", "ann", "", "Failure", ""),
			signinStep("CredentialVerification", "2026-11-02T10:00:30Z", "203.0.113.5", "bob", "", "Success", ""),
		}, map[string]any{"portcullis.signin.address_failed_others": float64(0)}},
		{"a hidden user name counts per workflow", []string{
			signinStep("CredentialVerification", "2026-11-02T10:00:10Z", "203.0.113.5", "HIDDEN_DUE_TO_SECURITY_REASONS", "", "Failure", ""),
		}, map[string]any{"portcullis.signin.attempted_user": "unknown:wf-2026-11-02t10:00:10z", "portcullis.signin.outcome": "failure"}},
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
					t.Errorf("%s = %v (%T), want %v", k, got, got, want)
				}
			}
		})
	}
}

// TestSigninStateBounded: networks per user and users are capped.
func TestSigninStateBounded(t *testing.T) {
	e := New(config.Default(), idc.New("test"))
	e.signins.users.max = 5
	for i := range 40 {
		ev := decode(t, signinStep("UserAuthentication", fmt.Sprintf("2026-11-02T10:%02d:00Z", i), fmt.Sprintf("198.51.%d.7", i), "bob", "", "Success", ""))
		e.Enrich(ev)
	}
	h, ok := e.signins.users.get("name:bob")
	if !ok || len(h.Networks) != maxUserNetworks {
		t.Fatalf("bob keeps %d networks, want %d", len(h.Networks), maxUserNetworks)
	}
	if _, ok := h.Networks["198.51.39.0/24"]; !ok {
		t.Error("the latest network was dropped")
	}
	for i := range 10 {
		e.Enrich(decode(t, signinStep("UserAuthentication", "2026-11-02T11:00:00Z", "198.51.100.7", fmt.Sprintf("user%d", i), "", "Success", "")))
	}
	if e.signins.users.len() != 5 {
		t.Errorf("%d users kept, want 5", e.signins.users.len())
	}
}
