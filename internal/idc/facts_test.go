package idc

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// factStore is what a daemon keeps: the model's facts by kind and key.
type factStore map[FactKey][]byte

func (s factStore) model(t *testing.T) *Model {
	t.Helper()
	l := NewFactLoader()
	for k, v := range s {
		if err := l.Add(k.Kind, k.Key, v); err != nil {
			t.Fatal(err)
		}
	}
	m, err := l.Model()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (s factStore) take(t *testing.T, m *Model) int {
	t.Helper()
	ch := m.TakeChanges()
	for _, k := range ch {
		v, ok, err := m.EncodeFact(k)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			s[k] = v
		} else {
			delete(s, k)
		}
	}
	return len(ch)
}

func written(t *testing.T, m *Model) string {
	t.Helper()
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestFactsFollowEveryChange: a model stored as facts once, then kept up to
// date with only the facts each event changed, reads back as the model
// itself, through thousands of random writes of every kind Apply knows
// (creates and deletes of the same objects, memberships through all three
// front doors, assignments, policies, tags, the delegated admin) and names
// learned from reads.
func TestFactsFollowEveryChange(t *testing.T) {
	for seed := range 4 {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			m := Synthetic(int64(seed), 6, 3, 4, 3, 12)
			if seed%2 == 1 {
				m.InstanceARN = "" // the first write names it
			} else {
				// facts the source could not show; a delegated-admin event learns one
				m.SetUnknown(FactDelegatedAdmin)
				m.SetUnknown(FactMemberships)
			}
			s := factStore{}
			if err := m.EachFact(func(k FactKey, v []byte) error { s[k] = v; return nil }); err != nil {
				t.Fatal(err)
			}
			if got, want := written(t, s.model(t)), written(t, m); got != want {
				t.Fatalf("the facts of a fresh model read back differently:\n%s\nwant\n%s", got, want)
			}
			m.TrackChanges()
			g := newEventGen(t, m, uint64(seed))
			changes := 0
			for i := range 2000 {
				ev := g.next(i)
				if ev == nil {
					continue
				}
				m.Apply(ev) // malformed writes are refused; partial effects must be tracked too
				if i%3 != 0 {
					continue
				}
				changes += s.take(t, m)
				if got, want := written(t, s.model(t)), written(t, m); got != want {
					t.Fatalf("event %d (%s): after %d changed facts the stored model differs:\n%s\nwant\n%s", i, ev.Name, changes, got, want)
				}
			}
			if changes == 0 {
				t.Fatal("no change was tracked")
			}
		})
	}
}

// A model without change tracking records nothing (a hunt never pays for it).
func TestFactsUntrackedByDefault(t *testing.T) {
	m := Synthetic(1, 3, 2, 2, 2, 4)
	g := newEventGen(t, m, 1)
	for i := range 200 {
		if ev := g.next(i); ev != nil {
			m.Apply(ev)
		}
	}
	if ch := m.TakeChanges(); ch != nil {
		t.Errorf("untracked model recorded %d changes", len(ch))
	}
}

func TestFactLoaderRefusesBadFacts(t *testing.T) {
	for _, c := range []struct{ kind, key, value, want string }{
		{FactUser, "u-1", `{"id":"u-2"}`, `model fact user "u-1": holds "u-2"`},
		{FactAssignment, "x", `{"account_id":"1"}`, `model fact assignment "x": holds assignment`},
		{FactMember, "g|u", `{"group_id":"g","user_id":"v"}`, `model fact member "g|u": holds member "v"`},
		{FactGroup, "g", `not json`, `model fact group "g"`},
		{"planet", "p", `{}`, `model fact planet "p": unknown kind`},
	} {
		err := NewFactLoader().Add(c.kind, c.key, []byte(c.value))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s %s: err = %v, want %q", c.kind, c.key, err, c.want)
		}
	}
	if _, err := NewFactLoader().Model(); err == nil {
		t.Error("a model without its instance fact was accepted")
	}
}

// eventGen writes random Identity Center events over small pools of ids,
// so creates, updates and deletes keep hitting the same objects.
type eventGen struct {
	t                   *testing.T
	m                   *Model
	rng                 *rand.Rand
	ps, users, groups   []string
	accounts, mids      []string
	managed, tags, refs []string
}

func newEventGen(t *testing.T, m *Model, seed uint64) *eventGen {
	g := &eventGen{t: t, m: m, rng: rand.New(rand.NewPCG(seed, 99)),
		managed: []string{"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		tags:    []string{"team", "env"}, refs: []string{"pol-a", "pol-b"}}
	for k := range m.PermissionSets {
		g.ps = append(g.ps, k)
	}
	for k := range m.Users {
		g.users = append(g.users, k)
	}
	for k := range m.Groups {
		g.groups = append(g.groups, k)
	}
	for k := range m.Accounts {
		g.accounts = append(g.accounts, k)
	}
	g.ps = append(g.ps, "arn:aws:sso:::permissionSet/ssoins-1/ps-new1", "arn:aws:sso:::permissionSet/ssoins-1/ps-new2")
	g.users = append(g.users, "u-new-1", "u-new-2")
	g.groups = append(g.groups, "g-new-1")
	g.accounts = append(g.accounts, "999999999999")
	g.mids = []string{"m-1", "m-2", "m-3"}
	return g
}

func (g *eventGen) pick(s []string) string { return s[g.rng.IntN(len(s))] }

func (g *eventGen) next(i int) *cloudtrail.Event {
	ps, u, grp, acct := g.pick(g.ps), g.pick(g.users), g.pick(g.groups), g.pick(g.accounts)
	id := fmt.Sprintf("ev-%d", i)
	req := func(kv string) string {
		return fmt.Sprintf(`{"instanceArn":"arn:aws:sso:::instance/ssoins-1","permissionSetArn":%q%s}`, ps, kv)
	}
	sso := func(name, r, resp string) *cloudtrail.Event { return event(g.t, SourceSSO, name, id, "", r, resp) }
	ids := func(name, r, resp string) *cloudtrail.Event {
		return event(g.t, SourceIdentityStore, name, id, "", r, resp)
	}
	assign := fmt.Sprintf(`,"targetId":%q,"targetType":"AWS_ACCOUNT","principalType":%q,"principalId":%q`, acct, []string{"USER", "GROUP"}[i%2], []string{u, grp}[i%2])
	switch g.rng.IntN(27) {
	case 0:
		return sso("CreatePermissionSet", fmt.Sprintf(`{"name":"PS-%d","sessionDuration":"PT2H","tags":[{"key":%q,"value":"v%d"}]}`, i, g.pick(g.tags), i),
			fmt.Sprintf(`{"permissionSet":{"permissionSetArn":%q,"name":"PS-%d"}}`, ps, i))
	case 1:
		return sso("UpdatePermissionSet", req(fmt.Sprintf(`,"description":"d%d","relayState":"https://r/%d"`, i, i%3)), "")
	case 2:
		return sso("DeletePermissionSet", req(""), "")
	case 3, 4:
		return sso([]string{"AttachManagedPolicyToPermissionSet", "DetachManagedPolicyFromPermissionSet"}[i%2], req(fmt.Sprintf(`,"managedPolicyArn":%q`, g.pick(g.managed))), "")
	case 5, 6:
		return sso([]string{"AttachCustomerManagedPolicyReferenceToPermissionSet", "DetachCustomerManagedPolicyReferenceFromPermissionSet"}[i%2],
			req(fmt.Sprintf(`,"customerManagedPolicyReference":{"name":%q,"path":"/"}`, g.pick(g.refs))), "")
	case 7:
		return sso("PutInlinePolicyToPermissionSet", req(fmt.Sprintf(`,"inlinePolicy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"s%d\"}]}"`, i%4)), "")
	case 8:
		return sso([]string{"DeleteInlinePolicyFromPermissionSet", "DeletePermissionsBoundaryFromPermissionSet"}[i%2], req(""), "")
	case 9:
		return sso("PutPermissionsBoundaryToPermissionSet", req(fmt.Sprintf(`,"permissionsBoundary":{"customerManagedPolicyReference":{"name":%q}}`, g.pick(g.refs))), "")
	case 10:
		return sso("ProvisionPermissionSet", req(fmt.Sprintf(`,"targetType":"AWS_ACCOUNT","targetId":%q`, acct)), "")
	case 11, 12, 13:
		return sso([]string{"CreateAccountAssignment", "DeleteAccountAssignment"}[g.rng.IntN(2)], req(assign), "")
	case 14:
		if i%2 == 0 {
			return sso("TagResource", fmt.Sprintf(`{"resourceArn":%q,"tags":[{"key":%q,"value":"x%d"}]}`, ps, g.pick(g.tags), i%3), "")
		}
		return sso("UntagResource", fmt.Sprintf(`{"resourceArn":%q,"tagKeys":[%q]}`, ps, g.pick(g.tags)), "")
	case 15:
		return ids("CreateUser", fmt.Sprintf(`{"userName":"user-%d","displayName":"U %d"}`, i, i), fmt.Sprintf(`{"userId":%q}`, u))
	case 16:
		return ids("UpdateUser", fmt.Sprintf(`{"userId":%q,"operations":[{"attributePath":"%s","attributeValue":"n%d"}]}`, u, []string{"userName", "displayName", "emails"}[i%3], i), "")
	case 17:
		return ids("DeleteUser", fmt.Sprintf(`{"userId":%q}`, u), "")
	case 18:
		return ids("CreateGroup", fmt.Sprintf(`{"displayName":"grp-%d"}`, i), fmt.Sprintf(`{"groupId":%q}`, grp))
	case 19:
		if i%3 == 0 {
			return ids("DeleteGroup", fmt.Sprintf(`{"groupId":%q}`, grp), "")
		}
		return ids("UpdateGroup", fmt.Sprintf(`{"groupId":%q,"operations":[{"attributePath":%q,"attributeValue":"grp-%d"}]}`, grp, []string{"displayName", "description"}[i%2], i), "")
	case 20:
		return ids("CreateGroupMembership", fmt.Sprintf(`{"groupId":%q,"memberId":{"userId":%q}}`, grp, u), fmt.Sprintf(`{"membershipId":%q}`, g.pick(g.mids)))
	case 21:
		return ids("DeleteGroupMembership", fmt.Sprintf(`{"membershipId":%q}`, g.pick(g.mids)), "")
	case 22:
		return event(g.t, SourceDirectory, []string{"AddMemberToGroup", "RemoveMemberFromGroup"}[i%2], id, "", fmt.Sprintf(`{"groupId":%q,"member":{"memberId":%q}}`, grp, u), "")
	case 23:
		op := []string{
			`{"op":"add","path":"members","value":[{"value":%q}]}`, `{"op":"remove","path":"members[value eq \"%s\"]"}`,
			`{"op":"replace","path":"members","value":[{"value":%q}]}`, `{"op":"remove","path":"members"%.0s}`,
			`{"op":"replace","value":{"displayName":"scim-%s"}}`,
		}[i%5]
		return event(g.t, SourceSCIM, "PatchGroup", id, "", fmt.Sprintf(`{"groupId":%q,"httpBody":{"Operations":[`+op+`]}}`, grp, u), "")
	case 24:
		return event(g.t, SourceOrganizations, []string{"RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator"}[i%2], id, "",
			fmt.Sprintf(`{"servicePrincipal":"sso.amazonaws.com","accountId":%q}`, acct), "")
	case 25: // a read teaches a name
		if i%2 == 0 {
			g.m.Learn(nil, &Group{ID: grp, DisplayName: fmt.Sprintf("learned-%d", i)})
		} else {
			g.m.Learn(&PermissionSet{ARN: ps, Name: fmt.Sprintf("learned-%d", i)}, nil)
		}
		return nil
	default:
		return event(g.t, SourceSCIM, "CreateUser", id, "", fmt.Sprintf(`{"httpBody":{"userName":"scim-%d","externalId":"x%d"}}`, i, i), fmt.Sprintf(`{"id":%q}`, u))
	}
}
