package enrich

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Bounds of the credential state (documented in the README).
const (
	maxCredentials = 50_000
	// credentialIdle: a credential not used for this long is forgotten;
	// its next use starts a new record (a replay may then go unseen, a
	// false alarm never follows).
	credentialIdle = 12 * time.Hour
	// tokenLifetime is an access token's life when its record does not say
	// (Identity Center's default, expiresIn 28800): the window in which a
	// portal call without credentialId joins a token by user and network.
	tokenLifetime = 8 * time.Hour
)

// credential is what the state keeps of one Identity Center credential:
// an OIDC access token (CreateToken, CreateTokenWithIAM) or a portal
// session (UserAuthentication), from its first sighting.
type credential struct {
	Key          string `json:"key"`
	User         string `json:"user,omitempty"` // userKey of its owner
	FirstNetwork string `json:"first_network,omitempty"`
	FirstClient  string `json:"first_client,omitempty"`
	Grant        string `json:"grant,omitempty"` // device_code, authorization_code, refresh_token, jwt-bearer …
	App          string `json:"app,omitempty"`   // application ARN of a CreateTokenWithIAM token
	// Networks and Clients it has been used from (bounded): a move is
	// reported once per new network or client family.
	Networks []string  `json:"networks,omitempty"`
	Clients  []string  `json:"clients,omitempty"`
	Issued   time.Time `json:"issued"`
	Expires  time.Time `json:"expires"`
	Last     time.Time `json:"last"`
}

// credentials holds credentials by key ("cred:<credentialId>", or
// "user:<user>|<network>" when records carry no credentialId) and the
// (user, network) aliases that let a portal call without credentialId join
// the token issued to that user on that network.
type credentials struct {
	byKey   *lru[*credential]
	aliases *lru[string]
}

func newCredentials() *credentials {
	return &credentials{byKey: newLRU[*credential](maxCredentials), aliases: newLRU[string](maxCredentials)}
}

// userKey names an Identity Center user across record shapes: the user id
// when known, else the user name.
func userKey(id, name string) string {
	switch {
	case id != "" && id != cloudtrail.Hidden:
		return strings.ToLower(id)
	case name != "" && name != cloudtrail.Hidden:
		return "name:" + strings.ToLower(name)
	}
	return ""
}

func aliasKey(user, network string) string {
	if user == "" || network == "" {
		return ""
	}
	return "user:" + user + "|" + network
}

// grantName shortens an OAuth grant type URN to its last segment.
func grantName(g string) string {
	if i := strings.LastIndexByte(g, ':'); i >= 0 {
		return g[i+1:]
	}
	return g
}

// credentialUse finds (or starts) the credential an event carries and sets
// portcullis.credential.*: token creation (sso CreateToken, sso-oauth
// CreateTokenWithIAM), a portal sign-in (UserAuthentication) and every
// portal call made with a token or session.
func (e *Enricher) credentialUse(ev *cloudtrail.Event, a actor.Actor, network, client string) {
	var id, user, grant, app string
	issue := false
	switch {
	case ev.Source == idc.SourceOAuth && ev.Name == "CreateTokenWithIAM":
		id = ev.Known("additionalEventData.identitycenter:CredentialId")
		user = userKey(ev.Known("additionalEventData.identitystore:UserId"), "")
		grant = grantName(ev.Known("requestParameters.grantType"))
		app = applicationARN(ev)
		issue = true
	case ev.Source == idc.SourceSSO && portalCalls[ev.Name]:
		if a.Type != actor.KindIDCUser && a.Type != actor.KindUnknown {
			return
		}
		id = ev.Known("userIdentity.credentialId")
		user = userKey(a.UserID, a.Name)
		if ev.Name == "CreateToken" {
			grant = grantName(ev.Known("requestParameters.grantType"))
			issue = true
		}
	case ev.Source == idc.SourceSignin && ev.Name == "UserAuthentication":
		id = ev.Known("userIdentity.credentialId")
		user = userKey(a.UserID, a.Name)
		issue = true
	default:
		return
	}
	ok := ev.ErrorCode == "" && signinOK(ev)
	c := e.creds.find(id, aliasKey(user, network), ev.Time)
	if c == nil || issue {
		if !ok {
			return // a failed call issues nothing
		}
		c = e.creds.issue(ev, id, user, network, client)
		c.Grant, c.App = grant, app
	}
	moved := false
	if ok {
		c.Last = ev.Time
		moved = c.seenFrom(network, client)
	}
	ev.SetDerived("portcullis.credential.key", c.Key)
	ev.SetDerived("portcullis.credential.user", c.User)
	ev.SetDerived("portcullis.credential.grant", c.Grant)
	ev.SetDerived("portcullis.credential.device_code", c.Grant == "device_code")
	ev.SetDerived("portcullis.credential.via_application", c.App != "")
	ev.SetDerived("portcullis.credential.application_arn", c.App)
	ev.SetDerived("portcullis.credential.first_network", c.FirstNetwork)
	ev.SetDerived("portcullis.credential.first_client", c.FirstClient)
	ev.SetDerived("portcullis.credential.new_network", network != "" && c.FirstNetwork != "" && network != c.FirstNetwork)
	ev.SetDerived("portcullis.credential.new_client", client != "" && c.FirstClient != "" && client != c.FirstClient)
	ev.SetDerived("portcullis.credential.moved", moved)
}

// Bounds of what a credential remembers of where it was used.
const (
	maxCredentialNetworks = 8
	maxCredentialClients  = 4
)

// seenFrom notes a use from network and client, and reports whether it is
// the first from a network or client family the credential was not used
// from before.
func (c *credential) seenFrom(network, client string) bool {
	moved := false
	note := func(list *[]string, v string, max int) {
		if v == "" || slices.Contains(*list, v) {
			return
		}
		moved = moved || len(*list) > 0
		*list = append(*list, v)
		if len(*list) > max {
			*list = (*list)[1:]
		}
	}
	note(&c.Networks, network, maxCredentialNetworks)
	note(&c.Clients, client, maxCredentialClients)
	return moved
}

// find returns the live credential with credentialId id, or else the one
// its (user, network) alias points to while that token lives.
func (cs *credentials) find(id, alias string, now time.Time) *credential {
	if id != "" {
		if c, ok := cs.byKey.get("cred:" + id); ok && now.Sub(c.Last) <= credentialIdle {
			return c
		}
		return nil
	}
	if alias == "" {
		return nil
	}
	k, ok := cs.aliases.get(alias)
	if !ok {
		return nil
	}
	if c, ok := cs.byKey.get(k); ok && !now.After(c.Expires) && now.Sub(c.Last) <= credentialIdle {
		return c
	}
	return nil
}

// issue records a new credential first seen in ev.
func (cs *credentials) issue(ev *cloudtrail.Event, id, user, network, client string) *credential {
	life := tokenLifetime
	if s, err := strconv.Atoi(ev.String("responseElements.expiresIn")); err == nil && s > 0 && s <= 90*86400 {
		life = time.Duration(s) * time.Second
	}
	key := "cred:" + id
	if id == "" {
		key = aliasKey(user, network)
		if key == "" {
			key = "event:" + ev.ID
		}
	}
	c := &credential{Key: key, User: user, FirstNetwork: network, FirstClient: client, Issued: ev.Time, Expires: ev.Time.Add(life), Last: ev.Time}
	cs.byKey.put(key, c)
	if al := aliasKey(user, network); al != "" {
		cs.aliases.put(al, key)
	}
	return c
}

// signinOK is false for a sign-in step that failed: such records carry no
// errorCode, only serviceEventDetails.<eventName>: Failure.
func signinOK(ev *cloudtrail.Event) bool {
	if ev.Source != idc.SourceSignin {
		return true
	}
	return !strings.EqualFold(ev.String("serviceEventDetails."+ev.Name), "Failure")
}

// applicationARN is the application a CreateTokenWithIAM call names: its
// clientId is the application ARN, and resources repeat it.
func applicationARN(ev *cloudtrail.Event) string {
	if c := ev.Known("requestParameters.clientId"); strings.HasPrefix(c, "arn:") {
		return c
	}
	if rs, ok := ev.Get("resources"); ok {
		if list, ok := rs.([]any); ok {
			for _, r := range list {
				m, _ := r.(map[string]any)
				if t, _ := m["type"].(string); t == "AWS::SSO::Application" {
					s, _ := m["ARN"].(string)
					return s
				}
			}
		}
	}
	return ""
}
