package idc

import (
	"cmp"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"
)

// The row form of a model: one fact per object (an account, a user, a
// group, a permission set, an assignment, a group membership) and one for
// the instance itself, each named by kind and key. A daemon stores the
// facts once and then, with change tracking on, only the ones an event
// moved, so saving the model costs what the event changed, not what the
// model holds.

// Fact kinds.
const (
	FactMeta          = "meta" // key "": instance, identity store, management and delegated admin, partial
	FactAccount       = "account"
	FactUser          = "user"
	FactGroup         = "group"
	FactPermissionSet = "permission_set"
	FactAssignment    = "assignment" // key Assignment.Key()
	FactMember        = "member"     // key group id + "|" + user id
)

// FactKey names one fact.
type FactKey struct{ Kind, Key string }

func memberKey(group, user string) string { return group + "|" + user }

// meta is the instance-level part of a model.
type meta struct {
	Schema              string    `json:"schema"`
	CapturedAt          time.Time `json:"captured_at,omitzero"`
	From                string    `json:"from"`
	InstanceARN         string    `json:"instance_arn,omitempty"`
	IdentityStoreID     string    `json:"identity_store_id,omitempty"`
	IdentitySource      string    `json:"identity_source,omitempty"`
	ManagementAccountID string    `json:"management_account_id,omitempty"`
	DelegatedAdminID    string    `json:"delegated_admin_account_id,omitempty"`
	Partial             bool      `json:"partial,omitempty"`
	Missing             []string  `json:"missing,omitempty"`
	Unknown             []string  `json:"unknown,omitempty"`
}

// memberFact is a membership with its group (the key says it too; the
// value carries it so a row reads on its own).
type memberFact struct {
	GroupID string `json:"group_id"`
	Membership
}

// TrackChanges starts recording which facts Apply and Learn change (see
// TakeChanges). Off by default: a hunt over a trail never reads them.
func (m *Model) TrackChanges() {
	if m.changed == nil {
		m.changed = map[FactKey]struct{}{}
	}
}

// TakeChanges returns the facts changed since tracking started or since
// the last call, sorted, and forgets them. A fact in the list may since
// have been deleted (EncodeFact says so).
func (m *Model) TakeChanges() []FactKey {
	if len(m.changed) == 0 {
		return nil
	}
	out := make([]FactKey, 0, len(m.changed))
	for k := range m.changed {
		out = append(out, k)
	}
	clear(m.changed)
	slices.SortFunc(out, func(a, b FactKey) int { return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Key, b.Key)) })
	return out
}

// touch records that a fact changed (or may have).
func (m *Model) touch(kind, key string) {
	if m.changed != nil {
		m.changed[FactKey{kind, key}] = struct{}{}
	}
}

func (m *Model) touchAssignment(x Assignment) { m.touch(FactAssignment, x.Key()) }

// EncodeFact returns a fact's current value; ok is false when the model no
// longer holds it.
func (m *Model) EncodeFact(k FactKey) (value []byte, ok bool, err error) {
	var v any
	switch k.Kind {
	case FactMeta:
		v = m.meta()
	case FactAccount:
		v, ok = nonNil(m.Accounts[k.Key])
	case FactUser:
		v, ok = nonNil(m.Users[k.Key])
	case FactGroup:
		v, ok = nonNil(m.Groups[k.Key])
	case FactPermissionSet:
		v, ok = nonNil(m.PermissionSets[k.Key])
	case FactAssignment:
		var i int
		if i, ok = m.index().assignment[k.Key]; ok {
			v = m.Assignments[i]
		}
	case FactMember:
		g, u, _ := strings.Cut(k.Key, "|")
		if i := slices.IndexFunc(m.Memberships[g], func(x Membership) bool { return x.UserID == u }); i >= 0 {
			v, ok = memberFact{GroupID: g, Membership: m.Memberships[g][i]}, true
		}
	default:
		return nil, false, fmt.Errorf("model fact %s %q: unknown kind", k.Kind, k.Key)
	}
	if k.Kind != FactMeta && !ok {
		return nil, false, nil
	}
	if value, err = json.Marshal(v); err != nil {
		return nil, false, fmt.Errorf("model fact %s %q: %w", k.Kind, k.Key, err)
	}
	return value, true, nil
}

func nonNil[T any](p *T) (any, bool) { return p, p != nil }

func (m *Model) meta() meta {
	return meta{Schema: m.Schema, CapturedAt: m.CapturedAt, From: m.From, InstanceARN: m.InstanceARN,
		IdentityStoreID: m.IdentityStoreID, IdentitySource: m.IdentitySource, ManagementAccountID: m.ManagementAccountID,
		DelegatedAdminID: m.DelegatedAdminID, Partial: m.Partial, Missing: m.Missing, Unknown: m.Unknown}
}

// EachFact calls fn with every fact of the model, instance first.
func (m *Model) EachFact(fn func(k FactKey, value []byte) error) error {
	emit := func(kind, key string) error {
		k := FactKey{kind, key}
		v, ok, err := m.EncodeFact(k)
		if err != nil || !ok {
			return err
		}
		return fn(k, v)
	}
	if err := emit(FactMeta, ""); err != nil {
		return err
	}
	for _, set := range []struct {
		kind string
		keys iter.Seq[string]
	}{
		{FactAccount, maps.Keys(m.Accounts)}, {FactUser, maps.Keys(m.Users)}, {FactGroup, maps.Keys(m.Groups)},
		{FactPermissionSet, maps.Keys(m.PermissionSets)},
	} {
		for k := range set.keys {
			if err := emit(set.kind, k); err != nil {
				return err
			}
		}
	}
	for _, x := range m.Assignments {
		if err := emit(FactAssignment, x.Key()); err != nil {
			return err
		}
	}
	for g, ms := range m.Memberships {
		for _, mb := range ms {
			if err := emit(FactMember, memberKey(g, mb.UserID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// FactLoader rebuilds a model from its facts, in any order.
type FactLoader struct {
	m        *Model
	sawMeta  bool
	assigned map[string]bool
}

// NewFactLoader starts an empty model.
func NewFactLoader() *FactLoader { return &FactLoader{m: New(""), assigned: map[string]bool{}} }

// Add decodes one fact into the model; the error names the fact.
func (l *FactLoader) Add(kind, key string, value []byte) error {
	var err error
	m := l.m
	switch kind {
	case FactMeta:
		var x meta
		if err = json.Unmarshal(value, &x); err == nil {
			l.sawMeta = true
			m.Schema, m.CapturedAt, m.From, m.InstanceARN = x.Schema, x.CapturedAt, x.From, x.InstanceARN
			m.IdentityStoreID, m.IdentitySource, m.ManagementAccountID = x.IdentityStoreID, x.IdentitySource, x.ManagementAccountID
			m.DelegatedAdminID, m.Partial, m.Missing, m.Unknown = x.DelegatedAdminID, x.Partial, x.Missing, x.Unknown
		}
	case FactAccount:
		err = addKeyed(m.Accounts, key, value, func(a *Account) *string { return &a.ID })
	case FactUser:
		err = addKeyed(m.Users, key, value, func(u *User) *string { return &u.ID })
	case FactGroup:
		err = addKeyed(m.Groups, key, value, func(g *Group) *string { return &g.ID })
	case FactPermissionSet:
		err = addKeyed(m.PermissionSets, key, value, func(ps *PermissionSet) *string { return &ps.ARN })
	case FactAssignment:
		var x Assignment
		if err = json.Unmarshal(value, &x); err == nil {
			switch {
			case x.Key() != key:
				err = fmt.Errorf("holds assignment %q", x.Key())
			case !l.assigned[key]:
				l.assigned[key] = true
				m.Assignments = append(m.Assignments, x)
			}
		}
	case FactMember:
		var x memberFact
		if err = json.Unmarshal(value, &x); err == nil {
			if memberKey(x.GroupID, x.UserID) != key {
				err = fmt.Errorf("holds member %q of group %q", x.UserID, x.GroupID)
			} else {
				m.Memberships[x.GroupID] = append(m.Memberships[x.GroupID], x.Membership)
			}
		}
	default:
		err = fmt.Errorf("unknown kind")
	}
	if err != nil {
		return fmt.Errorf("model fact %s %q: %w", kind, key, err)
	}
	return nil
}

func addKeyed[V any](m map[string]*V, key string, value []byte, id func(*V) *string) error {
	v := new(V)
	if err := json.Unmarshal(value, v); err != nil {
		return err
	}
	if got := *id(v); got != key {
		return fmt.Errorf("holds %q", got)
	}
	m[key] = v
	return nil
}

// Model returns the model the facts describe, indexed, with assignments
// and memberships in Write's order. Without an instance fact there is no
// model to return.
func (l *FactLoader) Model() (*Model, error) {
	if !l.sawMeta {
		return nil, fmt.Errorf("model facts: no %s fact", FactMeta)
	}
	m := l.m
	slices.SortFunc(m.Assignments, compareAssignments)
	for _, ms := range m.Memberships {
		slices.SortFunc(ms, compareMemberships)
	}
	m.Index()
	return m, nil
}
