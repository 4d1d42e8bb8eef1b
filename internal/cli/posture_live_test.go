package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/posture"
)

// scpGuardLive denies changes to the AWSReservedSSO_* roles and the
// Identity Center writes: what posture.scp-guardrail looks for.
const (
	scpGuardLive = `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"},` +
		`{"Effect":"Deny","Action":["sso:*","identitystore:*"],"Resource":"*"}]}`
	scpBillingLive = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"aws-portal:*","Resource":"*"}]}`
)

// TestPostureOrgLive runs `posture --org aws` against the loopback fake
// seeded with awsfake.Sample (nested OUs): the SCP check passes when a
// guarding SCP covers every member account through the root, OUs or the
// account itself, and names exactly the accounts left uncovered otherwise.
func TestPostureOrgLive(t *testing.T) {
	allMembers := []string{"222222222222", "333333333333", "444444444444", "555555555555", "666666666666", "777777777777", "888888888888"}
	for _, tc := range []struct {
		name    string
		guard   []string // where the guarding SCP is attached: "root", OU paths, account ids
		status  posture.Status
		failing []string
	}{
		{"guard on the root", []string{"root"}, posture.Pass, nil},
		{"guard on every top OU covers nested OUs", []string{"Root/Workloads", "Root/Security", "Root/Suspended"}, posture.Pass, nil},
		{"guard on an OU and an account", []string{"Root/Workloads", "222222222222"}, posture.Fail, []string{"333333333333", "777777777777", "888888888888"}},
		{"guard on the nested Prod OU only", []string{"Root/Workloads/Prod"}, posture.Fail, []string{"222222222222", "333333333333", "666666666666", "777777777777", "888888888888"}},
		{"no guarding SCP", nil, posture.Fail, allMembers},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, snap := liveOrgFake(t)
			if err := s.AddPolicy("p-billing001", "deny-billing", scpBillingLive, s.RootID()); err != nil {
				t.Fatal(err)
			}
			if tc.guard != nil {
				var ids []string
				for _, g := range tc.guard {
					ids = append(ids, liveTarget(t, s, g))
				}
				if err := s.AddPolicy("p-ssoguard01", "guard-identity-center", scpGuardLive, ids...); err != nil {
					t.Fatal(err)
				}
			}
			r := session{now: driftNow}.run(t, "posture", "--snapshot", snap, "--org", "aws", "--endpoint", s.URL, "--format", "json")
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			res := scpResult(t, r.stdout)
			var got []string
			for _, o := range res.Failing {
				got = append(got, o.ID)
			}
			slices.Sort(got)
			if res.Status != tc.status || !slices.Equal(got, tc.failing) {
				t.Errorf("scp-guardrail %s failing %v, want %s %v (note %q)", res.Status, got, tc.status, tc.failing, res.Note)
			}
			if len(s.CallsTo("ListPolicies")) == 0 || len(s.CallsTo("ListParents")) == 0 {
				t.Error("the SCPs were not read from the API")
			}
		})
	}
}

func TestPostureOrgLiveErrors(t *testing.T) {
	for _, tc := range []struct {
		name, op, code, want string
	}{
		{"access denied says what access SCPs need", "ListPolicies", "AccessDeniedException", "management-account or delegated Organizations administrator"},
		{"a failed parent walk is not a pass", "ListParents", "AccessDeniedException", "organizations:ListParents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, snap := liveOrgFake(t)
			s.FailAlways(tc.op, tc.code)
			r := session{now: driftNow}.run(t, "posture", "--snapshot", snap, "--org", "aws", "--endpoint", s.URL, "--format", "json")
			if r.code != ExitError || !strings.Contains(r.stderr, "--org aws") || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, ExitError, tc.want)
			}
			if r.stdout != "" {
				t.Errorf("a report was written: %s", r.stdout)
			}
		})
	}
}

// liveOrgFake starts the fake on awsfake.Sample with a fake AWS
// environment and writes the same model as the --snapshot file.
func liveOrgFake(t *testing.T) (*awsfake.Server, string) {
	t.Helper()
	awsEnv(t, "eu-west-1")
	m := awsfake.Sample()
	s := awsfake.New(m)
	t.Cleanup(s.Close)
	path := filepath.Join(t.TempDir(), "sample.snapshot.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := m.Write(f); err != nil {
		t.Fatal(err)
	}
	return s, path
}

func liveTarget(t *testing.T, s *awsfake.Server, g string) string {
	t.Helper()
	switch {
	case g == "root":
		return s.RootID()
	case strings.HasPrefix(g, "Root/"):
		id, ok := s.OUID(g)
		if !ok {
			t.Fatalf("no OU %s", g)
		}
		return id
	}
	return g
}

func scpResult(t *testing.T, out string) posture.Result {
	t.Helper()
	var rep posture.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	for _, r := range rep.Results {
		if r.ID == "posture.scp-guardrail" {
			return r
		}
	}
	t.Fatal("no posture.scp-guardrail result")
	return posture.Result{}
}
