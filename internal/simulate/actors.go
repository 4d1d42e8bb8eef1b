package simulate

import (
	"math/rand/v2"
)

// actor is one principal whose userIdentity block is rendered once, at org
// build time. Only the session creationDate varies per record, so the block is
// kept as the bytes before and after that value.
type actor struct {
	typ     string // userIdentity.type; "" renders a block without type (real records do that)
	arn     string
	name    string // session name, IAM user name, or Identity Center user name
	userID  string // Identity Center user id, when the actor is one
	account string // the principal's own account
	pre     []byte
	post    []byte // nil when the block has no creationDate
	ua, ip  string
	console bool // sessionCredentialFromConsole
}

// appendIdentity renders the block; sessions are taken to start on the
// half hour before ts so creationDate is always plausible and costs no RNG.
func (a *actor) appendIdentity(b []byte, ts int64) []byte {
	b = append(b, a.pre...)
	if a.post != nil {
		b = appendTime(b, ts-ts%1800)
		b = append(b, a.post...)
	}
	return b
}

// withInvokedBy returns a copy of a whose block also says invokedBy svc:
// IAM calls that Identity Center makes on the caller's behalf look like this.
func (a *actor) withInvokedBy(svc string) *actor {
	c := *a
	tail := appendKV(nil, "invokedBy", svc)
	if c.post != nil {
		c.post = append(append(append([]byte{}, c.post[:len(c.post)-1]...), tail...), '}')
	} else {
		c.pre = append(append(append([]byte{}, c.pre[:len(c.pre)-1]...), tail...), '}')
	}
	c.ua, c.ip, c.console = "AWS Internal", svc, false
	return &c
}

type roleOpt struct {
	path      string   // IAM role path, e.g. /aws-reserved/sso.amazonaws.com/us-east-1/
	invokedBy string   // adds userIdentity.invokedBy
	behalf    *idcUser // adds onBehalfOf (Identity Center sessions since 2025)
	storeArn  string
	mfa       bool
	ua, ip    string
	console   bool
}

func principalSuffix(r *rand.Rand) string { return randFrom(r, upperAlnum, 17) }

func newAssumedRole(r *rand.Rand, acct, role, session string, o roleOpt) *actor {
	if o.path == "" {
		o.path = "/"
	}
	pid := "AROA" + principalSuffix(r)
	arn := "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + session
	b := []byte(`{"type":"AssumedRole"`)
	b = appendKV(b, "principalId", pid+":"+session)
	b = appendKV(b, "arn", arn)
	b = appendKV(b, "accountId", acct)
	b = appendKV(b, "accessKeyId", "ASIA"+randFrom(r, upperAlnum, 16))
	b = append(b, `,"sessionContext":{"sessionIssuer":{"type":"Role"`...)
	b = appendKV(b, "principalId", pid)
	b = appendKV(b, "arn", "arn:aws:iam::"+acct+":role"+o.path+role)
	b = appendKV(b, "accountId", acct)
	b = appendKV(b, "userName", role)
	b = append(b, `},"attributes":{"creationDate":"`...)
	post := []byte(`","mfaAuthenticated":"false"}}`)
	if o.mfa {
		post = []byte(`","mfaAuthenticated":"true"}}`)
	}
	if o.invokedBy != "" {
		post = appendKV(post, "invokedBy", o.invokedBy)
	}
	a := &actor{typ: "AssumedRole", arn: arn, name: session, account: acct, ua: o.ua, ip: o.ip, console: o.console}
	if o.behalf != nil {
		post = append(post, `,"onBehalfOf":{"userId":`...)
		post = appendStr(post, o.behalf.id)
		post = appendKV(post, "identityStoreArn", o.storeArn)
		post = append(post, '}')
		a.userID = o.behalf.id
	}
	a.pre, a.post = b, append(post, '}')
	return a
}

func newIAMUser(r *rand.Rand, acct, name, ua, ip string) *actor {
	arn := "arn:aws:iam::" + acct + ":user/" + name
	b := []byte(`{"type":"IAMUser"`)
	b = appendKV(b, "principalId", "AIDA"+principalSuffix(r))
	b = appendKV(b, "arn", arn)
	b = appendKV(b, "accountId", acct)
	b = appendKV(b, "accessKeyId", "AKIA"+randFrom(r, upperAlnum, 16))
	b = appendKV(b, "userName", name)
	return &actor{typ: "IAMUser", arn: arn, name: name, account: acct, pre: append(b, '}'), ua: ua, ip: ip}
}

func newRoot(r *rand.Rand, acct, ua, ip string) *actor {
	arn := "arn:aws:iam::" + acct + ":root"
	b := []byte(`{"type":"Root"`)
	b = appendKV(b, "principalId", acct)
	b = appendKV(b, "arn", arn)
	b = appendKV(b, "accountId", acct)
	b = appendKV(b, "accessKeyId", "ASIA"+randFrom(r, upperAlnum, 16))
	b = append(b, `,"sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"`...)
	return &actor{typ: "Root", arn: arn, name: "root", account: acct, pre: b,
		post: []byte(`","mfaAuthenticated":"true"}}}`), ua: ua, ip: ip, console: true}
}

func newAWSService(svc string) *actor {
	b := appendKV([]byte(`{"type":"AWSService"`), "invokedBy", svc)
	return &actor{typ: "AWSService", name: svc, pre: append(b, '}'), ua: svc, ip: svc}
}

// newNoType is the block some service events carry: no type at all.
func newNoType(acct, svc string) *actor {
	b := append(appendStr([]byte(`{"accountId":`), acct), `,"invokedBy":`...)
	b = appendStr(b, svc)
	return &actor{name: svc, account: acct, pre: append(b, '}'), ua: svc, ip: svc}
}

func newSAMLUser(user, idp string) *actor {
	b := []byte(`{"type":"SAMLUser"`)
	b = appendKV(b, "principalId", idp+":"+user)
	b = appendKV(b, "userName", user)
	b = appendKV(b, "identityProvider", idp)
	return &actor{typ: "SAMLUser", name: user, pre: append(b, '}')}
}

// newIdCUser is the portal/sign-in shape since 2025-07: no userName.
func newIdCUser(r *rand.Rand, acct string, u idcUser, storeArn, ua, ip string) *actor {
	b := []byte(`{"type":"IdentityCenterUser"`)
	b = appendKV(b, "accountId", acct)
	b = append(b, `,"onBehalfOf":{"userId":`...)
	b = appendStr(b, u.id)
	b = appendKV(b, "identityStoreArn", storeArn)
	b = append(b, '}')
	b = appendKV(b, "credentialId", "AAAAA"+randFrom(r, alnumChars, 80))
	return &actor{typ: "IdentityCenterUser", name: u.name, userID: u.id, account: acct, pre: append(b, '}'), ua: ua, ip: ip}
}

// newLegacyPortal is the pre-2025 portal shape: type Unknown with userName.
func newLegacyPortal(acct string, u idcUser, ua, ip string) *actor {
	b := []byte(`{"type":"Unknown"`)
	b = appendKV(b, "principalId", acct)
	b = appendKV(b, "arn", "")
	b = appendKV(b, "accountId", acct)
	b = appendKV(b, "accessKeyId", "")
	b = appendKV(b, "userName", u.name)
	return &actor{typ: "Unknown", name: u.name, account: acct, pre: append(b, '}'), ua: ua, ip: ip}
}

// newSCIMClient is the identity SCIM calls carry (AWS docs: WebIdentityUser
// with only accountId and accessKeyId; older records say Unknown).
func newSCIMClient(r *rand.Rand, acct, ua, ip string) *actor {
	b := []byte(`{"type":"WebIdentityUser"`)
	b = appendKV(b, "accountId", acct)
	b = appendKV(b, "accessKeyId", newUUID(r))
	return &actor{typ: "WebIdentityUser", name: "scim", account: acct, pre: append(b, '}'), ua: ua, ip: ip}
}
