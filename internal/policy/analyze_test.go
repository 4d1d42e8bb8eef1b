package policy

import (
	"slices"
	"strings"
	"testing"
)

// doc wraps statement objects into a policy document.
func doc(statements string) string {
	return `{"Version":"2012-10-17","Statement":[` + statements + `]}`
}

const (
	allowAll = `{"Effect":"Allow","Action":"*","Resource":"*"}`
	allFive  = "iam identitystore organizations sso sts"
)

type analyzeCase struct {
	name     string
	doc      string
	level    Level
	services string   // space-separated, sorted; "" for none
	has      []string // escalation labels that must be listed
	hasNot   []string // escalation labels that must not be listed
	reasons  []string // substrings, each found in some reason
	absent   []string // substrings found in no reason
}

func runAnalyzeCases(t *testing.T, cases []analyzeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Analyze([]byte(tc.doc))
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			if a.Level != tc.level {
				t.Errorf("level = %s, want %s (reasons %q)", a.Level, tc.level, a.Reasons)
			}
			if got := strings.Join(a.Services, " "); got != tc.services {
				t.Errorf("services = %q, want %q", got, tc.services)
			}
			for _, l := range tc.has {
				if !slices.Contains(a.PrivEsc, l) {
					t.Errorf("PrivEsc lacks %q: %q", l, a.PrivEsc)
				}
			}
			for _, l := range tc.hasNot {
				if slices.Contains(a.PrivEsc, l) {
					t.Errorf("PrivEsc has %q", l)
				}
			}
			for _, want := range tc.reasons {
				if !slices.ContainsFunc(a.Reasons, func(r string) bool { return strings.Contains(r, want) }) {
					t.Errorf("no reason contains %q: %q", want, a.Reasons)
				}
			}
			for _, bad := range tc.absent {
				if slices.ContainsFunc(a.Reasons, func(r string) bool { return strings.Contains(r, bad) }) {
					t.Errorf("a reason contains %q: %q", bad, a.Reasons)
				}
			}
			if !slices.IsSorted(a.PrivEsc) || !slices.IsSorted(a.Services) {
				t.Errorf("unsorted: %q %q", a.Services, a.PrivEsc)
			}
		})
	}
}

func TestAnalyzeAdmin(t *testing.T) {
	runAnalyzeCases(t, []analyzeCase{
		{name: "star on star, Statement as one object, no Version",
			doc: `{"Statement":` + allowAll + `}`, level: LevelAdmin, services: allFive,
			has: []string{"iam:CreateAccessKey", "sts:AssumeRole"}, reasons: []string{`statement 0 allows "*" on "*"`}},
		{name: "*:* action", doc: doc(`{"Effect":"Allow","Action":"*:*","Resource":"*"}`), level: LevelAdmin, services: allFive},
		{name: "?*:* action", doc: doc(`{"Effect":"Allow","Action":"?*:*","Resource":"*"}`), level: LevelAdmin, services: allFive},
		{name: "star among other actions", doc: doc(`{"Effect":"Allow","Action":["s3:GetObject","*"],"Resource":["*"]}`),
			level: LevelAdmin, services: allFive, reasons: []string{`allows "*" on "*"`}},
		{name: "resource arn:*", doc: doc(`{"Effect":"Allow","Action":"*","Resource":"arn:*"}`), level: LevelAdmin, services: allFive},
		{name: "resource arn:aws:*:*:*:*", doc: doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:*:*:*:*"}`), level: LevelAdmin, services: allFive},
		{name: "resource arn:aws-cn:*", doc: doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws-cn:*"}`), level: LevelAdmin, services: allFive},
		{name: "NotAction of an unrelated service is admin-equivalent",
			doc: doc(`{"Effect":"Allow","NotAction":["s3:*","ec2:*"],"Resource":"*"}`), level: LevelAdmin, services: allFive,
			reasons: []string{`every action except ["s3:*", "ec2:*"]`, "admin-equivalent"}},
		{name: "NotAction of one harmless IAM action is admin-equivalent",
			doc: doc(`{"Effect":"Allow","NotAction":"iam:DeleteAccountPasswordPolicy","Resource":"*"}`), level: LevelAdmin, services: allFive},
		{name: "NotAction iam:* plus Action iam:* is everything",
			doc:   doc(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"},{"Effect":"Allow","Action":"iam:*","Resource":"*"}`),
			level: LevelAdmin, services: allFive, reasons: []string{`statement 1 allows "iam:*" on "*": full control of iam`}},
		{name: "conditional allow still counts",
			doc:   doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`),
			level: LevelAdmin, services: allFive, reasons: []string{"only under a condition; counted as granting (conservative)"}},
		{name: "empty Condition is no condition",
			doc:   doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}`),
			level: LevelAdmin, services: allFive},
		{name: "Deny with a condition does not subtract",
			doc:   doc(allowAll + `,{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2025-01-01T00:00:00Z"}}}`),
			level: LevelAdmin, services: allFive, reasons: []string{`statement 1 denies "*" only under a condition; not subtracted (conservative)`}},
		{name: "Deny with a key-less condition operator does not subtract",
			doc:   doc(allowAll + `,{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":null}}`),
			level: LevelAdmin, services: allFive},
		{name: "Deny of an unrelated service is no boundary",
			doc:   doc(allowAll + `,{"Effect":"Deny","Action":"s3:*","Resource":"*"}`),
			level: LevelAdmin, services: allFive, reasons: []string{"no boundary for an administrator"}},
		{name: "Deny of one harmless IAM action is no boundary",
			doc:   doc(allowAll + `,{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}`),
			level: LevelAdmin, services: allFive},
		{name: "Deny of iam:* on one role does not subtract",
			doc:   doc(allowAll + `,{"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::*:role/breakglass"}`),
			level: LevelAdmin, services: allFive, reasons: []string{"not subtracted (conservative)"}},
		{name: "Deny of everything on one bucket does not subtract",
			doc:   doc(allowAll + `,{"Effect":"Deny","Action":"*","Resource":"arn:aws:s3:::audit-logs/*"}`),
			level: LevelAdmin, services: allFive,
			reasons: []string{`statement 1 denies "*" only on "arn:aws:s3:::audit-logs/*"; not subtracted (conservative)`},
			absent:  []string{"outside the sensitive services"}},
		{name: "Deny NotAction sparing the sensitive services",
			doc:   doc(allowAll + `,{"Effect":"Deny","NotAction":["iam:*","sso:*","identitystore:*","organizations:*","sts:*"],"Resource":"*"}`),
			level: LevelAdmin, services: allFive},
		{name: "Allow with NotResource of one role",
			doc:   doc(`{"Effect":"Allow","Action":"*","NotResource":"arn:aws:iam::*:role/breakglass"}`),
			level: LevelAdmin, services: allFive, reasons: []string{"uses NotResource"}},
		{name: "unknown keys are ignored",
			doc:   `{"Version":"2012-10-17","Id":"x","Foo":{"a":[1,2]},"Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*","Bar":null}]}`,
			level: LevelAdmin, services: allFive, reasons: []string{`statement 0 ("A") allows "*" on "*"`}},
		{name: "lower-case element names", doc: `{"statement":{"effect":"Allow","action":"*","resource":"*"}}`,
			level: LevelAdmin, services: allFive},
	})
}

func TestAnalyzePrivileged(t *testing.T) {
	runAnalyzeCases(t, []analyzeCase{
		{name: "iam:*", doc: doc(`{"Effect":"Allow","Action":"iam:*","Resource":"*"}`), level: LevelPrivileged, services: "iam",
			has: []string{"iam:CreateAccessKey", "iam:PutRolePolicy"}, hasNot: []string{"iam:PassRole+ec2:RunInstances", "sts:AssumeRole"},
			reasons: []string{`statement 0 allows "iam:*" on "*": full control of iam`}},
		{name: "sso:*", doc: doc(`{"Effect":"Allow","Action":"sso:*","Resource":"*"}`), level: LevelPrivileged, services: "sso",
			has: []string{"sso:CreateAccountAssignment"}},
		{name: "identitystore:*", doc: doc(`{"Effect":"Allow","Action":"identitystore:*","Resource":"*"}`), level: LevelPrivileged, services: "identitystore"},
		{name: "organizations:*", doc: doc(`{"Effect":"Allow","Action":"organizations:*","Resource":"*"}`), level: LevelPrivileged, services: "organizations"},
		{name: "sts:*", doc: doc(`{"Effect":"Allow","Action":"sts:*","Resource":"*"}`), level: LevelPrivileged, services: "sts", has: []string{"sts:AssumeRole"}},
		{name: "action case does not matter", doc: doc(`{"Effect":"Allow","Action":"IAM:*","Resource":"*"}`), level: LevelPrivileged, services: "iam"},
		{name: "? wildcard in the service", doc: doc(`{"Effect":"Allow","Action":"i?m:*","Resource":"*"}`), level: LevelPrivileged, services: "iam"},
		{name: "s*:* covers sso and sts", doc: doc(`{"Effect":"Allow","Action":"s*:*","Resource":"*"}`), level: LevelPrivileged, services: "sso sts"},
		{name: "iam:* within the account is all of IAM",
			doc: doc(`{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:*"}`), level: LevelPrivileged, services: "iam"},
		{name: "sso:* on arn:aws:sso:::*", doc: doc(`{"Effect":"Allow","Action":"sso:*","Resource":"arn:aws:sso:::*"}`), level: LevelPrivileged, services: "sso"},
		{name: "NotAction iam:* grants every other sensitive service",
			doc: doc(`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`), level: LevelPrivileged, services: "identitystore organizations sso sts",
			hasNot: []string{"iam:CreateAccessKey"}, has: []string{"lambda:UpdateFunctionCode"},
			reasons: []string{`statement 0 allows every action except "iam:*" on "*": full control of identitystore, organizations, sso and sts`}},
		{name: "NotAction of an escalation action is a real exclusion",
			doc: doc(`{"Effect":"Allow","NotAction":"iam:CreateAccessKey","Resource":"*"}`), level: LevelPrivileged,
			services: "identitystore organizations sso sts", hasNot: []string{"iam:CreateAccessKey"}, has: []string{"iam:PutRolePolicy"}},
		{name: "PowerUserAccess shape",
			doc: doc(`{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},
				{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization"],"Resource":"*"}`),
			level: LevelPrivileged, services: "identitystore sso sts", hasNot: []string{"iam:PassRole+ec2:RunInstances"}},
		{name: "Allow * with Deny iam:* is not admin",
			doc:   doc(allowAll + `,{"Effect":"Deny","Action":"iam:*","Resource":"*"}`),
			level: LevelPrivileged, services: "identitystore organizations sso sts", hasNot: []string{"iam:CreateAccessKey"},
			reasons: []string{`statement 1 denies "iam:*" on "*": removes full control of iam`}},
		{name: "Deny of one escalation action is a boundary",
			doc:   doc(allowAll + `,{"Effect":"Deny","Action":"iam:CreateAccessKey","Resource":"*"}`),
			level: LevelPrivileged, services: "identitystore organizations sso sts", hasNot: []string{"iam:CreateAccessKey"}},
		{name: "Deny sso:* on all sso resources",
			doc:   doc(`{"Effect":"Allow","Action":"*:*","Resource":"*"},{"Effect":"Deny","Action":"sso:*","Resource":"arn:aws:sso:::*"}`),
			level: LevelPrivileged, services: "iam identitystore organizations sts", hasNot: []string{"sso:CreateAccountAssignment"}},
		{name: "Deny with NotResource that leaves iam inside",
			doc:   doc(allowAll + `,{"Effect":"Deny","Action":"iam:*","NotResource":"arn:aws:s3:::logs"}`),
			level: LevelPrivileged, services: "identitystore organizations sso sts"},
		{name: "Deny NotAction s3:* denies every sensitive service",
			doc:   doc(allowAll + `,{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}`),
			level: LevelNone, services: ""},
		{name: "iam:* with NotResource of one role",
			doc:   doc(`{"Effect":"Allow","Action":"iam:*","NotResource":"arn:aws:iam::*:role/breakglass"}`),
			level: LevelPrivileged, services: "iam", reasons: []string{"uses NotResource"}},
		{name: "conditional privileged grant says so",
			doc:   doc(`{"Effect":"Allow","Action":"sso:*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}`),
			level: LevelPrivileged, services: "sso", reasons: []string{"statement 0 grants only under a condition"}},
	})
}

func TestAnalyzePrivEscAndNone(t *testing.T) {
	runAnalyzeCases(t, []analyzeCase{
		{name: "iam:* on a role path is privilege escalation at most",
			doc: doc(`{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:role/app-*"}`), level: LevelPrivEsc,
			has:     []string{"iam:PutRolePolicy", "iam:AttachRolePolicy"},
			reasons: []string{`statement 0 allows "iam:*" only on "arn:aws:iam::*:role/app-*": not full control of iam (privilege escalation at most)`}},
		{name: "iam:Put* is not full control", doc: doc(`{"Effect":"Allow","Action":"iam:Put*","Resource":"*"}`), level: LevelPrivEsc,
			has: []string{"iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutRolePermissionsBoundary"}, hasNot: []string{"iam:AttachRolePolicy"}},
		{name: "PassRole alone is nothing", doc: doc(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}`), level: LevelNone},
		{name: "PassRole with RunInstances across statements",
			doc:   doc(`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::*:role/app"},{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}`),
			level: LevelPrivEsc, has: []string{"iam:PassRole+ec2:RunInstances"},
			reasons: []string{"statements 0 and 1 allow privilege escalation via iam:PassRole+ec2:RunInstances"}},
		{name: "PassRole with lambda:*", doc: doc(`{"Effect":"Allow","Action":["iam:PassRole","lambda:*"],"Resource":"*"}`), level: LevelPrivEsc,
			has: []string{"iam:PassRole+lambda:CreateFunction", "lambda:UpdateFunctionCode"}, hasNot: []string{"iam:PassRole+ec2:RunInstances"}},
		{name: "conditional PassRole counts",
			doc:   doc(`{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}`),
			level: LevelPrivEsc, has: []string{"iam:PassRole+ec2:RunInstances"}, reasons: []string{"counted as granting (conservative)"}},
		{name: "AssumeRole on *", doc: doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`), level: LevelPrivEsc, has: []string{"sts:AssumeRole"}},
		{name: "AssumeRole on every role", doc: doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*"}`), level: LevelPrivEsc, has: []string{"sts:AssumeRole"}},
		{name: "AssumeRole on one role is not escalation",
			doc: doc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111122223333:role/deploy"}`), level: LevelNone},
		{name: "CreateAccountAssignment", doc: doc(`{"Effect":"Allow","Action":"sso:CreateAccountAssignment","Resource":"*"}`), level: LevelPrivEsc,
			has: []string{"sso:CreateAccountAssignment"}, reasons: []string{"assign yourself any permission set"}},
		{name: "group membership", doc: doc(`{"Effect":"Allow","Action":["identitystore:CreateGroupMembership"],"Resource":"*"}`), level: LevelPrivEsc},
		{name: "escalation on another service's resource is not granted",
			doc: doc(`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:s3:::bucket/*"}`), level: LevelNone},
		{name: "* on one bucket is not admin", doc: doc(`{"Effect":"Allow","Action":"*","Resource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"]}`), level: LevelNone},
		{name: "unconditional deny removes an escalation",
			doc:   doc(`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"*"},{"Effect":"Deny","Action":"iam:Create*","Resource":"*"}`),
			level: LevelNone, reasons: []string{`statement 1 denies "iam:Create*" on "*": removes iam:CreateAccessKey`}},
		{name: "conditional deny leaves an escalation",
			doc:   doc(`{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"*"},{"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"Bool":{"aws:ViaAWSService":"false"}}}`),
			level: LevelPrivEsc, has: []string{"iam:CreateAccessKey"}},
		{name: "Deny * cancels everything",
			doc:   doc(allowAll + `,{"Effect":"Deny","Action":"*","Resource":"*"}`),
			level: LevelNone, reasons: []string{`statement 1 denies "*" on "*" without a condition: nothing is granted`}},
		{name: "NotAction * grants nothing", doc: doc(`{"Effect":"Allow","NotAction":"*","Resource":"*"}`), level: LevelNone},
		{name: "NotResource * grants nothing", doc: doc(`{"Effect":"Allow","Action":"*","NotResource":"*"}`), level: LevelNone},
		{name: "empty Action list grants nothing", doc: doc(`{"Effect":"Allow","Action":[],"Resource":"*"}`), level: LevelNone},
		{name: "no statements", doc: `{"Version":"2012-10-17","Statement":[]}`, level: LevelNone},
		{name: "read-only wildcards", doc: doc(`{"Effect":"Allow","Action":["*:Describe*","*:Get*","*:List*"],"Resource":"*"}`), level: LevelNone},
		{name: "deny-only policy", doc: doc(`{"Effect":"Deny","Action":"*","Resource":"*"}`), level: LevelNone},
	})
}

func TestAnalyzeReasonsBounded(t *testing.T) {
	// An attacker-written Sid and a long action list must not flood a finding.
	sid := strings.Repeat("S", 5000)
	acts := make([]string, 50)
	for i := range acts {
		acts[i] = `"svc` + strings.Repeat("x", i) + `:*"`
	}
	a, err := Analyze([]byte(doc(`{"Sid":"` + sid + `","Effect":"Allow","NotAction":[` + strings.Join(acts, ",") + `],"Resource":"*"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Level != LevelAdmin {
		t.Fatalf("level %s", a.Level)
	}
	for _, r := range a.Reasons {
		if len(r) > 1200 {
			t.Errorf("reason of %d bytes: %.200s…", len(r), r)
		}
	}
	if !strings.Contains(a.Reasons[0], "… 44 more") {
		t.Errorf("long list not shortened: %s", a.Reasons[0])
	}
}

func TestAnalyzeStatementsMatchesAnalyze(t *testing.T) {
	d, err := Parse([]byte(doc(allowAll)))
	if err != nil {
		t.Fatal(err)
	}
	if got := AnalyzeStatements(d.Statement).Level; got != LevelAdmin {
		t.Errorf("AnalyzeStatements level %s", got)
	}
	// Built in code without any action: matches nothing rather than everything.
	if got := AnalyzeStatements([]Statement{{Effect: "Allow", Resource: []string{"*"}}}).Level; got != LevelNone {
		t.Errorf("statement without actions: level %s", got)
	}
	// A statement with an invalid Effect neither grants nor subtracts.
	odd := []Statement{{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}}, {Effect: "deny", Action: []string{"*"}, Resource: []string{"*"}}}
	if got := AnalyzeStatements(odd).Level; got != LevelAdmin {
		t.Errorf("lower-case deny subtracted: level %s", got)
	}
	if got := AnalyzeStatements(odd[1:]).Level; got != LevelNone {
		t.Errorf("lower-case deny granted: level %s", got)
	}
}
