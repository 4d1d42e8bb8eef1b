package enrich

import (
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// Bounds and windows of the sign-in state (documented in the README).
const (
	maxSigninUsers     = 50_000 // users with a sign-in history
	maxUserNetworks    = 16     // networks kept per user, the least recent dropped
	maxUserClients     = 8      // client families kept per user
	maxFailAddresses   = 50_000 // addresses with recent failed sign-ins
	maxFailsPerAddress = 32     // failures kept per address
	// knownNetworkWindow: a network is the user's own for a token or portal
	// call when the user signed in from it this recently. Portal sessions
	// can last days (up to 90), and approving a device code inside one logs
	// no new sign-in: a short window would call a user's own laptop
	// unknown the morning after.
	knownNetworkWindow = 30 * 24 * time.Hour
	// failWindow: how far back a success looks for failures of other users
	// from its address.
	failWindow = 30 * time.Minute
)

// signinHistory is what the state keeps of one user's successful sign-ins.
type signinHistory struct {
	Networks map[string]time.Time `json:"networks"` // network -> last successful sign-in from it
	Clients  []string             `json:"clients,omitempty"`
}

// failure is one failed sign-in step from an address.
type failure struct {
	User string    `json:"user"` // attempted user (see attemptedUser)
	At   time.Time `json:"at"`
}

type signins struct {
	users *lru[*signinHistory]
	fails *lru[[]failure] // address -> recent failures
}

func newSignins() *signins {
	return &signins{users: newLRU[*signinHistory](maxSigninUsers), fails: newLRU[[]failure](maxFailAddresses)}
}

// userKeys are the keys a user's history is kept and looked up under: its
// id and its name, since records name users either way.
func userKeys(a actor.Actor) []string {
	var out []string
	for _, k := range []string{userKey(a.UserID, ""), userKey("", a.Name)} {
		if k != "" {
			out = append(out, k)
		}
	}
	return out
}

// signin reads a sign-in step (signin.amazonaws.com) and, for every event
// of an Identity Center user (sign-in, token, portal call), says what the
// user's sign-in history knows of this event's network.
func (e *Enricher) signin(ev *cloudtrail.Event, a actor.Actor, network, client string) {
	isSignin := ev.Source == idc.SourceSignin && ev.Name != "ConsoleLogin"
	if !isSignin && !(ev.Source == idc.SourceSSO && portalCalls[ev.Name]) && ev.Source != idc.SourceOAuth {
		return
	}
	keys := userKeys(a)
	if ev.Source == idc.SourceOAuth {
		// An application's token names the user it acts for.
		keys = nil
		if k := userKey(ev.Known("additionalEventData.identitystore:UserId"), ""); k != "" {
			keys = []string{k}
		}
	}
	var h *signinHistory
	for _, k := range keys {
		if x, ok := e.signins.users.get(k); ok {
			h = x
			break
		}
	}
	ev.SetDerived("portcullis.signin.user_seen", h != nil)
	known := false
	if h != nil && network != "" {
		if last, ok := h.Networks[network]; ok && !ev.Time.Before(last) && ev.Time.Sub(last) <= knownNetworkWindow {
			known = true
		}
	}
	ev.SetDerived("portcullis.signin.known_network", known)
	if !isSignin {
		return
	}

	outcome := "success"
	if !signinOK(ev) {
		outcome = "failure"
	}
	ev.SetDerived("portcullis.signin.outcome", outcome)
	ev.SetDerived("portcullis.signin.credential_type", strings.ToUpper(ev.Known("additionalEventData.CredentialType")))
	ev.SetDerived("portcullis.signin.device_enrollment", strings.EqualFold(ev.String("additionalEventData.DeviceEnrollmentRequired"), "true"))
	attempted := attemptedUser(ev, a)
	ev.SetDerived("portcullis.signin.attempted_user", attempted)
	addr := ev.Known("sourceIPAddress")

	if outcome == "failure" {
		if addr != "" && attempted != "" {
			fs, _ := e.signins.fails.get(addr)
			fs = append(fs, failure{User: attempted, At: ev.Time})
			if len(fs) > maxFailsPerAddress {
				fs = fs[len(fs)-maxFailsPerAddress:]
			}
			e.signins.fails.put(addr, fs)
		}
		return
	}
	if addr != "" {
		ev.SetDerived("portcullis.signin.address_failed_others", float64(failedOthers(e.signins.fails, addr, attempted, ev.Time)))
	}
	if ev.Name != "UserAuthentication" || len(keys) == 0 {
		return // a factor verified, not yet a sign-in
	}
	ev.SetDerived("portcullis.signin.new_network", h != nil && network != "" && !hasNetwork(h, network))
	if h == nil {
		h = &signinHistory{Networks: map[string]time.Time{}}
	}
	if network != "" {
		h.Networks[network] = ev.Time
		trimNetworks(h)
	}
	if client != "" && !slices.Contains(h.Clients, client) {
		h.Clients = append(h.Clients, client)
		if len(h.Clients) > maxUserClients {
			h.Clients = h.Clients[1:]
		}
	}
	for _, k := range keys {
		e.signins.users.put(k, h)
	}
}

func hasNetwork(h *signinHistory, n string) bool {
	_, ok := h.Networks[n]
	return ok
}

// trimNetworks keeps the maxUserNetworks most recent networks.
func trimNetworks(h *signinHistory) {
	for len(h.Networks) > maxUserNetworks {
		var oldest string
		var at time.Time
		for n, t := range h.Networks {
			if oldest == "" || t.Before(at) || t.Equal(at) && n < oldest {
				oldest, at = n, t
			}
		}
		delete(h.Networks, oldest)
	}
}

// attemptedUser is the user a sign-in step is for. A user name Identity
// Center does not know is logged as HIDDEN_DUE_TO_SECURITY_REASONS: the
// name is unknown, but the attempt is not, so each sign-in workflow with a
// hidden name counts as one distinct guessed name ("unknown:<workflow>").
// Counting distinct values then counts a spray of made-up names, while the
// engine itself never counts a missing or hidden value.
func attemptedUser(ev *cloudtrail.Event, a actor.Actor) string {
	if k := userKey(a.UserID, a.Name); k != "" {
		return k
	}
	name := ev.String("additionalEventData.UserName")
	if name == "" {
		name = ev.String("userIdentity.userName")
	}
	if name == cloudtrail.Hidden {
		if wf := ev.Known("additionalEventData.AuthWorkflowID"); wf != "" {
			return "unknown:" + strings.ToLower(wf)
		}
	}
	return ""
}

// failedOthers counts the distinct users other than user whose sign-in
// failed from addr within failWindow before now.
func failedOthers(fails *lru[[]failure], addr, user string, now time.Time) int {
	fs, ok := fails.get(addr)
	if !ok {
		return 0
	}
	seen := map[string]bool{}
	for _, f := range fs {
		if f.User != user && !now.Before(f.At) && now.Sub(f.At) <= failWindow {
			seen[f.User] = true
		}
	}
	return len(seen)
}
