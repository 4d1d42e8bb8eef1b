package simulate

import (
	"hash/fnv"
	"math/rand/v2"
	"strconv"
)

type acctKind uint8

const (
	kindMgmt acctKind = iota
	kindSecurity
	kindMember
)

type account struct {
	id, name  string
	kind      acctKind
	sensitive bool
	weight    float64

	humans     []*actor // AWSReservedSSO_* sessions of people
	services   []*actor // workload role sessions
	instances  []*actor // EC2 instance-profile sessions (SSM agent traffic)
	iamUsers   []*actor
	awsSvc     []*actor
	noType     *actor
	root       *actor
	ssoService *actor // AWSServiceRoleForSSO: Identity Center's own hand in the account
	samlIdP    string // identityProvider value SAMLUser records carry
	samlArn    string
	saml       []samlUse // people who sign in to this account through the portal
	buckets    []string
	functions  []string
	kmsKey     string
}

type idcUser struct{ id, name string }

type samlUse struct {
	actor *actor
	ps    string
}

type group struct {
	id, name   string
	privileged bool
}

type permSet struct{ name, arn string }

// org is the synthetic organization: fixed by the seed alone, so the same seed
// gives the same accounts, ids and actors at any volume.
type org struct {
	seed        int64
	id          string
	accounts    []*account
	mgmt        *account
	security    *account
	prod        *account // a sensitive member account
	regions     []string
	home        string // Identity Center home region
	instanceID  string
	instanceArn string
	storeID     string
	storeArn    string
	users       []idcUser
	groups      []group
	established []permSet // long-standing permission sets that people use every day

	admins        []*actor // the identity admins named in portcullis.yaml
	adminPatterns []string
	readers       []*actor // non-admin principals that only read Identity Center
	portal        []*actor // Identity Center users in the portal (new shape)
	portalLegacy  []*actor // the same users, pre-2025 shape
	mallory       idcUser
	attacker      *actor // compromised DevOps session, CLI
	attackerWeb   *actor // the same session in the console
	malloryPortal *actor // mallory in the access portal
	legacyCI      *actor // leaked IAM user key
	scimClient    *actor
	orgAccess     *actor // OrganizationAccountAccessRole session
	oauthApp      *actor // Lambda that calls CreateTokenWithIAM
	scimIdP       *actor // the IdP's SCIM client (benign reads)
	tenantID      string // SCIM tenant id
	appArn        string // OAuth application for CreateTokenWithIAM
	samlIssuer    string
}

var (
	firstNames  = []string{"carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "ken", "laura", "mike", "nina", "oscar", "peggy", "quinn", "rupert", "sybil", "trent", "ursula", "victor", "wendy", "xavier", "yara", "zoe"}
	lastNames   = []string{"nguyen", "smith", "garcia", "kim", "okafor", "rossi", "müller", "tanaka", "silva", "novak"}
	memberNames = []string{"prod-payments", "prod-web", "staging", "dev", "data-lake", "shared-services", "network", "qa", "analytics", "ml-platform", "backup", "sandbox"}
	estPS       = []string{"AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "DevOps", "DataEngineer", "SecurityAudit", "Billing", "IdentityAdmins"}
	groupNames  = []string{"PlatformAdmins", "SecurityAdmins", "BreakGlass", "IdentityAdmins", "Developers", "DataAnalysts", "Support", "Finance", "QA", "Contractors", "SRE", "Interns"}
	corpIPs     = []string{"198.51.100.23", "198.51.100.87", "203.0.113.14", "203.0.113.201", "192.0.2.66", "100.24.18.9"}
	awsIPs      = []string{"3.91.22.140", "54.86.11.203", "18.232.7.54", "44.201.9.17", "52.23.160.8", "34.229.88.12"}
)

const (
	uaChrome    = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"
	uaFirefox   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:144.0) Gecko/20100101 Firefox/144.0"
	uaCLI       = "aws-cli/2.31.4 md/awscrt#0.27.6 ua/2.1 os/linux#6.8.0-85-generic md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/E,Z,b cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off"
	uaBoto      = "Boto3/1.40.55 md/Botocore#1.40.55 ua/2.1 os/linux#5.10.240-238.959.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.11 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.40.55"
	uaGoSDK     = "aws-sdk-go-v2/1.39.2 ua/2.1 os/linux lang/go#1.25.3 md/GOOS#linux md/GOARCH#amd64 api/sts#1.38.6 m/E,g"
	uaTerraform = "APN/1.0 HashiCorp/1.0 Terraform/1.13.4 (+https://www.terraform.io) terraform-provider-aws/6.18.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.39.2 ua/2.1 os/linux lang/go#1.24.6 md/GOOS#linux md/GOARCH#amd64 api/ssoadmin#1.36.3 m/C"
	uaSSM       = "aws-sdk-go/1.55.7 (go1.23.11; linux; amd64) amazon-ssm-agent/3.3.2958.0"
	uaDatadog   = "Datadog/1.0 (+https://www.datadoghq.com) aws-sdk-go-v2/1.36.3"
)

func (o *org) roleSuffix(ps, acct string) string {
	h := fnv.New64a()
	h.Write([]byte(strconv.FormatInt(o.seed, 10) + "|" + ps + "|" + acct))
	s := strconv.FormatUint(h.Sum64(), 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s
}

// ssoRoleName is the role a permission set becomes in a member account.
func (o *org) ssoRoleName(ps, acct string) string {
	return "AWSReservedSSO_" + ps + "_" + o.roleSuffix(ps, acct)
}

func (o *org) ssoRolePath() string { return "/aws-reserved/sso.amazonaws.com/" + o.home + "/" }

func (o *org) ssoRoleArn(ps, acct string) string {
	return "arn:aws:iam::" + acct + ":role" + o.ssoRolePath() + o.ssoRoleName(ps, acct)
}

func (o *org) psArn(r *rand.Rand) string {
	return "arn:aws:sso:::permissionSet/" + o.instanceID + "/ps-" + string(appendHex(nil, r, 16))
}

func (o *org) groupByName(name string) group {
	for _, g := range o.groups {
		if g.name == name {
			return g
		}
	}
	return o.groups[0]
}

func (o *org) psByName(name string) permSet {
	for _, p := range o.established {
		if p.name == name {
			return p
		}
	}
	return o.established[0]
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func newOrg(seed int64, nMembers int, regions []string, orgID string) *org {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6f7267)) // "org"
	o := &org{seed: seed, regions: regions, home: regions[0]}
	for _, reg := range regions {
		if reg == "us-east-1" {
			o.home = reg
		}
	}
	o.id = orgID
	if o.id == "" {
		o.id = "o-" + randFrom(r, "abcdefghijklmnopqrstuvwxyz0123456789", 10)
	}
	o.instanceID = "ssoins-" + string(appendHex(nil, r, 16))
	o.instanceArn = "arn:aws:sso:::instance/" + o.instanceID
	storeHex := string(appendHex(nil, r, 10))
	o.storeID = "d-" + storeHex

	seen := map[string]bool{}
	for i := 0; i < nMembers+2; i++ {
		id := strconv.Itoa(1+r.IntN(9)) + string(appendFrom(nil, r, "0123456789", 11))
		if seen[id] {
			i--
			continue
		}
		seen[id] = true
		a := &account{id: id, kind: kindMember, weight: 0.4 + 1.8*r.Float64()}
		switch i {
		case 0:
			a.kind, a.name, a.sensitive, a.weight = kindMgmt, "management", true, 1.2
		case 1:
			a.kind, a.name, a.sensitive, a.weight = kindSecurity, "security-log-archive", true, 1.8
		default:
			a.name = memberNames[(i-2)%len(memberNames)]
			if i-2 >= len(memberNames) {
				a.name += "-" + strconv.Itoa(i-2)
			}
		}
		o.accounts = append(o.accounts, a)
	}
	o.mgmt, o.security = o.accounts[0], o.accounts[1]
	o.prod = o.mgmt
	if len(o.accounts) > 2 {
		o.prod = o.accounts[2]
		o.prod.sensitive, o.prod.weight = true, 2.0
	}
	o.storeArn = "arn:aws:identitystore::" + o.mgmt.id + ":identitystore/" + o.storeID

	newUserID := func() string {
		if r.IntN(10) < 7 {
			return storeHex + "-" + newUUID(r)
		}
		return newUUID(r)
	}
	o.users = append(o.users, idcUser{newUserID(), "alice@example.com"}, idcUser{newUserID(), "bob@example.com"})
	o.mallory = idcUser{newUserID(), "mallory@example.com"}
	o.users = append(o.users, o.mallory)
	for _, f := range firstNames {
		o.users = append(o.users, idcUser{newUserID(), f + "." + pick(r, lastNames) + "@example.com"})
	}
	for i, n := range groupNames {
		o.groups = append(o.groups, group{id: newUUID(r), name: n, privileged: i < 3})
	}
	for _, n := range estPS {
		o.established = append(o.established, permSet{name: n, arn: o.psArn(r)})
	}
	o.buildActors(r)
	return o
}
