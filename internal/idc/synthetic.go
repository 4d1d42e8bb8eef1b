package idc

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Synthetic builds a deterministic, plausible instance for demos and
// benchmarks: the same seed and sizes give the same model. Shape choices:
// account 0 is the management account and account 1 the delegated admin;
// each user is in 1–4 groups, picked with a skew so a few groups are large;
// about 80% of assignments go to groups; the first permission sets carry
// well-known AWS managed policies (AdministratorAccess among them), the rest
// mix managed, inline and customer-managed policies.
func Synthetic(seed int64, users, groups, accounts, permissionSets, assignments int) *Model {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	const src = Source("synthetic")
	m := New("synthetic")
	m.CapturedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	inst := fmt.Sprintf("ssoins-%016x", rng.Uint64())
	m.InstanceARN = "arn:aws:sso:::instance/" + inst
	m.IdentityStoreID = fmt.Sprintf("d-%010x", rng.Uint64()&0xffffffffff)
	m.IdentitySource = "external_idp"

	acctIDs := make([]string, accounts)
	ous := []string{"Root/Workloads/Prod", "Root/Workloads/NonProd", "Root/Sandbox", "Root/Infrastructure"}
	for i := range accounts {
		id := fmt.Sprintf("%012d", 100000000000+i*7919)
		acctIDs[i] = id
		a := &Account{ID: id, Name: fmt.Sprintf("workload-%04d", i), OUPath: ous[i%len(ous)], Status: "ACTIVE", Source: src}
		a.Email = "aws+" + a.Name + "@example.com"
		switch i {
		case 0:
			a.Name, a.OUPath, a.Management = "management", "Root", true
			m.ManagementAccountID = id
		case 1:
			a.Name, a.OUPath, a.DelegatedAdmin = "identity", "Root/Security", true
			m.DelegatedAdminID = id
		case 2:
			a.Name, a.OUPath = "log-archive", "Root/Security"
		}
		m.Accounts[id] = a
	}

	userIDs := make([]string, users)
	for i := range users {
		id := fmt.Sprintf("%010x-%s", rng.Uint64()&0xffffffffff, uuid(rng))
		userIDs[i] = id
		m.Users[id] = &User{ID: id, UserName: fmt.Sprintf("user%05d@example.com", i), DisplayName: fmt.Sprintf("User %05d", i), Email: fmt.Sprintf("user%05d@example.com", i), ExternalID: fmt.Sprintf("ext-%05d", i), Source: src}
	}
	groupIDs := make([]string, groups)
	for i := range groups {
		id := fmt.Sprintf("%010x-%s", rng.Uint64()&0xffffffffff, uuid(rng))
		groupIDs[i] = id
		m.Groups[id] = &Group{ID: id, DisplayName: fmt.Sprintf("group-%04d", i), Source: src}
	}
	if groups > 0 {
		for _, u := range userIDs {
			for range 1 + rng.IntN(4) {
				g := groupIDs[skewed(rng, groups)]
				if !hasMember(m.Memberships[g], u) {
					m.Memberships[g] = append(m.Memberships[g], Membership{UserID: u, MembershipID: uuid(rng), Source: src})
				}
			}
		}
	}

	psARNs := make([]string, permissionSets)
	for i := range permissionSets {
		arn := fmt.Sprintf("arn:aws:sso:::permissionSet/%s/ps-%016x", inst, rng.Uint64())
		psARNs[i] = arn
		m.PermissionSets[arn] = synthPS(rng, i, arn, src)
	}

	if len(psARNs) > 0 && len(acctIDs) > 0 && (users > 0 || groups > 0) {
		seen := make(map[string]bool, assignments)
		for tries := 0; len(m.Assignments) < assignments && tries < assignments*20; tries++ {
			a := Assignment{AccountID: acctIDs[rng.IntN(len(acctIDs))], PermissionSetARN: psARNs[rng.IntN(len(psARNs))], Source: src}
			if groups > 0 && (users == 0 || rng.IntN(10) < 8) {
				a.PrincipalType, a.PrincipalID = "GROUP", groupIDs[rng.IntN(groups)]
			} else {
				a.PrincipalType, a.PrincipalID = "USER", userIDs[rng.IntN(users)]
			}
			if seen[a.Key()] {
				continue
			}
			seen[a.Key()] = true
			m.Assignments = append(m.Assignments, a)
			m.provisioned(m.PermissionSets[a.PermissionSetARN], a.AccountID, src)
		}
	}
	m.Index()
	return m
}

var synthManaged = []string{
	"arn:aws:iam::aws:policy/ReadOnlyAccess",
	"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
	"arn:aws:iam::aws:policy/PowerUserAccess",
	"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
	"arn:aws:iam::aws:policy/AmazonEC2FullAccess",
	"arn:aws:iam::aws:policy/job-function/Billing",
	"arn:aws:iam::aws:policy/SecurityAudit",
	"arn:aws:iam::aws:policy/AWSSupportAccess",
}

func synthPS(rng *rand.Rand, i int, arn string, src Source) *PermissionSet {
	ps := &PermissionSet{ARN: arn, Name: fmt.Sprintf("PS-%03d", i), SessionDuration: "PT1H", Source: src,
		CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)}
	switch {
	case i == 0:
		ps.Name, ps.SessionDuration = "AdministratorAccess", "PT12H"
		ps.ManagedPolicies = []string{"arn:aws:iam::aws:policy/AdministratorAccess"}
	case i == 1:
		ps.Name = "ReadOnlyAccess"
		ps.ManagedPolicies = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
	case i%20 == 7: // a hand-written admin
		ps.InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	case i%20 == 13: // privilege escalation through IAM
		ps.InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","iam:CreateAccessKey"],"Resource":"*"}]}`
	default:
		ps.ManagedPolicies = []string{synthManaged[rng.IntN(len(synthManaged))]}
		if rng.IntN(4) == 0 {
			ps.CustomerManagedPolicies = []PolicyRef{{Name: fmt.Sprintf("team-%03d", i), Path: "/"}}
		}
	}
	return ps
}

// skewed picks an index in [0,n) favouring low indexes, so group sizes
// follow a long tail as in real directories.
func skewed(rng *rand.Rand, n int) int {
	f := rng.Float64()
	return int(f * f * float64(n))
}

func hasMember(ms []Membership, u string) bool {
	for _, x := range ms {
		if x.UserID == u {
			return true
		}
	}
	return false
}

func uuid(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, a>>16&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}
