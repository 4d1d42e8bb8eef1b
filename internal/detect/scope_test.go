package detect

import (
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

func TestScope(t *testing.T) {
	sso := "sso.amazonaws.com"
	cases := []struct {
		name string
		in   []cloudtrail.Interest
		at   place
		want bool
	}{
		{"named event", []cloudtrail.Interest{{Source: sso, Names: []string{"A", "B"}}}, place{sso, "B"}, true},
		{"other name", []cloudtrail.Interest{{Source: sso, Names: []string{"A"}}}, place{sso, "C"}, false},
		{"other source", []cloudtrail.Interest{{Source: sso, Names: []string{"A"}}}, place{"sts.amazonaws.com", "A"}, false},
		{"names add up", []cloudtrail.Interest{{Source: sso, Names: []string{"A"}}, {Source: sso, Names: []string{"C"}}}, place{sso, "C"}, true},
		{"every name wins after", []cloudtrail.Interest{{Source: sso, Names: []string{"A"}}, {Source: sso}}, place{sso, "Z"}, true},
		{"every name wins before", []cloudtrail.Interest{{Source: sso}, {Source: sso, Names: []string{"A"}}}, place{sso, "Z"}, true},
		{"prefixes mean every name", []cloudtrail.Interest{{Source: sso, NamePrefixes: []string{"Create"}}}, place{sso, "Delete"}, true},
		{"a rule's case does not matter", []cloudtrail.Interest{{Source: "SSO.amazonaws.com", Names: []string{"createaccountassignment"}}}, place{sso, "CreateAccountAssignment"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scope{}
			for _, in := range c.in {
				s.add(in)
			}
			if got := s.holds(placeOf(&cloudtrail.Event{Source: c.at.source, Name: c.at.name})); got != c.want {
				t.Errorf("holds(%v) = %v, want %v (scope %v)", c.at, got, c.want, s)
			}
		})
	}
	if !scope(nil).holds(place{"any", "thing"}) {
		t.Error("a nil scope is everywhere")
	}
}
