package enrich

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/actor"
	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
)

// Bounds and timing of the allow-listed identities' baselines (documented
// in the README).
const (
	maxBaselines        = 10_000 // allow-listed identities with a learned baseline
	maxBaselineNetworks = 32     // networks kept per identity, the least recent dropped
	maxBaselineClients  = 8      // client families kept per identity
	// baselineSettle: a network or client family first seen after the
	// baseline was established becomes usual once it has been around this
	// long. Until then every action from it loses the low cap (a stolen
	// key is used in bursts); a new office or runner pool stops alerting
	// after a day.
	baselineSettle = 24 * time.Hour
)

// baseline is where one allow-listed identity has been seen working from.
type baseline struct {
	Networks map[string]sighting `json:"networks"`
	Clients  map[string]sighting `json:"clients"`
}

// sighting is when a network or client family was first seen, and whether
// it is usual from the start (it established the baseline).
type sighting struct {
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	Usual bool      `json:"usual,omitempty"`
}

func (s sighting) usualAt(t time.Time) bool { return s.Usual || t.Sub(s.First) >= baselineSettle }

// baselineKey is the identity a baseline belongs to: sessions of one role
// share it (their session names vary), Identity Center users keep theirs
// across permission sets (the session name of an AWSReservedSSO_* role is
// the user name, which Identity Center sets).
func baselineKey(a actor.Actor) string {
	switch {
	case a.Type == actor.KindSSOSession && a.Name != "":
		return "sso-user:" + strings.ToLower(a.Name)
	case a.Type == actor.KindAssumedRole && a.RoleARN != "":
		return a.RoleARN
	case a.Type == actor.KindIDCUser || a.Type == actor.KindUnknown:
		if k := userKey(a.UserID, a.Name); k != "" {
			return "idc-user:" + k
		}
	}
	return Key(a)
}

// trust judges an allow-listed actor's event against its admin entry's
// declared networks and clients, or else against its learned baseline,
// and sets portcullis.actor.new_network / new_client / unusual.
func (e *Enricher) trust(ev *cloudtrail.Event, a actor.Actor, entry *config.Admin, network, client string) {
	addr, _ := netip.ParseAddr(ev.Known("sourceIPAddress"))
	var newNet, newClient bool
	var usualNets, usualClients []string
	declared := len(entry.Networks) > 0 || len(entry.Clients) > 0
	if declared {
		if len(entry.Networks) > 0 && addr.IsValid() {
			newNet = !slices.ContainsFunc(entry.Networks, func(p netip.Prefix) bool { return p.Contains(addr.Unmap()) })
			for _, p := range entry.Networks {
				usualNets = append(usualNets, p.String())
			}
		}
		if len(entry.Clients) > 0 && client != "" {
			newClient = !slices.Contains(entry.Clients, client)
			usualClients = entry.Clients
		}
	} else {
		newNet, newClient, usualNets, usualClients = e.learnBaseline(ev.Time, baselineKey(a), network, client)
	}
	ev.SetDerived("portcullis.actor.new_network", newNet)
	ev.SetDerived("portcullis.actor.new_client", newClient)
	var why []string
	if newNet {
		why = append(why, fmt.Sprintf("from a new network %s (usual: %s)", network, orNone(usualNets)))
	}
	if newClient {
		why = append(why, fmt.Sprintf("with a new client family %s (usual: %s)", client, orNone(usualClients)))
	}
	if len(why) > 0 {
		src := "learned"
		if declared {
			src = "declared in the config"
		}
		ev.SetDerived("portcullis.actor.unusual", "allow-listed identity "+strings.Join(why, " and ")+", "+src)
	}
}

// learnBaseline compares the event with the identity's learned baseline and
// adds it. The first event of an identity establishes the baseline.
func (e *Enricher) learnBaseline(now time.Time, key, network, client string) (newNet, newClient bool, nets, clients []string) {
	b, ok := e.baselines.get(key)
	if !ok {
		b = &baseline{Networks: map[string]sighting{}, Clients: map[string]sighting{}}
		e.baselines.put(key, b)
	}
	// Each dimension is established by its first sighting (an identity's
	// first calls may come from AWS itself, with no network).
	newNet, nets = see(b.Networks, network, now, len(b.Networks) == 0, maxBaselineNetworks)
	newClient, clients = see(b.Clients, client, now, len(b.Clients) == 0, maxBaselineClients)
	return newNet, newClient, nets, clients
}

// see records one sighting of v in m and reports whether v is new (not
// usual at now), with the values usual before it.
func see(m map[string]sighting, v string, now time.Time, establish bool, max int) (bool, []string) {
	if v == "" {
		return false, nil
	}
	var usual []string
	for k, s := range m {
		if k != v && s.usualAt(now) {
			usual = append(usual, k)
		}
	}
	sort.Strings(usual)
	s, seen := m[v]
	if !seen {
		s = sighting{First: now, Usual: establish}
	}
	isNew := !s.usualAt(now)
	if now.After(s.Last) {
		s.Last = now
	}
	m[v] = s
	for len(m) > max {
		var oldest string
		for k, x := range m {
			if oldest == "" || x.Last.Before(m[oldest].Last) || x.Last.Equal(m[oldest].Last) && k < oldest {
				oldest = k
			}
		}
		delete(m, oldest)
	}
	return isNew, usual
}

func orNone(vs []string) string {
	if len(vs) == 0 {
		return "none yet"
	}
	if len(vs) > 4 {
		return strings.Join(vs[:4], ", ") + fmt.Sprintf(" and %d more", len(vs)-4)
	}
	return strings.Join(vs, ", ")
}

// adminEntry is the config entry an allow-list match names.
func (e *Enricher) adminEntry(pattern string) *config.Admin {
	for i := range e.cfg.Admins {
		if e.cfg.Admins[i].Pattern == pattern {
			return &e.cfg.Admins[i]
		}
	}
	return nil
}
