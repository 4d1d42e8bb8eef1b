package idc

import (
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/policy"
)

func TestClassify(t *testing.T) {
	const admin = "arn:aws:iam::aws:policy/AdministratorAccess"
	tests := []struct {
		name   string
		ps     PermissionSet
		want   policy.Level
		reason string // a substring some reason must contain
	}{
		{"AWS managed admin", PermissionSet{ManagedPolicies: []string{admin}}, policy.LevelAdmin, "AdministratorAccess"},
		{"read only", PermissionSet{ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}}, policy.LevelNone, ""},
		{"unknown managed policy is noted, not admin", PermissionSet{ManagedPolicies: []string{"arn:aws:iam::aws:policy/NotARealPolicy"}}, policy.LevelNone, "not known"},
		{"inline star", PermissionSet{InlinePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}, policy.LevelAdmin, "inline policy:"},
		{"inline that does not parse", PermissionSet{InlinePolicy: `{"Statement":`}, policy.LevelNone, "does not parse"},
		{"strongest wins", PermissionSet{ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", admin}}, policy.LevelAdmin, ""},
		{"customer managed noted", PermissionSet{CustomerManagedPolicies: []PolicyRef{{Name: "x", Path: "/t/"}}}, policy.LevelNone, "/t/x"},
		{"boundary caps", PermissionSet{ManagedPolicies: []string{admin}, PermissionsBoundary: &PolicyRef{ManagedPolicyARN: "arn:aws:iam::aws:policy/ReadOnlyAccess"}}, policy.LevelNone, "caps the level"},
		{"customer boundary does not cap", PermissionSet{ManagedPolicies: []string{admin}, PermissionsBoundary: &PolicyRef{Name: "b"}}, policy.LevelAdmin, "may limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(&tt.ps)
			if got.Level != tt.want {
				t.Errorf("level = %s, want %s (%v)", got.Level, tt.want, got.Reasons)
			}
			if tt.reason != "" && !strings.Contains(strings.Join(got.Reasons, "\n"), tt.reason) {
				t.Errorf("reasons %q lack %q", got.Reasons, tt.reason)
			}
		})
	}
}
