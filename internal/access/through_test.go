package access

import (
	"slices"
	"strings"
	"testing"
)

func TestThroughListsGrantsOnPathsThroughANode(t *testing.T) {
	g := fixture(t)
	for _, tc := range []struct {
		kind, id string
		want     []string
	}{
		{KindUser, "carol", []string{"carol>3>ReadOnly>group devs", "carol>4>Admin>direct", "carol>4>Dev>group devs"}},
		{KindGroup, "devs", []string{"bob>3>ReadOnly>group devs", "bob>4>Dev>group devs", "carol>3>ReadOnly>group devs", "carol>4>Dev>group devs"}},
		{KindPermissionSet, "Admin", []string{"alice>1>Admin>group admins", "alice>3>Admin>group admins", "bob>1>Admin>group admins", "bob>3>Admin>group admins", "carol>4>Admin>direct"}},
		// The management account: the grants into it, not everything it controls.
		{KindAccount, "111111111111", []string{"alice>1>Admin>group admins", "bob>1>Admin>group admins"}},
	} {
		t.Run(tc.kind+":"+tc.id, func(t *testing.T) {
			r, err := g.Through(tc.kind, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if got := paths(r); !slices.Equal(got, tc.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	for _, bad := range [][2]string{{KindGroup, "nope"}, {"role", "x"}, {KindUser, "nobody"}} {
		if _, err := g.Through(bad[0], bad[1]); err == nil {
			t.Errorf("Through(%s, %s) succeeded", bad[0], bad[1])
		}
	}
}
