package idc

import (
	"slices"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// TestModelSourcesAreTheSourcesApplyReads: a write through each listed
// source changes the model, and the same writes through any other source
// change nothing, so the list and Apply cannot drift apart.
func TestModelSourcesAreTheSourcesApplyReads(t *testing.T) {
	const ps = "arn:aws:sso:::permissionSet/ssoins-1/ps-1"
	// One write per source (the delete of an object the model holds).
	writes := map[string]func(t *testing.T, source string) *cloudtrail.Event{
		SourceSSO: func(t *testing.T, s string) *cloudtrail.Event {
			return event(t, s, "DeletePermissionSet", "e1", "", `{"instanceArn":"arn:aws:sso:::instance/ssoins-1","permissionSetArn":"`+ps+`"}`, "")
		},
		SourceIdentityStore: func(t *testing.T, s string) *cloudtrail.Event {
			return event(t, s, "DeleteGroup", "e2", "", `{"identityStoreId":"d-1","groupId":"g-1"}`, "")
		},
		SourceDirectory: func(t *testing.T, s string) *cloudtrail.Event {
			return event(t, s, "DeleteGroup", "e3", "", `{"identityStoreId":"d-1","groupId":"g-1"}`, "")
		},
		SourceSCIM: func(t *testing.T, s string) *cloudtrail.Event {
			return event(t, s, "DeleteGroup", "e4", "", `{"groupId":"g-1"}`, "")
		},
		SourceOrganizations: func(t *testing.T, s string) *cloudtrail.Event {
			return event(t, s, "RegisterDelegatedAdministrator", "e5", "", `{"accountId":"222222222222","servicePrincipal":"sso.amazonaws.com"}`, "")
		},
	}
	fresh := func() *Model {
		m := New("test")
		m.PermissionSets[ps] = &PermissionSet{ARN: ps, Name: "Admin"}
		m.Groups["g-1"] = &Group{ID: "g-1", DisplayName: "admins"}
		return m
	}
	model := ModelSources()
	others := []string{"s3.amazonaws.com", "sts.amazonaws.com"}
	for _, s := range EventSources() {
		if !slices.Contains(model, s.Name) {
			others = append(others, s.Name)
		}
	}
	for _, src := range model {
		write, ok := writes[src]
		if !ok {
			t.Errorf("model source %s has no write in this test: does Apply read it?", src)
			continue
		}
		if changed, err := fresh().Apply(write(t, src)); !changed || err != nil {
			t.Errorf("%s: Apply = %t, %v; want a change", src, changed, err)
		}
		for _, other := range others {
			if changed, err := fresh().Apply(write(t, other)); changed || err != nil {
				t.Errorf("%s write through %s: Apply = %t, %v; want nothing", src, other, changed, err)
			}
		}
	}
	if len(writes) != len(model) {
		t.Errorf("%d writes in the test, %d model sources %v", len(writes), len(model), model)
	}
}

func TestEventSourcesAreUniqueAndClassified(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range EventSources() {
		if seen[s.Name] || s.Family == "" || s.Kind == 0 {
			t.Errorf("source %+v: duplicate or unclassified", s)
		}
		seen[s.Name] = true
	}
	a := EventSources()
	a[0].Name = "changed"
	if EventSources()[0].Name == "changed" {
		t.Error("EventSources hands out the package's own slice")
	}
}
