package enrich

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

const (
	appARN = "arn:aws:sso::111111111111:application/ssoins-1/apl-1"
	ttiARN = "arn:aws:sso::111111111111:trustedTokenIssuer/ssoins-1/tti-1"
)

// sso renders an sso.amazonaws.com record by an admin role.
func sso(name, req, resp string) string {
	if resp == "" {
		resp = "null"
	}
	return fmt.Sprintf(`{"eventSource":"sso.amazonaws.com","eventName":%q,"eventTime":"2026-11-02T10:00:00Z","recipientAccountId":"111111111111",
	"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/Admin/x"},"requestParameters":%s,"responseElements":%s}`, name, req, resp)
}

// step is one record fed to an enricher and the derived fields it must
// carry afterwards ("-" = must be absent).
type step struct {
	rec  string
	want map[string]any
}

func runSteps(t *testing.T, cfg *config.Config, m *idc.Model, steps []step) {
	t.Helper()
	if m == nil {
		m = idc.New("test")
	}
	e := New(cfg, m)
	for i, s := range steps {
		ev := decode(t, s.rec)
		e.Enrich(ev)
		for k, w := range s.want {
			got, ok := ev.Derived[k]
			switch {
			case w == "-" && ok:
				t.Errorf("step %d (%s): %s = %v, want absent (unknown)", i, ev.Name, k, got)
			case w != "-" && fmt.Sprint(got) != fmt.Sprint(w):
				t.Errorf("step %d (%s): %s = %v, want %v", i, ev.Name, k, got, w)
			}
		}
	}
}

func TestTrustedTokenIssuers(t *testing.T) {
	tti := func(issuer string) string {
		return sso("CreateTrustedTokenIssuer", `{"name":"x","trustedTokenIssuerType":"OIDC_JWT","trustedTokenIssuerConfiguration":{"oidcJwtConfiguration":{"issuerUrl":`+issuer+`,"claimAttributePath":"email"}}}`,
			`{"trustedTokenIssuerArn":"`+ttiARN+`"}`)
	}
	declared := config.Default()
	declared.TrustedTokenIssuers = []string{"https://login.example.com/oauth2/default"}
	runSteps(t, declared, nil, []step{
		{tti(`"https://LOGIN.example.com/oauth2/default/"`), map[string]any{"portcullis.tti.trusted": true, "portcullis.tti.issuers_declared": true}},
		{tti(`"https://idp.attacker.example/"`), map[string]any{"portcullis.tti.trusted": false, "portcullis.tti.issuer": "https://idp.attacker.example"}},
		// Unknown issuers are never a match either way.
		{tti(`"HIDDEN_DUE_TO_SECURITY_REASONS"`), map[string]any{"portcullis.tti.trusted": "-", "portcullis.tti.issuer": "-"}},
		{tti(`null`), map[string]any{"portcullis.tti.trusted": "-"}},
		// A grant naming the remembered issuer.
		{sso("PutApplicationGrant", `{"applicationArn":"`+appARN+`","grantType":"urn:ietf:params:oauth:grant-type:jwt-bearer","grant":{"jwtBearer":{"authorizedTokenIssuers":[{"trustedTokenIssuerArn":"`+ttiARN+`"}]}}}`, ""),
			map[string]any{"portcullis.app.grant_type": "jwt-bearer", "portcullis.app.grant_issuers": "https://idp.attacker.example", "portcullis.app.grant_untrusted_issuer": true}},
	})
	runSteps(t, config.Default(), nil, []step{
		{tti(`"https://login.example.com"`), map[string]any{"portcullis.tti.trusted": false, "portcullis.tti.issuers_declared": false}},
	})
}

func TestApplications(t *testing.T) {
	runSteps(t, config.Default(), nil, []step{
		{sso("CreateApplication", `{"applicationProviderArn":"arn:aws:sso::aws:applicationProvider/custom","name":"portal"}`, `{"applicationArn":"`+appARN+`"}`),
			map[string]any{"portcullis.app.arn": appARN, "portcullis.app.custom": true, "portcullis.app.account_access": false}},
		{sso("PutApplicationAccessScope", `{"applicationArn":"`+appARN+`","scope":"sso:account:access"}`, ""),
			map[string]any{"portcullis.app.account_access": true, "portcullis.app.name": "portal"}},
		{sso("PutApplicationAssignmentConfiguration", `{"applicationArn":"`+appARN+`","assignmentRequired":false}`, ""),
			map[string]any{"portcullis.app.account_access": true, "portcullis.app.custom": true}},
		{sso("CreateApplication", `{"applicationProviderArn":"arn:aws:sso::aws:applicationProvider/athena","name":"athena"}`, `{"applicationArn":"arn:aws:sso::111111111111:application/ssoins-1/apl-2"}`),
			map[string]any{"portcullis.app.custom": false}},
		// An application never seen: known only by its ARN.
		{sso("PutApplicationGrant", `{"applicationArn":"arn:aws:sso::111111111111:application/ssoins-1/apl-9","grantType":"refresh_token","grant":{"refreshToken":{}}}`, ""),
			map[string]any{"portcullis.app.grant_type": "refresh_token", "portcullis.app.custom": "-", "portcullis.app.account_access": "-"}},
		{sso("DeleteApplicationAccessScope", `{"applicationArn":"`+appARN+`","scope":"sso:account:access"}`, ""),
			map[string]any{"portcullis.app.account_access": false}},
		{sso("CreateApplicationAssignment", `{"applicationArn":"`+appARN+`","principalId":"u-1","principalType":"USER"}`, ""),
			map[string]any{"portcullis.app.account_access": false}},
	})
}

func TestActorPolicy(t *testing.T) {
	m := idc.New("test")
	m.Accounts["222222222222"] = &idc.Account{ID: "222222222222"}
	put := func(policy string) string {
		return sso("PutApplicationAuthenticationMethod", `{"applicationArn":"`+appARN+`","authenticationMethodType":"IAM","authenticationMethod":{"iam":{"actorPolicy":`+policy+`}}}`, "")
	}
	obj := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/Broker"},"Action":"sso-oauth:CreateTokenWithIAM","Resource":"*"}]}`
	runSteps(t, config.Default(), m, []step{
		{put(obj), map[string]any{"portcullis.app.actor_policy.wildcard": false, "portcullis.app.actor_policy.foreign": false,
			"portcullis.app.actor_policy.principals": "arn:aws:iam::222222222222:role/Broker"}},
		{put(fmt.Sprintf("%q", obj)), map[string]any{"portcullis.app.actor_policy.foreign": false}}, // as a JSON string
		{put(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["999999999999","arn:aws:iam::111111111111:root"]},"Action":"*"}}`),
			map[string]any{"portcullis.app.actor_policy.foreign": true, "portcullis.app.actor_policy.foreign_accounts": "999999999999"}},
		{put(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sso-oauth:CreateTokenWithIAM","Condition":{"StringEquals":{"aws:PrincipalTag/app":"x"}}}]}`),
			map[string]any{"portcullis.app.actor_policy.wildcard": true}},
		{put(`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*"}]}`), map[string]any{"portcullis.app.actor_policy.wildcard": false}},
		{put(`"not json"`), map[string]any{"portcullis.app.actor_policy.wildcard": "-", "portcullis.app.actor_policy.error": "actor policy is not a JSON object: invalid character 'o' in literal null (expecting 'u')"}},
		{put(`"HIDDEN_DUE_TO_SECURITY_REASONS"`), map[string]any{"portcullis.app.actor_policy.wildcard": "-"}},
	})
}

func TestAppTokenJoinsPortalCalls(t *testing.T) {
	token := func(at, user, cred string) string {
		return fmt.Sprintf(`{"eventSource":"sso-oauth.amazonaws.com","eventName":"CreateTokenWithIAM","eventTime":%q,"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/AppRole/f"},
		"requestParameters":{"clientId":%q,"grantType":"urn:ietf:params:oauth:grant-type:jwt-bearer","scope":["sso:account:access"],"assertion":"HIDDEN_DUE_TO_SECURITY_REASONS"},
		"responseElements":{"accessToken":"HIDDEN_DUE_TO_SECURITY_REASONS","expiresIn":3600},
		"additionalEventData":{"identitystore:UserId":%q,"identitycenter:CredentialId":%q}}`, at, appARN, user, cred)
	}
	portal := func(at, user, cred string) string {
		return fmt.Sprintf(`{"eventSource":"sso.amazonaws.com","eventName":"GetRoleCredentials","eventTime":%q,"readOnly":true,
		"userIdentity":{"type":"IdentityCenterUser","onBehalfOf":{"userId":%q},"credentialId":%q},"requestParameters":null,
		"serviceEventDetails":{"role_name":"AdministratorAccess","account_id":"222222222222"}}`, at, user, cred)
	}
	const app = "portcullis.app.token_application"
	runSteps(t, config.Default(), nil, []step{
		{portal("2026-11-02T09:00:00Z", "u-1", "c-0"), map[string]any{app: "-"}}, // before any token
		{token("2026-11-02T10:00:00Z", "u-1", "c-1"), map[string]any{"portcullis.app.arn": appARN, "portcullis.app.account_access": true}},
		{portal("2026-11-02T10:05:00Z", "u-1", "c-1"), map[string]any{app: appARN}},     // by credential
		{portal("2026-11-02T10:06:00Z", "u-1", "c-other"), map[string]any{app: appARN}}, // by user
		{portal("2026-11-02T10:07:00Z", "u-2", "c-other"), map[string]any{app: "-"}},    // someone else
		{portal("2026-11-02T11:30:00Z", "u-1", "c-1"), map[string]any{app: "-"}},        // token expired
		{token("2026-11-02T12:00:00Z", "HIDDEN_DUE_TO_SECURITY_REASONS", "HIDDEN_DUE_TO_SECURITY_REASONS"), nil},
		{portal("2026-11-02T12:01:00Z", "HIDDEN_DUE_TO_SECURITY_REASONS", "HIDDEN_DUE_TO_SECURITY_REASONS"), map[string]any{app: "-"}},
	})
}

func TestMemberAccountPolicies(t *testing.T) {
	m := idc.New("test")
	ps := &idc.PermissionSet{ARN: "arn:aws:sso:::permissionSet/ssoins-1/ps-1", Name: "Developers", ProvisionedTo: []string{"222222222222"},
		CustomerManagedPolicies: []idc.PolicyRef{{Name: "team-base", Path: "/"}}, PermissionsBoundary: &idc.PolicyRef{Name: "dev-boundary", Path: "/b/"}}
	m.PermissionSets[ps.ARN] = ps
	m.Index()
	iam := func(acct, name, req, resp string) string {
		if resp == "" {
			resp = "null"
		}
		return fmt.Sprintf(`{"eventSource":"iam.amazonaws.com","eventName":%q,"eventTime":"2026-11-02T10:00:00Z","recipientAccountId":%q,
		"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::%s:assumed-role/Deploy/x"},"requestParameters":%s,"responseElements":%s}`, name, acct, acct, req, resp)
	}
	admin := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	benign := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::team/*"}]}`
	policy := "arn:aws:iam::222222222222:policy/team-base"
	runSteps(t, config.Default(), m, []step{
		// URL-encoded, as IAM may log it; not the default yet.
		{iam("222222222222", "CreatePolicyVersion", fmt.Sprintf(`{"policyArn":%q,"policyDocument":%q,"setAsDefault":false}`, policy, url.QueryEscape(admin)), `{"policyVersion":{"versionId":"v4","isDefaultVersion":false}}`),
			map[string]any{"portcullis.policy_ref.referenced": true, "portcullis.policy_ref.permission_sets": "Developers", "portcullis.policy.level": "admin",
				"portcullis.policy_ref.effective": false, "portcullis.policy_ref.version": "v4", "portcullis.target.account": "222222222222"}},
		// Made the default later: judged by the version remembered.
		{iam("222222222222", "SetDefaultPolicyVersion", fmt.Sprintf(`{"policyArn":%q,"versionId":"v4"}`, policy), ""),
			map[string]any{"portcullis.policy.level": "admin", "portcullis.policy.known": true, "portcullis.policy_ref.effective": true}},
		{iam("222222222222", "SetDefaultPolicyVersion", fmt.Sprintf(`{"policyArn":%q,"versionId":"v2"}`, policy), ""),
			map[string]any{"portcullis.policy.known": false, "portcullis.policy.level": "-"}},
		// The boundary, created in the account.
		{iam("222222222222", "CreatePolicy", fmt.Sprintf(`{"policyName":"dev-boundary","path":"/b/","policyDocument":%q}`, benign),
			`{"policy":{"arn":"arn:aws:iam::222222222222:policy/b/dev-boundary","defaultVersionId":"v1"}}`),
			map[string]any{"portcullis.policy_ref.boundary": true, "portcullis.policy.level": "none", "portcullis.policy_ref.name": "/b/dev-boundary"}},
		// Same name in an account the set is not provisioned to; another name.
		{iam("333333333333", "CreatePolicyVersion", fmt.Sprintf(`{"policyArn":"arn:aws:iam::333333333333:policy/team-base","policyDocument":%q,"setAsDefault":true}`, admin), ""),
			map[string]any{"portcullis.policy_ref.referenced": false}},
		{iam("222222222222", "DeletePolicy", `{"policyArn":"arn:aws:iam::222222222222:policy/other"}`, ""),
			map[string]any{"portcullis.policy_ref.referenced": false}},
		{iam("222222222222", "CreateRole", `{"roleName":"x"}`, ""), map[string]any{"portcullis.policy_ref.referenced": "-"}},
	})
}

func TestInstanceKnobs(t *testing.T) {
	m := idc.New("test")
	m.InstanceARN = "arn:aws:sso:::instance/ssoins-org"
	runSteps(t, config.Default(), m, []step{
		{sso("CreateInstance", `{"name":"shadow"}`, `{"instanceArn":"arn:aws:sso:::instance/ssoins-new"}`), map[string]any{"portcullis.instance.org_instance_known": true}},
		{sso("DeleteInstance", `{"instanceArn":"arn:aws:sso:::instance/ssoins-org"}`, ""), map[string]any{"portcullis.instance.org_instance": true}},
		{sso("DeleteInstance", `{"instanceArn":"arn:aws:sso:::instance/ssoins-new"}`, ""), map[string]any{"portcullis.instance.org_instance": false}},
		{sso("UpdateInstance", `{"instanceArn":"arn:aws:sso:::instance/ssoins-org","encryptionConfiguration":{"keyType":"CUSTOMER_MANAGED_KEY","kmsKeyArn":"arn:aws:kms:us-east-1:999999999999:key/k"}}`, ""),
			map[string]any{"portcullis.instance.foreign_key": true, "portcullis.instance.changes": "encryption key type CUSTOMER_MANAGED_KEY (arn:aws:kms:us-east-1:999999999999:key/k)"}},
		{sso("UpdateInstance", `{"instanceArn":"arn:aws:sso:::instance/ssoins-org","permissionSetsEnabled":true}`, ""),
			map[string]any{"portcullis.instance.changes": "permission sets enabled", "portcullis.instance.foreign_key": "-"}},
		{sso("UpdateSsoConfiguration", `{"instanceArn":"x","configurationType":"SESSION","ssoConfiguration":{"sessionConfiguration":{"maxAuthenticationAge":"PT8H","extendedSessionEnabledAppProviders":["codewhisperer","kiro"]}}}`, ""),
			map[string]any{"portcullis.portal.extended_session_providers": "codewhisperer, kiro", "portcullis.portal.max_auth_age_hours": 8}},
		{sso("UpdateSsoConfiguration", `{"instanceArn":"x","configurationType":"SESSION","ssoConfiguration":{"sessionConfiguration":{"extendedSessionEnabledAppProviders":[]}}}`, ""),
			map[string]any{"portcullis.portal.extended_session_providers": "-"}},
		{sso("TagResource", `{"instanceArn":"x","resourceArn":"arn:aws:sso:::permissionSet/ssoins-org/ps-1","tags":[{"key":"team","value":"platform"}]}`, ""),
			map[string]any{"portcullis.permission_set.tag_change": "+team=platform", "portcullis.permission_set.arn": "arn:aws:sso:::permissionSet/ssoins-org/ps-1"}},
		{sso("UntagResource", `{"instanceArn":"x","resourceArn":"arn:aws:sso:::permissionSet/ssoins-org/ps-1","tagKeys":["owner"]}`, ""),
			map[string]any{"portcullis.permission_set.tag_change": "-owner"}},
	})
}

func TestABACChanges(t *testing.T) {
	abac := func(name string, attrs ...string) string {
		list := ""
		for i := 0; i+1 < len(attrs); i += 2 {
			if list != "" {
				list += ","
			}
			list += fmt.Sprintf(`{"key":%q,"value":{"source":[%q]}}`, attrs[i], attrs[i+1])
		}
		return sso(name, `{"instanceArn":"arn:aws:sso:::instance/ssoins-1","instanceAccessControlAttributeConfiguration":{"accessControlAttributes":[`+list+`]}}`, "")
	}
	runSteps(t, config.Default(), nil, []step{
		{abac("UpdateInstanceAccessControlAttributeConfiguration", "Team", "${path:enterprise.department}"),
			map[string]any{"portcullis.abac.changes": "previous mapping unknown; now Team=${path:enterprise.department}", "portcullis.abac.remapped": false}},
		{abac("UpdateInstanceAccessControlAttributeConfiguration", "Team", "${path:title}", "CostCenter", "${path:enterprise.costCenter}"),
			map[string]any{"portcullis.abac.changes": "+CostCenter (${path:enterprise.costCenter}); Team: ${path:enterprise.department} → ${path:title}", "portcullis.abac.remapped": true}},
		{abac("UpdateInstanceAccessControlAttributeConfiguration", "CostCenter", "${path:enterprise.costCenter}"),
			map[string]any{"portcullis.abac.changes": "-Team", "portcullis.abac.remapped": false}},
		{sso("DeleteInstanceAccessControlAttributeConfiguration", `{"instanceArn":"arn:aws:sso:::instance/ssoins-1"}`, ""),
			map[string]any{"portcullis.abac.changes": "every attribute mapping removed"}},
	})
}
