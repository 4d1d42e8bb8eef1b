package respond

import (
	"errors"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// TestCheckState: the plan's state digest matches the state it was built
// from, and names each object that moved since, however it moved.
func TestCheckState(t *testing.T) {
	p := mustPlan(t, Input{Finding: loadFinding(t, findAssignment)})
	if err := CheckState(p, loadModel(t)); err != nil {
		t.Fatalf("same state: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(m *idc.Model)
		want   []string
	}{
		{"inline policy edited", func(m *idc.Model) {
			m.PermissionSets[p.Subject.PermissionSetARN].InlinePolicy = `{"Version":"2012-10-17","Statement":[]}`
		}, []string{"permission set " + p.Subject.PermissionSetARN + " changed"}},
		{"new assignment of the user", func(m *idc.Model) {
			m.Assignments = append(m.Assignments, idc.Assignment{AccountID: "999999999999", PermissionSetARN: psDev, PrincipalType: "USER", PrincipalID: p.Subject.PrincipalID})
		}, []string{"the assignments of user " + p.Subject.PrincipalID + " changed"}},
		{"user deleted", func(m *idc.Model) {
			delete(m.Users, p.Subject.PrincipalID)
		}, []string{"the groups of user " + p.Subject.PrincipalID + " changed (it no longer exists)"}},
		{"another instance", func(m *idc.Model) { m.InstanceARN = "arn:aws:sso:::instance/ssoins-0000000000000000" }, []string{"is for instance"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := loadModel(t)
			tc.change(m)
			err := CheckState(p, m)
			if err == nil {
				t.Fatal("the change went unnoticed")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q: %v", w, err)
				}
			}
		})
	}
	old := *p
	old.State = nil
	var sce *StateChangedError
	if err := CheckState(&old, loadModel(t)); err == nil || errors.As(err, &sce) || !strings.Contains(err.Error(), "no state digest") {
		t.Errorf("plan without a digest: %v", err)
	}
}
