package drift

import (
	"regexp"
	"testing"
)

func TestKindsAreDottedUniqueAndRegistered(t *testing.T) {
	id := regexp.MustCompile(`^drift\.[a-z-]+\.[a-z-]+$`)
	seen := map[Kind]bool{}
	for _, k := range Kinds() {
		if !id.MatchString(string(k.Kind)) || k.Title == "" {
			t.Errorf("bad kind %+v", k)
		}
		if seen[k.Kind] {
			t.Errorf("duplicate kind %s", k.Kind)
		}
		seen[k.Kind] = true
	}
	for _, k := range []Kind{AssignmentAdded, MembershipAdded, PermissionSetAdded, ManagedPolicyAttached, InlinePolicyChanged, BoundaryRemoved} {
		if !k.IsGrant() {
			t.Errorf("%s must count as a grant", k)
		}
	}
	for _, k := range []Kind{AssignmentRemoved, UserAdded, DescriptionChanged, Kind("drift.unknown.kind")} {
		if k.IsGrant() {
			t.Errorf("%s must not count as a grant", k)
		}
	}
}
