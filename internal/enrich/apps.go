package enrich

import (
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
)

// Applications and trusted token issuers: the "golden JWT" plane. A
// customer managed application given the sso:account:access scope, a
// jwt-bearer grant and a trusted token issuer can exchange a JWT naming any
// user for that user's access to every account (CreateTokenWithIAM, then
// the portal's GetRoleCredentials). What each application is and may do is
// remembered from the calls that configure it.

// appInfo is what the trail taught about one application.
type appInfo struct {
	Provider      string `json:"provider,omitempty"` // applicationProviderArn
	Name          string `json:"name,omitempty"`
	AccountAccess bool   `json:"account_access,omitempty"` // given sso:account:access
}

// appToken is a token an application minted for a user.
type appToken struct {
	App   string    `json:"app"`
	Until time.Time `json:"until"`
}

const (
	scopeAccountAccess = "sso:account:access"
	// customProvider prefixes customer managed application providers
	// (…/custom for OAuth apps, …/custom-saml for SAML apps).
	customProvider = "arn:aws:sso::aws:applicationProvider/custom"
	// appTokenLife bounds how long a CreateTokenWithIAM token is joined to
	// portal calls when the record gives no expiresIn.
	appTokenLife = time.Hour
)

// applications enriches sso.amazonaws.com application and trusted token
// issuer calls, and the portal calls made with an application's token.
func (e *Enricher) applications(ev *cloudtrail.Event) {
	switch ev.Name {
	case "CreateTrustedTokenIssuer", "UpdateTrustedTokenIssuer", "DeleteTrustedTokenIssuer":
		e.tokenIssuer(ev)
		return
	case "GetRoleCredentials", "ListAccounts", "ListAccountRoles":
		e.portalWithAppToken(ev)
		return
	}
	if !strings.Contains(ev.Name, "Application") {
		return
	}
	arn := ev.String("requestParameters.applicationArn")
	if ev.Name == "CreateApplication" {
		arn = ev.String("responseElements.applicationArn")
	}
	if !known(arn) {
		return
	}
	info, seen := e.mem.Apps.get(arn)
	ok := ev.ErrorCode == ""
	switch ev.Name {
	case "CreateApplication":
		info = appInfo{Provider: ev.String("requestParameters.applicationProviderArn"), Name: ev.String("requestParameters.name")}
		seen = info.Provider != ""
	case "PutApplicationAccessScope":
		if hasString(ev, "requestParameters.scope", scopeAccountAccess) {
			info.AccountAccess = true
			seen = true
		}
	case "DeleteApplicationAccessScope":
		if seen && hasString(ev, "requestParameters.scope", scopeAccountAccess) && ok {
			info.AccountAccess = false
			e.mem.Apps.put(arn, info)
		}
	case "PutApplicationGrant":
		e.grant(ev)
	case "PutApplicationAuthenticationMethod":
		e.actorPolicy(ev)
	case "DeleteApplication":
		if ok {
			e.mem.Apps.del(arn)
		}
	}
	ev.SetDerived("portcullis.app.arn", arn)
	if !seen {
		return
	}
	if ok && ev.Name != "DeleteApplication" && ev.Name != "DeleteApplicationAccessScope" {
		e.mem.Apps.put(arn, info)
	}
	if info.Provider != "" {
		ev.SetDerived("portcullis.app.provider", info.Provider)
		ev.SetDerived("portcullis.app.custom", strings.HasPrefix(info.Provider, customProvider))
	}
	if known(info.Name) {
		ev.SetDerived("portcullis.app.name", info.Name)
	}
	ev.SetDerived("portcullis.app.account_access", info.AccountAccess)
}

// tokenIssuer remembers a trusted token issuer's URL and says whether the
// config trusts it. The issuer URL cannot be updated, so later calls that
// name only the ARN are judged by what CreateTrustedTokenIssuer said.
func (e *Enricher) tokenIssuer(ev *cloudtrail.Event) {
	arn := ev.String("requestParameters.trustedTokenIssuerArn")
	if ev.Name == "CreateTrustedTokenIssuer" {
		arn = ev.String("responseElements.trustedTokenIssuerArn")
	}
	issuer := ev.String("requestParameters.trustedTokenIssuerConfiguration.oidcJwtConfiguration.issuerUrl")
	switch {
	case known(issuer):
		issuer = config.NormalizeIssuer(issuer)
		if known(arn) && ev.ErrorCode == "" {
			e.mem.Issuers.put(arn, issuer)
		}
	case known(arn) && ev.Name != "CreateTrustedTokenIssuer":
		issuer, _ = e.mem.Issuers.get(arn)
	}
	ev.SetDerived("portcullis.tti.issuers_declared", len(e.cfg.TrustedTokenIssuers) > 0)
	if !known(issuer) {
		return // unknown: neither trusted nor untrusted
	}
	ev.SetDerived("portcullis.tti.issuer", issuer)
	ev.SetDerived("portcullis.tti.trusted", e.cfg.TrustsIssuer(issuer))
}

// grant reads PutApplicationGrant: the grant type, and for a jwt-bearer
// grant the issuers of the trusted token issuers it authorises.
func (e *Enricher) grant(ev *cloudtrail.Event) {
	gt := ev.String("requestParameters.grantType")
	if !known(gt) {
		return
	}
	// urn:ietf:params:oauth:grant-type:jwt-bearer -> jwt-bearer
	ev.SetDerived("portcullis.app.grant_type", gt[strings.LastIndexByte(gt, ':')+1:])
	tis, _ := ev.Get("requestParameters.grant.jwtBearer.authorizedTokenIssuers")
	list, _ := tis.([]any)
	var issuers []string
	untrusted := false
	for _, t := range list {
		m, _ := t.(map[string]any)
		arn := cloudtrail.Scalar(m["trustedTokenIssuerArn"])
		if issuer, ok := e.mem.Issuers.get(arn); ok {
			issuers = append(issuers, issuer)
			untrusted = untrusted || !e.cfg.TrustsIssuer(issuer)
		}
	}
	if len(issuers) > 0 {
		ev.SetDerived("portcullis.app.grant_issuers", strings.Join(issuers, ", "))
		ev.SetDerived("portcullis.app.grant_untrusted_issuer", untrusted)
	}
}

// appTokenMinted remembers a token an application minted for a user
// (sso-oauth CreateTokenWithIAM with the account-access scope), by the
// token's credential id and by the user, for the portal calls made with it.
func (e *Enricher) appTokenMinted(ev *cloudtrail.Event) {
	if ev.Name != "CreateTokenWithIAM" {
		return
	}
	app := ev.String("requestParameters.clientId")
	if !strings.HasPrefix(app, "arn:") {
		return // a client id, not an application
	}
	ev.SetDerived("portcullis.app.arn", app)
	if info, ok := e.mem.Apps.get(app); ok {
		if info.Provider != "" {
			ev.SetDerived("portcullis.app.provider", info.Provider)
			ev.SetDerived("portcullis.app.custom", strings.HasPrefix(info.Provider, customProvider))
		}
		if known(info.Name) {
			ev.SetDerived("portcullis.app.name", info.Name)
		}
	}
	access := hasString(ev, "requestParameters.scope", scopeAccountAccess)
	ev.SetDerived("portcullis.app.account_access", access)
	if !access || ev.ErrorCode != "" {
		return
	}
	life := appTokenLife
	if s, err := time.ParseDuration(ev.String("responseElements.expiresIn") + "s"); err == nil && s > 0 && s <= 24*time.Hour {
		life = s
	}
	tok := appToken{App: app, Until: ev.Time.Add(life)}
	if c := ev.String("additionalEventData.identitycenter:CredentialId"); known(c) {
		e.mem.AppTokens.put("cred:"+c, tok)
	}
	if u := ev.String("additionalEventData.identitystore:UserId"); known(u) {
		e.mem.AppTokens.put("user:"+u, tok)
	}
}

// portalWithAppToken names the application whose token a portal call uses:
// by the call's credential id (the token's id), else by its user within the
// token's lifetime.
func (e *Enricher) portalWithAppToken(ev *cloudtrail.Event) {
	if e.mem.AppTokens.len() == 0 {
		return
	}
	var tok appToken
	ok := false
	if c := ev.String("userIdentity.credentialId"); known(c) {
		tok, ok = e.mem.AppTokens.get("cred:" + c)
	}
	if !ok {
		if u := ev.String("userIdentity.onBehalfOf.userId"); known(u) {
			tok, ok = e.mem.AppTokens.get("user:" + u)
		}
	}
	if !ok || ev.Time.After(tok.Until) {
		return
	}
	ev.SetDerived("portcullis.app.token_application", tok.App)
	if info, seen := e.mem.Apps.get(tok.App); seen && known(info.Name) {
		ev.SetDerived("portcullis.app.name", info.Name)
	}
}

// hasString reports whether the value at path is s or a list holding s
// (case-insensitive: scopes and statuses are compared as words).
func hasString(ev *cloudtrail.Event, path, s string) bool {
	v, _ := ev.Get(path)
	switch x := v.(type) {
	case string:
		return strings.EqualFold(x, s)
	case []any:
		for _, it := range x {
			if str, ok := it.(string); ok && strings.EqualFold(str, s) {
				return true
			}
		}
	}
	return false
}
