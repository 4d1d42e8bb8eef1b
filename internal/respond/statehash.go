package respond

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// StateDigest is what a plan's steps depend on in the state it was built
// from, object by object, so applying a reviewed plan later can refuse when
// the live state moved and say what moved. Objects maps a key (kind:id) to
// the digest of that object as the plan saw it ("absent" when it did not
// exist); Hash covers them all.
//
// Keys: instance; permission-set:ARN (name, policies, boundary, session
// duration, accounts provisioned to); assignments-of-permission-set:ARN;
// assignments-of-principal:TYPE:ID; members-of-group:ID; groups-of-user:ID.
type StateDigest struct {
	Hash    string            `json:"hash"`
	Objects map[string]string `json:"objects"`
}

// StateChange is one object whose live digest differs from the plan's.
type StateChange struct {
	Key, Planned, Live string
}

// StateChangedError refuses a plan whose state moved.
type StateChangedError struct {
	Plan    string
	Changes []StateChange
}

func (e *StateChangedError) Error() string {
	var parts []string
	for _, c := range e.Changes {
		what := "changed"
		switch {
		case c.Planned == absent:
			what = "changed (it did not exist when the plan was built)"
		case c.Live == absent:
			what = "changed (it no longer exists)"
		}
		parts = append(parts, describeKey(c.Key)+" "+what)
	}
	return fmt.Sprintf("plan %s: the live state differs from the state the plan was built from (%s): refusing to apply it; build the plan again against the live state and review it",
		e.Plan, strings.Join(parts, "; "))
}

const absent = "absent"

func describeKey(k string) string {
	kind, id, _ := strings.Cut(k, ":")
	switch kind {
	case "permission-set":
		return "permission set " + id
	case "assignments-of-permission-set":
		return "the assignments of permission set " + id
	case "assignments-of-principal":
		return "the assignments of " + strings.ToLower(strings.Replace(id, ":", " ", 1))
	case "members-of-group":
		return "the members of group " + id
	case "groups-of-user":
		return "the groups of user " + id
	}
	return k
}

// stateKeys lists the objects a plan depends on: its subject and every
// permission set, principal, group and user its calls name.
func stateKeys(p *ContainmentPlan) []string {
	keys := map[string]bool{"instance": true}
	addPS := func(arn string) {
		if arn != "" {
			keys["permission-set:"+arn] = true
			keys["assignments-of-permission-set:"+arn] = true
		}
	}
	addUser := func(id string) {
		if id != "" {
			keys["assignments-of-principal:USER:"+id] = true
			keys["groups-of-user:"+id] = true
		}
	}
	addGroup := func(id string) {
		if id != "" {
			keys["assignments-of-principal:GROUP:"+id] = true
			keys["members-of-group:"+id] = true
		}
	}
	s := p.Subject
	addPS(s.PermissionSetARN)
	switch s.PrincipalType {
	case "USER":
		addUser(s.PrincipalID)
	case "GROUP":
		addGroup(s.PrincipalID)
	}
	addGroup(s.GroupID)
	for _, st := range p.Steps {
		if st.Call == nil {
			continue
		}
		str := func(k string) string { v, _ := st.Call.Params[k].(string); return v }
		addPS(str("PermissionSetArn"))
		switch str("PrincipalType") {
		case "USER":
			addUser(str("PrincipalId"))
		case "GROUP":
			addGroup(str("PrincipalId"))
		}
		addGroup(str("GroupId"))
		if m, ok := st.Call.Params["MemberId"].(map[string]string); ok {
			addUser(m["UserId"])
		}
	}
	return slices.Sorted(maps.Keys(keys))
}

// digestState computes the plan's state digest against m.
func digestState(p *ContainmentPlan, m *idc.Model) (*StateDigest, error) {
	d := &StateDigest{Objects: map[string]string{}}
	for _, k := range stateKeys(p) {
		v, err := objectDigest(k, m)
		if err != nil {
			return nil, err
		}
		d.Objects[k] = v
	}
	b, err := json.Marshal(d.Objects) // map keys marshal sorted
	if err != nil {
		return nil, fmt.Errorf("state digest: %w", err)
	}
	d.Hash = "sha256:" + sha256Hex(string(b))
	return d, nil
}

// objectDigest is the digest of one keyed object in m.
func objectDigest(key string, m *idc.Model) (string, error) {
	kind, id, _ := strings.Cut(key, ":")
	var v any
	switch kind {
	case "instance":
		v = []string{m.InstanceARN, m.IdentityStoreID}
	case "permission-set":
		ps, ok := m.PermissionSets[id]
		if !ok {
			return absent, nil
		}
		managed := slices.Sorted(slices.Values(ps.ManagedPolicies))
		prov := slices.Sorted(slices.Values(ps.ProvisionedTo))
		var cm []string
		for _, r := range ps.CustomerManagedPolicies {
			cm = append(cm, r.Path+r.Name)
		}
		slices.Sort(cm)
		v = struct {
			Name, Session, Inline string
			Managed, Customer     []string
			Boundary              *idc.PolicyRef
			Provisioned           []string
		}{ps.Name, ps.SessionDuration, ps.InlinePolicy, managed, cm, ps.PermissionsBoundary, prov}
	case "assignments-of-permission-set":
		v = assignmentKeys(m, func(a idc.Assignment) bool { return a.PermissionSetARN == id })
	case "assignments-of-principal":
		typ, pid, _ := strings.Cut(id, ":")
		v = assignmentKeys(m, func(a idc.Assignment) bool { return a.PrincipalType == typ && a.PrincipalID == pid })
	case "members-of-group":
		if _, ok := m.Groups[id]; !ok {
			return absent, nil
		}
		var users []string
		for _, mb := range m.Memberships[id] {
			users = append(users, mb.UserID)
		}
		slices.Sort(users)
		v = users
	case "groups-of-user":
		if _, ok := m.Users[id]; !ok {
			return absent, nil
		}
		var groups []string
		for gid, ms := range m.Memberships {
			if slices.ContainsFunc(ms, func(mb idc.Membership) bool { return mb.UserID == id }) {
				groups = append(groups, gid)
			}
		}
		slices.Sort(groups)
		v = groups
	default:
		return "", fmt.Errorf("state digest: unknown object key %q", key)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("state digest %s: %w", key, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

func assignmentKeys(m *idc.Model, keep func(idc.Assignment) bool) []string {
	out := []string{}
	for _, a := range m.Assignments {
		if keep(a) {
			out = append(out, a.Key())
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// CheckState compares the state the plan was built from with live, the
// state read just before applying it. It returns a *StateChangedError
// naming every object that moved, or an error for a plan without a digest.
func CheckState(p *ContainmentPlan, live *idc.Model) error {
	if p.State == nil || len(p.State.Objects) == 0 {
		return fmt.Errorf("plan %s carries no state digest (built by an older portcullis?): build it again", p.Hash)
	}
	if live == nil {
		return fmt.Errorf("plan %s: no live state to check it against", p.Hash)
	}
	if live.InstanceARN != p.InstanceARN {
		return fmt.Errorf("plan %s is for instance %s, the live state is instance %s", p.Hash, p.InstanceARN, live.InstanceARN)
	}
	var changes []StateChange
	for _, k := range slices.Sorted(maps.Keys(p.State.Objects)) {
		got, err := objectDigest(k, live)
		if err != nil {
			return fmt.Errorf("plan %s: %w", p.Hash, err)
		}
		if want := p.State.Objects[k]; got != want {
			changes = append(changes, StateChange{Key: k, Planned: want, Live: got})
		}
	}
	if len(changes) > 0 {
		return &StateChangedError{Plan: p.Hash, Changes: changes}
	}
	return nil
}
