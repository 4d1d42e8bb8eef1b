package awscollect

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

const testVersion = "1.2.3-test"

// hermetic keeps the developer's AWS files and environment out of tests.
func hermetic(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_PROFILE":                 "",
		"AWS_REGION":                  "",
		"AWS_DEFAULT_REGION":          "",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            "",
	} {
		t.Setenv(k, v)
	}
}

func startFake(t *testing.T, m *idc.Model, opts ...awsfake.Option) *awsfake.Server {
	t.Helper()
	s := awsfake.New(m, opts...)
	t.Cleanup(s.Close)
	return s
}

// testOptions points the collector at the fake with a tiny backoff.
func testOptions(s *awsfake.Server) Options {
	return Options{
		Region:           "us-east-1",
		Endpoint:         s.URL,
		UserAgentVersion: testVersion,
		MaxBackoff:       100 * time.Microsecond,
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	}
}

// collect runs CollectWith on real SDK clients built by NewClients.
func collect(t *testing.T, s *awsfake.Server, o Options) (*idc.Model, error) {
	t.Helper()
	hermetic(t)
	cl, err := NewClients(context.Background(), o)
	if err != nil {
		t.Fatalf("NewClients: %v", err)
	}
	return CollectWith(context.Background(), cl, o)
}

// expected is what a collection of the seed must produce: the seed with
// the sources the collector records and the answers AWS normalises.
func expected(seed *idc.Model) *idc.Model {
	m := normalized(seed)
	m.From = "aws"
	for _, a := range m.Accounts {
		a.Source = "aws:ListAccounts"
	}
	for _, u := range m.Users {
		u.Source = "aws:ListUsers"
	}
	for _, g := range m.Groups {
		g.Source = "aws:ListGroups"
	}
	for g := range m.Memberships {
		for i := range m.Memberships[g] {
			m.Memberships[g][i].Source = "aws:ListGroupMemberships"
		}
	}
	for _, ps := range m.PermissionSets {
		ps.Source = "aws:DescribePermissionSet"
		if ps.SessionDuration == "" {
			ps.SessionDuration = "PT1H" // AWS answers the effective default
		}
	}
	for i := range m.Assignments {
		m.Assignments[i].Source = "aws:ListAccountAssignments"
	}
	return m
}

// normalized copies m with order-free parts sorted, membership ids and
// capture time cleared, so two models compare as JSON.
func normalized(in *idc.Model) *idc.Model {
	b, _ := json.Marshal(in)
	m := idc.New("")
	_ = json.Unmarshal(b, m)
	m.CapturedAt = time.Time{}
	for g, ms := range m.Memberships {
		if len(ms) == 0 {
			delete(m.Memberships, g)
			continue
		}
		for i := range ms {
			ms[i].MembershipID = ""
		}
		slices.SortFunc(ms, func(a, b idc.Membership) int { return strings.Compare(a.UserID, b.UserID) })
	}
	for _, ps := range m.PermissionSets {
		slices.Sort(ps.ProvisionedTo)
		slices.Sort(ps.ManagedPolicies)
		slices.SortFunc(ps.CustomerManagedPolicies, func(a, b idc.PolicyRef) int { return strings.Compare(a.Path+a.Name, b.Path+b.Name) })
	}
	slices.SortFunc(m.Assignments, func(a, b idc.Assignment) int { return strings.Compare(a.Key(), b.Key()) })
	return m
}

// sameModel fails the test with the first differing line of the JSON forms.
func sameModel(t *testing.T, got, want *idc.Model) {
	t.Helper()
	g, _ := json.MarshalIndent(normalized(got), "", "  ")
	w, _ := json.MarshalIndent(normalized(want), "", "  ")
	if string(g) == string(w) {
		return
	}
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	for i := 0; i < min(len(gl), len(wl)); i++ {
		if gl[i] != wl[i] {
			t.Fatalf("model differs at line %d:\n got: %s\nwant: %s", i+1, gl[i], wl[i])
		}
	}
	t.Fatalf("model differs in length: got %d lines, want %d", len(gl), len(wl))
}

// countCalls counts logged calls of op, split by outcome.
func countCalls(s *awsfake.Server, op string) (ok, failed int) {
	for _, c := range s.CallsTo(op) {
		if c.Error == "" {
			ok++
		} else {
			failed++
		}
	}
	return ok, failed
}
