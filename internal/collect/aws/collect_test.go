package awscollect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

func TestCollectMatchesSeededModel(t *testing.T) {
	seed := awsfake.Sample()
	s := startFake(t, seed)
	before := time.Now().UTC()
	got, err := collect(t, s, testOptions(s))
	if err != nil {
		t.Fatal(err)
	}
	if got.Partial || len(got.Missing) > 0 {
		t.Fatalf("complete read marked partial: %v", got.Missing)
	}
	if got.CapturedAt.Before(before) {
		t.Errorf("CapturedAt %v is before the collection started", got.CapturedAt)
	}
	for g, ms := range got.Memberships {
		for _, m := range ms {
			if m.MembershipID == "" {
				t.Errorf("group %s member %s has no membership id", g, m.UserID)
			}
		}
	}
	sameModel(t, got, expected(seed))
}

// Every listing of the sample spans pages at the fake's page size; prove
// the collector followed NextToken on each of them.
func TestCollectFollowsEveryPage(t *testing.T) {
	s := startFake(t, awsfake.Sample())
	if _, err := collect(t, s, testOptions(s)); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{
		"ListPermissionSets", "ListManagedPoliciesInPermissionSet", "ListCustomerManagedPolicyReferencesInPermissionSet",
		"ListTagsForResource", "ListAccountsForProvisionedPermissionSet", "ListAccountAssignments",
		"ListUsers", "ListGroups", "ListGroupMemberships",
		"ListAccounts", "ListOrganizationalUnitsForParent", "ListAccountsForParent",
	} {
		paged := 0
		for _, c := range s.CallsTo(op) {
			if c.Param("NextToken") != "" {
				paged++
			}
		}
		if paged == 0 {
			t.Errorf("%s: no call carried a NextToken; paging not exercised", op)
		}
	}
}

func TestCollectUnderFailures(t *testing.T) {
	admins := "34887428-4081-7042-c3c6-000000000a01"
	tests := []struct {
		name        string
		setup       func(*awsfake.Server)
		partial     bool     // AllowPartial
		wantErr     []string // substrings of the error; nil = success
		wantMissing []string // substrings, one Missing entry each
		// calls: op -> want (ok, failed) counts; -1 = don't care
		calls map[string][2]int
	}{
		{
			name: "throttling that clears is retried",
			setup: func(s *awsfake.Server) {
				s.ThrottleFirst("ListUsers", 3)
				s.ThrottleFirst("ListAccounts", 2) // organizations answers TooManyRequestsException
				s.ThrottleFirst("ListAccountAssignments", 5)
			},
			calls: map[string][2]int{"ListUsers": {4, 3}, "ListAccounts": {4, 2}, "ListAccountAssignments": {-1, 5}},
		},
		{
			name:    "a call that keeps being throttled is an error naming call and resource",
			setup:   func(s *awsfake.Server) { s.FailWhen("ListGroupMemberships", "ThrottlingException", group(admins)) },
			wantErr: []string{"identitystore:ListGroupMemberships group " + admins, "ThrottlingException"},
			calls:   map[string][2]int{"ListGroupMemberships": {-1, 10}}, // MaxAttempts
		},
		{
			name:        "with AllowPartial the same failure is a Missing entry",
			setup:       func(s *awsfake.Server) { s.FailWhen("ListGroupMemberships", "ThrottlingException", group(admins)) },
			partial:     true,
			wantMissing: []string{"identitystore:ListGroupMemberships group " + admins + ": ThrottlingException"},
		},
		{
			name:    "server errors are retried then fail",
			setup:   func(s *awsfake.Server) { s.FailAlways("ListInstances", "InternalServerException") },
			partial: true, // no instance, nothing to read: fatal even so
			wantErr: []string{"sso:ListInstances", "InternalServerException"},
			calls:   map[string][2]int{"ListInstances": {0, 10}},
		},
		{
			name:    "access denied is not retried",
			setup:   func(s *awsfake.Server) { s.FailAlways("GetInlinePolicyForPermissionSet", "AccessDeniedException") },
			wantErr: []string{"sso:GetInlinePolicyForPermissionSet permission set arn:aws:sso:::permissionSet/", "AccessDeniedException"},
		},
		{
			name: "unknown provisioning means unknown assignments, never asked blind",
			setup: func(s *awsfake.Server) {
				s.FailAlways("ListAccountsForProvisionedPermissionSet", "AccessDeniedException")
			},
			partial:     true,
			wantMissing: []string{"sso:ListAccountsForProvisionedPermissionSet permission set arn:aws:sso:::permissionSet/ssoins-7223aa00bb11cc22/ps-ae5d1fa1f80b684e (its accounts and assignments unknown)"},
			calls:       map[string][2]int{"ListAccountsForProvisionedPermissionSet": {0, 5}, "ListAccountAssignments": {0, 0}},
		},
		{
			name:        "organizations denied is partial even without AllowPartial",
			setup:       func(s *awsfake.Server) { s.FailAlways("DescribeOrganization", "AccessDeniedException") },
			wantMissing: []string{"organizations:DescribeOrganization: AccessDeniedException"},
			calls:       map[string][2]int{"ListAccounts": {0, 0}, "ListDelegatedAdministrators": {0, 0}},
		},
		{
			name:        "delegated admin without organizations:ListAccounts",
			setup:       func(s *awsfake.Server) { s.FailAlways("ListAccounts", "AccessDeniedException") },
			wantMissing: []string{"organizations:ListAccounts: AccessDeniedException", "account names and OU paths unknown"},
			calls:       map[string][2]int{"ListRoots": {0, 0}, "ListDelegatedAdministrators": {1, 0}},
		},
		{
			name:    "organizations throttled for good is an error, not a denial",
			setup:   func(s *awsfake.Server) { s.FailAlways("ListAccountsForParent", "TooManyRequestsException") },
			wantErr: []string{"organizations OU tree", "ListAccountsForParent parent r-", "TooManyRequestsException"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seed := awsfake.Sample()
			s := startFake(t, seed)
			tc.setup(s)
			o := testOptions(s)
			o.AllowPartial = tc.partial
			got, err := collect(t, s, o)

			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("want error containing %q, got none", tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if err == nil {
				checkMissing(t, got.Partial, got.Missing, tc.wantMissing)
				if len(tc.wantMissing) == 0 {
					sameModel(t, got, expected(seed))
				}
			}
			for op, want := range tc.calls {
				ok, failed := countCalls(s, op)
				if (want[0] >= 0 && ok != want[0]) || (want[1] >= 0 && failed != want[1]) {
					t.Errorf("%s: %d ok and %d failed calls, want %v", op, ok, failed, want)
				}
			}
		})
	}
}

func checkMissing(t *testing.T, partial bool, missing, want []string) {
	t.Helper()
	if partial != (len(want) > 0) {
		t.Errorf("Partial = %v with Missing %q, want partial %v", partial, missing, len(want) > 0)
	}
	for _, w := range want {
		found := false
		for _, m := range missing {
			found = found || strings.Contains(m, w)
		}
		if !found {
			t.Errorf("no Missing entry contains %q; Missing = %q", w, missing)
		}
	}
}

func group(id string) func(awsfake.Call) bool {
	return func(c awsfake.Call) bool { return c.Param("GroupId") == id }
}

func TestPartialKeepsEverythingElse(t *testing.T) {
	seed := awsfake.Sample()
	s := startFake(t, seed)
	admins := "34887428-4081-7042-c3c6-000000000a01"
	s.FailWhen("ListGroupMemberships", "AccessDeniedException", group(admins))
	o := testOptions(s)
	o.AllowPartial = true
	got, err := collect(t, s, o)
	if err != nil {
		t.Fatal(err)
	}
	want := expected(seed)
	delete(want.Memberships, admins)
	want.Partial, want.Missing = got.Partial, got.Missing // checked in TestCollectUnderFailures
	sameModel(t, got, want)
}

func TestOrganizationsDeniedStillResolvesAccounts(t *testing.T) {
	seed := awsfake.Sample()
	s := startFake(t, seed)
	s.FailAlways("DescribeOrganization", "AccessDeniedException")
	got, err := collect(t, s, testOptions(s))
	if err != nil {
		t.Fatal(err)
	}
	if got.ManagementAccountID != "" || got.DelegatedAdminID != "" {
		t.Errorf("management %q / delegated %q invented without organizations", got.ManagementAccountID, got.DelegatedAdminID)
	}
	for _, ps := range got.PermissionSets {
		for _, id := range ps.ProvisionedTo {
			a := got.Accounts[id]
			if a == nil || a.Source != "aws:ListAccountsForProvisionedPermissionSet" || a.Name != "" {
				t.Errorf("account %s referenced by %s: got %+v, want an id-only stub", id, ps.Name, a)
			}
		}
	}
	if got.Accounts["777777777777"] != nil {
		t.Error("account with no provisioning appeared without organizations")
	}
}

// ListAccountAssignments needs (account, permission set); the collector
// must ask exactly the provisioned pairs.
func TestAssignmentsAskedOnlyForProvisionedPairs(t *testing.T) {
	seed := awsfake.Sample()
	s := startFake(t, seed)
	if _, err := collect(t, s, testOptions(s)); err != nil {
		t.Fatal(err)
	}
	provisioned := map[string]bool{}
	for _, ps := range seed.PermissionSets {
		for _, a := range ps.ProvisionedTo {
			provisioned[ps.ARN+"|"+a] = true
		}
	}
	if all := len(seed.PermissionSets) * len(seed.Accounts); all <= len(provisioned) {
		t.Fatalf("sample has no unprovisioned pairs (%d of %d); the test proves nothing", len(provisioned), all)
	}
	asked := map[string]bool{}
	for _, c := range s.CallsTo("ListAccountAssignments") {
		pair := c.Param("PermissionSetArn") + "|" + c.Param("AccountId")
		if !provisioned[pair] {
			t.Errorf("asked unprovisioned pair %s", pair)
		}
		asked[pair] = true
	}
	for pair := range provisioned {
		if !asked[pair] {
			t.Errorf("never asked provisioned pair %s", pair)
		}
	}
}

func TestEveryCallCarriesUserAgent(t *testing.T) {
	s := startFake(t, awsfake.Sample())
	if _, err := collect(t, s, testOptions(s)); err != nil {
		t.Fatal(err)
	}
	calls := s.Calls()
	if len(calls) == 0 {
		t.Fatal("no calls logged")
	}
	for _, c := range calls {
		if !strings.Contains(c.UserAgent, "portcullis/"+testVersion) {
			t.Fatalf("%s user agent %q lacks portcullis/%s", c.Operation, c.UserAgent, testVersion)
		}
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	for _, n := range []int{1, 3} {
		s := startFake(t, awsfake.Sample(), awsfake.WithLatency(2*time.Millisecond))
		o := testOptions(s)
		o.Concurrency = n
		if _, err := collect(t, s, o); err != nil {
			t.Fatal(err)
		}
		if got := s.MaxInFlight(); got > n || (n > 1 && got < 2) {
			t.Errorf("Concurrency %d: %d requests in flight at once", n, got)
		}
	}
}

func TestCollectEntryPoint(t *testing.T) {
	hermetic(t)
	s := startFake(t, awsfake.Sample())
	o := testOptions(s)
	o.InstanceARN = "arn:aws:sso:::instance/ssoins-0000000000000000"
	if _, err := Collect(context.Background(), o); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown InstanceARN: err = %v, want not found", err)
	}
	o.InstanceARN = ""
	o.Region = ""
	if _, err := Collect(context.Background(), o); err == nil || !strings.Contains(err.Error(), "region") {
		t.Errorf("no region: err = %v, want a region error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o.Region = "us-east-1"
	if _, err := Collect(ctx, o); err == nil {
		t.Error("cancelled context: no error")
	}
}

func TestNoOrganizationsClient(t *testing.T) {
	hermetic(t)
	s := startFake(t, awsfake.Sample())
	o := testOptions(s)
	cl, err := NewClients(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	cl.Organizations = nil
	got, err := CollectWith(context.Background(), cl, o)
	if err != nil {
		t.Fatal(err)
	}
	checkMissing(t, got.Partial, got.Missing, []string{"organizations: no client"})
	if _, err := CollectWith(context.Background(), Clients{}, o); err == nil {
		t.Error("CollectWith without clients: no error")
	}
}

// A group or permission set deleted between its listing and its details
// is left out, as if the snapshot were taken a moment later.
func TestDeletedDuringSnapshot(t *testing.T) {
	const (
		breakGlass = "34887428-4081-7042-c3c6-000000000a04"
		unused     = "arn:aws:sso:::permissionSet/ssoins-7223aa00bb11cc22/ps-00000000deadbeef"
	)
	tests := []struct {
		name, op string
		match    func(awsfake.Call) bool
		drop     func(*idc.Model)
	}{
		{"group", "ListGroupMemberships", group(breakGlass), func(m *idc.Model) { delete(m.Groups, breakGlass) }},
		{"permission set", "DescribePermissionSet", func(c awsfake.Call) bool { return c.Param("PermissionSetArn") == unused },
			func(m *idc.Model) { delete(m.PermissionSets, unused) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seed := awsfake.Sample()
			s := startFake(t, seed)
			s.FailWhen(tc.op, "ResourceNotFoundException", tc.match)
			got, err := collect(t, s, testOptions(s))
			if err != nil {
				t.Fatal(err)
			}
			want := expected(seed)
			tc.drop(want)
			sameModel(t, got, want)
		})
	}
}

// TestCollectedModelKnowsPolicyReferences: a live snapshot carries the
// customer managed policies and boundaries permission sets reference by
// name and where they are provisioned, so member-account policy edits can
// be tied to the permission set they feed.
func TestCollectedModelKnowsPolicyReferences(t *testing.T) {
	s := startFake(t, awsfake.Sample())
	got, err := collect(t, s, testOptions(s))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		acct, path, name string
		boundary         bool
		want             int
	}{
		{"555555555555", "/portcullis/", "dev-extra", false, 1},
		{"666666666666", "/boundaries/", "dev-boundary", true, 1},
		{"666666666666", "/", "dev-extra", false, 0}, // other path
		{"222222222222", "/", "dev-base", false, 0},  // not provisioned there
	}
	for _, c := range cases {
		us := got.PolicyUsers(c.acct, c.path, c.name)
		if len(us) != c.want || (c.want == 1 && (us[0].PermissionSet.Name != "Developer" || us[0].Boundary != c.boundary || !us[0].Provisioned)) {
			t.Errorf("PolicyUsers(%s, %s%s) = %+v", c.acct, c.path, c.name, us)
		}
	}
}
