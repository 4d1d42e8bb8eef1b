package simulate

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// attemptRules are rules whose point is the failed call: their steps are
// failed records.
var attemptRules = map[string]bool{"idc.trust-anchor.reserved-role-probe": true}

// checkConfigPlane asserts the facts the configuration-plane rules read in
// each of their stories.
func checkConfigPlane(t *testing.T, scenario string, steps []Step, c *corpus, cfg fileConfig) {
	t.Helper()
	rec := func(rule string) map[string]any {
		for _, s := range steps {
			if s.Rule == rule {
				return c.byID[s.EventID]
			}
		}
		t.Fatalf("no %s step", rule)
		return nil
	}
	switch scenario {
	case "golden-jwt":
		issuer := str(rec("idc.app.trusted-token-issuer-created"), "requestParameters.trustedTokenIssuerConfiguration.oidcJwtConfiguration.issuerUrl")
		if issuer == "" || slices.Contains(cfg.TrustedTokenIssuers, strings.TrimRight(issuer, "/")) {
			t.Errorf("attacker issuer %q is empty or trusted (%v)", issuer, cfg.TrustedTokenIssuers)
		}
		app := str(rec("idc.app.custom-application-created"), "responseElements.applicationArn")
		if str(rec("idc.app.account-access-scope"), "requestParameters.applicationArn") != app {
			t.Error("the scope is not given to the application created")
		}
		// The credentials are minted with the token the application obtained.
		use := rec("idc.chain.golden-jwt")
		cred := str(use, "userIdentity.credentialId")
		found := false
		for _, o := range c.objects {
			for _, r := range o.records {
				if str(r, "eventName") == "CreateTokenWithIAM" && str(r, "requestParameters.clientId") == app {
					found = str(r, "additionalEventData.identitycenter:CredentialId") == cred &&
						str(r, "additionalEventData.identitystore:UserId") == str(use, "userIdentity.onBehalfOf.userId")
				}
			}
		}
		if !found || cred == "" {
			t.Errorf("no CreateTokenWithIAM for %s carries credential %q for the user", app, cred)
		}
		if !slices.Contains(cfg.SensitiveAccounts, str(use, "serviceEventDetails.account_id")) {
			t.Error("the credentials are not for a sensitive account")
		}
	case "referenced-policy":
		r := rec("idc.permission-set.referenced-policy-changed")
		doc, err := url.QueryUnescape(str(r, "requestParameters.policyDocument"))
		if err != nil || !strings.Contains(doc, `"Action":"*"`) || r["requestParameters"].(map[string]any)["setAsDefault"] != true {
			t.Errorf("policy version %q (%v) is not an admin default", doc, err)
		}
		if !strings.HasSuffix(str(r, "requestParameters.policyArn"), ":policy/teams/data-team-base") {
			t.Errorf("policy %s is not the one the permission set references", str(r, "requestParameters.policyArn"))
		}
	case "trust-anchor":
		if r := rec("idc.trust-anchor.reserved-role-probe"); str(r, "errorCode") != "UnmodifiableEntity" || !strings.HasPrefix(str(r, "requestParameters.roleName"), "AWSReservedSSO_") {
			t.Errorf("probe %s on %s", str(r, "errorCode"), str(r, "requestParameters.roleName"))
		}
		if r := rec("idc.trust-anchor.saml-provider-changed"); !strings.Contains(str(r, "requestParameters.sAMLProviderArn"), ":saml-provider/AWSSSO_") {
			t.Errorf("provider %s is not Identity Center's", str(r, "requestParameters.sAMLProviderArn"))
		}
	case "delegated-admin-deregistered", "org-service-access":
		for _, s := range steps {
			if str(c.byID[s.EventID], "requestParameters.servicePrincipal") != srcSSO {
				t.Errorf("%s: servicePrincipal is not sso.amazonaws.com", s.EventName)
			}
		}
	}
}
