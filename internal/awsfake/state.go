package awsfake

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// state is what the server knows. The Identity Center facts live in an
// idc.Model (so Model() can hand them back); what the model has no place
// for (OU ids, stale provisioning, async requests, SCPs) lives beside it.
type state struct {
	m         *idc.Model
	partition string
	orgID     string
	rootID    string
	ous       map[string]*orgUnit // by OU id
	parentOf  map[string]string   // account or OU id -> parent id
	// stale marks permission sets changed since their last provisioning
	// to an account (ps ARN -> account id).
	stale    map[string]map[string]bool
	requests map[string]*asyncRequest
	policies []*OrgPolicy
	seq      int
	created  time.Time
}

type orgUnit struct {
	ID, Name, Parent string
}

// OrgPolicy is an organizations policy created through the server.
type OrgPolicy struct {
	ID, ARN, Name, Description, Type, Content string
	Targets                                   []string
}

func newState(seed *idc.Model) *state {
	m := copyModel(seed)
	if m.InstanceARN == "" {
		m.InstanceARN = "arn:aws:sso:::instance/ssoins-7223000000000001"
	}
	if m.IdentityStoreID == "" {
		m.IdentityStoreID = "d-9067000001"
	}
	st := &state{
		m:         m,
		partition: partitionOf(m.InstanceARN),
		orgID:     "o-fake000001",
		rootID:    "r-fk01",
		ous:       map[string]*orgUnit{},
		parentOf:  map[string]string{},
		stale:     map[string]map[string]bool{},
		requests:  map[string]*asyncRequest{},
		created:   time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	for _, g := range slices.Sorted(maps.Keys(m.Memberships)) {
		for i := range m.Memberships[g] {
			if m.Memberships[g][i].MembershipID == "" {
				m.Memberships[g][i].MembershipID = st.uuid()
			}
		}
	}
	for _, a := range m.Assignments {
		if ps := m.PermissionSets[a.PermissionSetARN]; ps != nil && !slices.Contains(ps.ProvisionedTo, a.AccountID) {
			ps.ProvisionedTo = append(ps.ProvisionedTo, a.AccountID)
		}
	}
	for _, ps := range m.PermissionSets {
		sort.Strings(ps.ProvisionedTo)
	}
	st.buildTree()
	return st
}

// copyModel deep-copies through JSON, so fields added to idc.Model later
// are carried without changes here.
func copyModel(m *idc.Model) *idc.Model {
	out := idc.New("awsfake")
	if m == nil {
		return out
	}
	b, err := json.Marshal(m)
	if err == nil {
		err = json.Unmarshal(b, out)
	}
	if err != nil {
		return idc.New("awsfake")
	}
	if out.Accounts == nil {
		out.Accounts = map[string]*idc.Account{}
	}
	if out.Users == nil {
		out.Users = map[string]*idc.User{}
	}
	if out.Groups == nil {
		out.Groups = map[string]*idc.Group{}
	}
	if out.PermissionSets == nil {
		out.PermissionSets = map[string]*idc.PermissionSet{}
	}
	if out.Memberships == nil {
		out.Memberships = map[string][]idc.Membership{}
	}
	return out
}

func (st *state) model() *idc.Model { return copyModel(st.m) }

// buildTree turns each account's OUPath ("Root/Workloads/Prod") into
// organizational units under the single root, named by path segment.
func (st *state) buildTree() {
	byPath := map[string]string{"": st.rootID}
	for _, id := range slices.Sorted(maps.Keys(st.m.Accounts)) {
		segs := strings.Split(st.m.Accounts[id].OUPath, "/")
		if segs[0] == "Root" {
			segs = segs[1:]
		}
		parent, path := st.rootID, ""
		for _, name := range segs {
			if name == "" {
				continue
			}
			path += "/" + name
			ouID, ok := byPath[path]
			if !ok {
				ouID = fmt.Sprintf("ou-%s-%08x", st.rootID[2:], st.next())
				byPath[path] = ouID
				st.ous[ouID] = &orgUnit{ID: ouID, Name: name, Parent: parent}
				st.parentOf[ouID] = parent
			}
			parent = ouID
		}
		st.parentOf[id] = parent
	}
}

func (st *state) next() int { st.seq++; return st.seq }

// uuid returns a fresh, deterministic UUID-shaped id.
func (st *state) uuid() string {
	n := st.next()
	return fmt.Sprintf("%08x-7a3c-4e1f-9b2d-%012x", n, n)
}

func partitionOf(arn string) string {
	if p := strings.Split(arn, ":"); len(p) > 2 && strings.HasPrefix(arn, "arn:") && p[1] != "" {
		return p[1]
	}
	return "aws"
}

// markStale records that a permission set changed: every account it is
// provisioned to now runs an outdated copy until ProvisionPermissionSet.
func (st *state) markStale(ps *idc.PermissionSet) {
	for _, a := range ps.ProvisionedTo {
		if st.stale[ps.ARN] == nil {
			st.stale[ps.ARN] = map[string]bool{}
		}
		st.stale[ps.ARN][a] = true
	}
}

// epoch renders a time the way JSON 1.1 does: seconds since the epoch.
func epoch(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixMilli()) / 1000
}
