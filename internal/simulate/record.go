package simulate

import (
	"math/rand/v2"
)

// rec is one CloudTrail record before rendering. Raw JSON fields are nil when
// absent; req and resp render as null when nil, as CloudTrail does.
type rec struct {
	ver       string
	actor     *actor
	ts        int64
	src, name string
	region    string
	ip, ua    string
	errCode   string
	errMsg    string
	req, resp []byte
	addl      []byte
	resources []byte
	svcDetail []byte
	requestID string // "" = random; "-" = omit (real records sometimes lack it)
	eventID   string // "" = random
	readOnly  bool
	noRO      bool // omit readOnly (older shapes)
	evType    string
	noMgmt    bool // omit managementEvent
	recipient string
	tlsHost   string
	console   bool
}

// gen renders records. One per file (or per plan), never shared.
type gen struct {
	rng    *rand.Rand
	org    *org
	acct   *account
	region string
	home   bool // region is the Identity Center home region
	calls  []describeCall
	// scratch buffers for the raw JSON parts of the record being built
	req, resp, addl, res, svc []byte
}

func newGen(r *rand.Rand, o *org) *gen {
	return &gen{rng: r, org: o, calls: describeCalls(),
		req: make([]byte, 0, 1024), resp: make([]byte, 0, 2048), addl: make([]byte, 0, 512),
		res: make([]byte, 0, 512), svc: make([]byte, 0, 128)}
}

func (g *gen) at(a *account, region string) {
	g.acct, g.region, g.home = a, region, region == g.org.home
}

// version spreads eventVersion over what live trails carry today.
func (g *gen) version() string {
	switch v := g.rng.IntN(100); {
	case v < 45:
		return "1.08"
	case v < 70:
		return "1.09"
	case v < 85:
		return "1.10"
	default:
		return "1.11"
	}
}

// base returns a record skeleton for the current account and region.
func (g *gen) base(ts int64, a *actor, src, name string) rec {
	return rec{ver: g.version(), actor: a, ts: ts, src: src, name: name, region: g.region,
		ip: a.ip, ua: a.ua, evType: "AwsApiCall", recipient: g.acct.id, console: a.console}
}

// emit renders r in CloudTrail's usual key order.
func (g *gen) emit(b []byte, r *rec) []byte {
	b = append(b, `{"eventVersion":"`...)
	b = append(b, r.ver...)
	b = append(b, '"')
	if r.actor != nil {
		b = append(b, `,"userIdentity":`...)
		b = r.actor.appendIdentity(b, r.ts)
	}
	b = append(b, `,"eventTime":"`...)
	b = appendTime(b, r.ts)
	b = append(b, '"')
	b = appendKV(b, "eventSource", r.src)
	b = appendKV(b, "eventName", r.name)
	b = appendKV(b, "awsRegion", r.region)
	b = appendKV(b, "sourceIPAddress", r.ip)
	b = appendKV(b, "userAgent", r.ua)
	if r.errCode != "" {
		b = appendKV(b, "errorCode", r.errCode)
		if r.errMsg != "" {
			b = appendKV(b, "errorMessage", r.errMsg)
		}
	}
	b = appendRaw(b, "requestParameters", r.req)
	b = appendRaw(b, "responseElements", r.resp)
	if r.addl != nil {
		b = appendRaw(b, "additionalEventData", r.addl)
	}
	switch r.requestID {
	case "-":
	case "":
		b = append(b, `,"requestID":"`...)
		b = appendUUID(b, g.rng)
		b = append(b, '"')
	default:
		b = appendKV(b, "requestID", r.requestID)
	}
	if r.eventID != "" {
		b = appendKV(b, "eventID", r.eventID)
	} else {
		b = append(b, `,"eventID":"`...)
		b = appendUUID(b, g.rng)
		b = append(b, '"')
	}
	if !r.noRO {
		if r.readOnly {
			b = append(b, `,"readOnly":true`...)
		} else {
			b = append(b, `,"readOnly":false`...)
		}
	}
	if r.resources != nil {
		b = appendRaw(b, "resources", r.resources)
	}
	b = appendKV(b, "eventType", r.evType)
	if !r.noMgmt {
		b = append(b, `,"managementEvent":true`...)
	}
	b = appendKV(b, "recipientAccountId", r.recipient)
	if r.svcDetail != nil {
		b = appendRaw(b, "serviceEventDetails", r.svcDetail)
	}
	b = append(b, `,"eventCategory":"Management"`...)
	if r.tlsHost != "" {
		b = append(b, `,"tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":`...)
		b = appendStr(b, r.tlsHost)
		b = append(b, '}')
	}
	if r.console {
		b = append(b, `,"sessionCredentialFromConsole":"true"`...)
	}
	return append(b, '}')
}

func appendRaw(b []byte, key string, raw []byte) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	if raw == nil {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

// tls sets tlsDetails on about half of the records, as API endpoints do.
func (g *gen) tls(r *rec, svc string) {
	if g.rng.IntN(2) == 0 {
		r.tlsHost = svc + "." + r.region + ".amazonaws.com"
	}
}
