package access

import (
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/idc"
	"github.com/portcullis-sec/portcullis/internal/policy"
)

const (
	psAdmin = "arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-admin"
	psRead  = "arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-read"
)

// assignmentKeys renders assignments compactly: account>set>principal.
func assignmentKeys(as []idc.Assignment) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.AccountID[:1]+">"+a.PermissionSetARN[strings.LastIndex(a.PermissionSetARN, "/")+1:]+">"+a.PrincipalID)
	}
	return out
}

func TestIndexQuestions(t *testing.T) {
	g := fixture(t)
	m := g.Model()
	// A user listed twice in a group counts once.
	m.Memberships["g-devs"] = append(m.Memberships["g-devs"], idc.Membership{UserID: "u-carol"})
	x := NewIndex(m)
	tests := []struct {
		name      string
		got, want []string
	}{
		{"members in membership order, each once", x.Members("g-devs"), []string{"u-bob", "u-carol"}},
		{"members of an unknown group", x.Members("g-none"), nil},
		{"groups of a user, by id", x.GroupsOf("u-bob"), []string{"g-admins", "g-devs"}},
		{"groups of a user in none", x.GroupsOf("u-dave"), []string{}},
		{"every group named", x.Groups(), []string{"g-admins", "g-devs"}},
		{"a group's assignments in model order", assignmentKeys(x.GroupAssignments("g-devs")), []string{"3>ps-read>g-devs", "4>ps-dev>g-devs"}},
		{"a permission set's assignments, users and groups", assignmentKeys(x.PermissionSetAssignments(psRead)), []string{"3>ps-read>g-devs", "3>ps-read>u-bob", "4>ps-read>u-ghost"}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	for _, c := range []struct {
		group, user string
		want        bool
	}{{"g-admins", "u-alice", true}, {"g-devs", "u-alice", false}, {"g-devs", "u-ghost", false}, {"g-none", "u-bob", false}} {
		if got := x.IsMember(c.group, c.user); got != c.want {
			t.Errorf("IsMember(%s, %s) = %t", c.group, c.user, got)
		}
	}
	if lv := x.Analysis(psAdmin).Level; lv < policy.LevelAdmin {
		t.Errorf("admin set classified %s", lv)
	}
	if an := x.Analysis("arn:aws:sso:::permissionSet/ssoins-0000000000000001/ps-none"); an.Level != policy.LevelNone {
		t.Errorf("unknown set classified %s", an.Level)
	}
	// The duplicate membership adds no grant.
	if got, want := x.Expand().Len(), g.Len(); got != want {
		t.Errorf("%d grants after a duplicate membership, want %d", got, want)
	}
}

func TestUserGrantsTakesAnExactID(t *testing.T) {
	g := fixture(t)
	var got []string
	for _, a := range g.UserGrants("u-bob") {
		got = append(got, a.AccountID[:1]+">"+a.PermissionSetName+">"+via(a))
	}
	want := []string{"1>Admin>group admins", "3>Admin>group admins", "3>ReadOnly>direct", "3>ReadOnly>group devs", "4>Dev>group devs"}
	if !slices.Equal(got, want) {
		t.Errorf("bob's grants %q, want %q", got, want)
	}
	if gs := g.UserGrants("bob"); gs != nil {
		t.Errorf("a user name is not an id: %v", gs)
	}
}
