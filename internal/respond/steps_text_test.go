package respond

import (
	"strings"
	"testing"
	"time"
)

// TestRogueSetTextNeverHarmlessWhileAdminRemains: a step about a rogue
// permission set says it is left without admin access only when no
// admin or privileged statement remains in it (inline policy, managed
// policies that stay); otherwise it says what still grants access.
func TestRogueSetTextNeverHarmlessWhileAdminRemains(t *testing.T) {
	adminInline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	readInline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	for _, tc := range []struct {
		name, inline string
		want         string
		wantNot      []string
	}{
		{"admin inline policy remains", adminInline, "its inline policy grants admin access", []string{"harmless", "no admin or privileged access is left"}},
		{"only reads remain", readInline, "no admin or privileged access is left", []string{"harmless", "still grants"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := loadModel(t)
			m.PermissionSets[psBackdoor].InlinePolicy = tc.inline
			p, err := Plan(Input{PermissionSet: psBackdoor, DeletePermissionSet: true}, m, loadConfig(t), time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for _, st := range p.Steps {
				if st.Call == nil || st.Call.Operation != "DetachManagedPolicyFromPermissionSet" {
					continue
				}
				seen++
				text := strings.ToLower(st.Title + " " + st.Why)
				if !strings.Contains(text, tc.want) {
					t.Errorf("step %s does not say %q: %s", st.ID, tc.want, st.Why)
				}
				for _, no := range tc.wantNot {
					if strings.Contains(text, no) {
						t.Errorf("step %s says %q: %s", st.ID, no, st.Why)
					}
				}
			}
			if seen == 0 {
				t.Fatal("no detach step in the plan")
			}
		})
	}
}
