package simulate

import (
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"time"
)

// planted is a record rendered at plan time (admin work, attacks, their side
// effects) that a file writer merges into its noise by time.
type planted struct {
	acct   *account
	region string
	ts     int64
	data   []byte
}

// planter renders the records whose content matters: routine admin work and
// attack stories. They are few, so clarity beats speed here.
type planter struct {
	org        *org
	g          *gen
	seed       int64
	start, end int64
	maxSess    string
	out        []planted
	steps      []Step
	scenario   string
	routinePS  []permSet // permission sets only admins touch; no session ever uses them
}

func newPlanter(o *org, seed, start, end int64) *planter {
	p := &planter{org: o, seed: seed, start: start, end: end, maxSess: "PT4H"}
	p.reseed("routine")
	for _, n := range []string{"Contractor-Limited", "Sandbox-Developer", "Support-L2"} {
		p.routinePS = append(p.routinePS, permSet{name: n, arn: o.psArn(p.g.rng)})
	}
	return p
}

// reseed gives each story its own RNG, so a scenario's event ids do not
// depend on which other scenarios were chosen.
func (p *planter) reseed(name string) {
	h := fnv.New64a()
	h.Write([]byte(name))
	p.g = newGen(rand.New(rand.NewPCG(uint64(p.seed), h.Sum64())), p.org)
}

func (p *planter) clamp(ts int64) int64 { return max(p.start, min(ts, p.end-1)) }

// put renders r for account a in region and keeps it; r gets its eventID.
func (p *planter) put(a *account, region string, r *rec) *rec {
	r.ts = p.clamp(r.ts)
	r.region, r.recipient = region, a.id
	if r.eventID == "" {
		r.eventID = newUUID(p.g.rng)
	}
	p.out = append(p.out, planted{acct: a, region: region, ts: r.ts, data: p.g.emit(nil, r)})
	return r
}

// step records that rule must fire on r.
func (p *planter) step(rule string, r *rec) {
	p.steps = append(p.steps, Step{Scenario: p.scenario, Rule: rule, EventID: r.eventID, EventName: r.name,
		EventSource: r.src, Account: r.recipient, Time: time.Unix(r.ts, 0).UTC()})
}

func tlsPrefix(src string) string {
	switch src {
	case srcSSO:
		return "sso"
	case srcStore:
		return "identitystore"
	case srcDir:
		return "up.sso" // the console's endpoint, as in real records
	case srcOrgs:
		return "organizations"
	}
	return ""
}

// idc plants an Identity Center write in the management account's home region.
func (p *planter) idc(ts int64, a *actor, src, name string, req, resp []byte) *rec {
	return p.idcCall(ts, a, src, name, req, resp, false)
}

func (p *planter) idcCall(ts int64, a *actor, src, name string, req, resp []byte, readOnly bool) *rec {
	p.g.at(p.org.mgmt, p.org.home)
	r := p.g.base(ts, a, src, name)
	r.req, r.resp, r.readOnly = req, resp, readOnly
	if h := tlsPrefix(src); h != "" && p.g.rng.IntN(3) > 0 {
		r.tlsHost = h + "." + p.org.home + ".amazonaws.com"
	}
	return p.put(p.org.mgmt, p.org.home, &r)
}

// iamRegion is where IAM (a global service) logs: us-east-1 when simulated.
func (p *planter) iamRegion() string {
	for _, r := range p.org.regions {
		if r == "us-east-1" {
			return r
		}
	}
	return p.org.home
}

// raw marks already-rendered JSON for jobj.
type raw []byte

// jobj renders an object from alternating keys and values (string, raw, int,
// bool, nil). Plan-time only.
func jobj(kv ...any) raw {
	b := []byte{'{'}
	for i := 0; i+1 < len(kv); i += 2 {
		b = appendKey(b, kv[i].(string), i == 0)
		b = appendAny(b, kv[i+1])
	}
	return append(b, '}')
}

func jarr(vs ...any) raw {
	b := []byte{'['}
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendAny(b, v)
	}
	return append(b, ']')
}

func appendAny(b []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		return appendStr(b, v)
	case raw:
		return append(b, v...)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case bool:
		return strconv.AppendBool(b, v)
	default:
		return append(b, "null"...)
	}
}

func (p *planter) consoleDate(ts int64) string { return string(appendConsoleDate(nil, ts, false)) }
