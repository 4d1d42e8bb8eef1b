package policy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestManagedPolicy(t *testing.T) {
	cases := []struct {
		arn      string
		level    Level
		services string
		has      string // an escalation label that must be listed
		reason   string // substring of some reason
	}{
		{"arn:aws:iam::aws:policy/AdministratorAccess", LevelAdmin, allFive, "iam:CreateAccessKey", "every service and resource"},
		{"arn:aws-cn:iam::aws:policy/AdministratorAccess", LevelAdmin, allFive, "", ""},
		{"arn:aws-us-gov:iam::aws:policy/AdministratorAccess", LevelAdmin, allFive, "", ""},
		{"arn:aws:iam::aws:policy/IAMFullAccess", LevelPrivileged, "iam", "iam:AttachRolePolicy", "full control of iam"},
		{"arn:aws:iam::aws:policy/AWSSSOMasterAccountAdministrator", LevelPrivileged, "identitystore sso", "sso:CreateAccountAssignment", "full control of identitystore and sso"},
		{"arn:aws:iam::aws:policy/AWSSSOMemberAccountAdministrator", LevelPrivileged, "identitystore sso", "sso:CreateAccountAssignment", "management account"},
		{"arn:aws:iam::aws:policy/AWSSSODirectoryAdministrator", LevelPrivileged, "identitystore", "identitystore:CreateGroupMembership", "full control of identitystore"},
		{"arn:aws:iam::aws:policy/AWSOrganizationsFullAccess", LevelPrivileged, "organizations", "organizations:RegisterDelegatedAdministrator", "full control of organizations"},
		{"arn:aws:iam::aws:policy/PowerUserAccess", LevelPrivileged, "identitystore sso sts", "sts:AssumeRole", "escalates in practice"},
		{"arn:aws:iam::aws:policy/job-function/SystemAdministrator", LevelPrivEsc, "", "iam:PassRole+ec2:RunInstances", "ec2-sysadmin-*"},
		{"arn:aws:iam::aws:policy/AWSLambda_FullAccess", LevelPrivEsc, "", "iam:PassRole+lambda:CreateFunction", ""},
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", LevelNone, "", "", "read-only"},
		{"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", LevelNone, "", "", ""},
		{"arn:aws:iam::aws:policy/SecurityAudit", LevelNone, "", "", ""},
		{"arn:aws:iam::aws:policy/AWSSSOReadOnly", LevelNone, "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.arn, func(t *testing.T) {
			a, ok := ManagedPolicy(tc.arn)
			if !ok {
				t.Fatal("not known")
			}
			if a.Level != tc.level {
				t.Errorf("level %s, want %s (%q)", a.Level, tc.level, a.Reasons)
			}
			if got := strings.Join(a.Services, " "); got != tc.services {
				t.Errorf("services %q, want %q", got, tc.services)
			}
			if tc.has != "" && !slices.Contains(a.PrivEsc, tc.has) {
				t.Errorf("PrivEsc lacks %q: %q", tc.has, a.PrivEsc)
			}
			if len(a.Reasons) == 0 || !strings.HasPrefix(a.Reasons[0], "AWS managed policy ") {
				t.Errorf("first reason %q", a.Reasons)
			}
			if tc.reason != "" && !slices.ContainsFunc(a.Reasons, func(r string) bool { return strings.Contains(r, tc.reason) }) {
				t.Errorf("no reason contains %q: %q", tc.reason, a.Reasons)
			}
		})
	}
}

func TestManagedPolicyUnknown(t *testing.T) {
	for _, arn := range []string{
		"",
		"AdministratorAccess",
		"arn:aws:iam::aws:policy/",
		"arn:aws:iam::aws:policy/NoSuchPolicy",
		"arn:aws:iam::123456789012:policy/AdministratorAccess", // customer managed, same name
		"arn:aws:iam::aws:policy/job-function/AdministratorAccess",
		"arn:aws:iam::aws:policy/administratoraccess",
		"arn:aws-iso:iam::aws:policy/AdministratorAccess",
		"arn:aws:iam::aws:policy/AdministratorAccess ",
	} {
		if a, ok := ManagedPolicy(arn); ok || a.Level != LevelNone || a.Reasons != nil {
			t.Errorf("ManagedPolicy(%q) = %v, %v; want unknown", arn, a, ok)
		}
	}
}

func TestManagedTableParses(t *testing.T) {
	names := ManagedPolicyNames()
	if len(names) != len(managedPolicies) || !slices.IsSorted(names) {
		t.Fatalf("names %q", names)
	}
	for _, n := range names {
		var stmts []Statement
		if err := json.Unmarshal([]byte(managedPolicies[n].doc), &stmts); err != nil {
			t.Errorf("%s: %v", n, err)
		}
		for i, s := range stmts {
			if err := s.Validate(); err != nil {
				t.Errorf("%s statement %d: %v", n, i, err)
			}
		}
		if _, ok := ManagedPolicy("arn:aws:iam::aws:policy/" + n); !ok {
			t.Errorf("%s not found by ARN", n)
		}
	}
}
