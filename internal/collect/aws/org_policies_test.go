package awscollect

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

const (
	scpGuard = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:*"],"Resource":"arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"}]}`
	scpOther = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"aws-portal:*","Resource":"*"}]}`
)

// collectOrg runs CollectOrganization on real SDK clients built by NewClients.
func collectOrg(t *testing.T, s *awsfake.Server, o Options) (*idc.Organization, error) {
	t.Helper()
	hermetic(t)
	cl, err := NewClients(context.Background(), o)
	if err != nil {
		t.Fatalf("NewClients: %v", err)
	}
	return CollectOrganization(context.Background(), cl, o)
}

type seedSCP struct {
	id, name, content string
	targets           []string // "root", an OU path ("Root/Workloads") or an account id
}

// seedSCPs adds policies to the fake on the root, OUs and accounts: with
// the fake's page size of 2, the policy, target and account listings span
// several pages.
var seedSCPs = []seedSCP{
	{"p-fullaccess", "FullAWSAccess", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, []string{"root"}},
	{"p-ssoguard01", "guard-sso-roles", scpGuard, []string{"Root/Workloads", "Root/Security", "666666666666"}},
	{"p-billing001", "deny-billing", scpOther, []string{"444444444444"}},
	{"p-detached01", "not-attached", scpOther, nil},
	{"p-suspended1", "suspended", scpOther, []string{"Root/Suspended", "777777777777"}},
}

func resolve(t *testing.T, s *awsfake.Server, target string) string {
	t.Helper()
	switch {
	case target == "root":
		return s.RootID()
	case strings.HasPrefix(target, "Root/"):
		id, ok := s.OUID(target)
		if !ok {
			t.Fatalf("no OU %s in the fake", target)
		}
		return id
	}
	return target
}

func seedFake(t *testing.T, s *awsfake.Server, seeds []seedSCP) {
	t.Helper()
	for _, p := range seeds {
		var ids []string
		for _, tg := range p.targets {
			ids = append(ids, resolve(t, s, tg))
		}
		if err := s.AddPolicy(p.id, p.name, p.content, ids...); err != nil {
			t.Fatal(err)
		}
	}
}

// wantOrganization is the export a person would write for the seed, read by
// the export reader. Parent chains come from the seed's OU paths, not from
// the fake's ListParents.
func wantOrganization(t *testing.T, s *awsfake.Server, m *idc.Model, seeds []seedSCP) *idc.Organization {
	t.Helper()
	names := map[string]string{"root": "Root"}
	for _, a := range m.Accounts {
		names[a.ID] = a.Name
	}
	var doc strings.Builder
	doc.WriteString(`{"Policies": [`)
	for i, p := range seeds {
		var targets []string
		for _, tg := range p.targets {
			typ, name := "ACCOUNT", names[tg]
			switch {
			case tg == "root":
				typ = "ROOT"
			case strings.HasPrefix(tg, "Root/"):
				typ, name = "ORGANIZATIONAL_UNIT", tg[strings.LastIndex(tg, "/")+1:]
			}
			targets = append(targets, fmt.Sprintf(`{"TargetId": %q, "Type": %q, "Name": %q}`, resolve(t, s, tg), typ, name))
		}
		content, _ := json.Marshal(p.content)
		fmt.Fprintf(&doc, `%s{"PolicySummary": {"Id": %q, "Name": %q, "Type": "SERVICE_CONTROL_POLICY"}, "Content": %s, "Targets": [%s]}`,
			map[bool]string{true: ",", false: ""}[i > 0], p.id, p.name, content, strings.Join(targets, ","))
	}
	doc.WriteString(`], "Accounts": [`)
	for i, id := range sortedIDs(m) {
		a := m.Accounts[id]
		var parents []string
		segs := strings.Split(a.OUPath, "/")
		for n := len(segs); n > 1; n-- {
			parents = append(parents, fmt.Sprintf("%q", resolve(t, s, strings.Join(segs[:n], "/"))))
		}
		parents = append(parents, fmt.Sprintf("%q", s.RootID()))
		fmt.Fprintf(&doc, `%s{"Id": %q, "Name": %q, "Parents": [%s]}`, map[bool]string{true: ",", false: ""}[i > 0], id, a.Name, strings.Join(parents, ","))
	}
	doc.WriteString(`]}`)
	want, err := idc.ReadOrganization(strings.NewReader(doc.String()), "expected export")
	if err != nil {
		t.Fatalf("expected export: %v\n%s", err, doc.String())
	}
	return want
}

func sortedIDs(m *idc.Model) []string {
	var ids []string
	for id := range m.Accounts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func sameOrganization(t *testing.T, got, want *idc.Organization) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	t.Fatalf("organization differs (or a parsed policy does)\n--- got ---\n%s\n--- want ---\n%s", g, w)
}

func TestCollectOrganizationMatchesTheExport(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*awsfake.Server)
		opts  func(*Options)
	}{
		{"pages at size 2", nil, nil},
		{"one request at a time", nil, func(o *Options) { o.Concurrency = 1 }},
		{"throttled reads are retried", func(s *awsfake.Server) {
			for _, op := range []string{"ListPolicies", "DescribePolicy", "ListTargetsForPolicy", "ListParents"} {
				s.ThrottleFirst(op, 2)
			}
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed := awsfake.Sample()
			s := startFake(t, seed)
			seedFake(t, s, seedSCPs)
			if tc.setup != nil {
				tc.setup(s)
			}
			o := testOptions(s)
			if tc.opts != nil {
				tc.opts(&o)
			}
			got, err := collectOrg(t, s, o)
			if err != nil {
				t.Fatal(err)
			}
			sameOrganization(t, got, wantOrganization(t, s, seed, seedSCPs))
			for _, op := range []string{"ListPolicies", "ListTargetsForPolicy", "ListAccounts"} {
				if ok, _ := countCalls(s, op); ok < 2 {
					t.Errorf("%d successful %s calls: the seed should span pages", ok, op)
				}
			}
			for _, c := range s.Calls() {
				if c.Operation == "ListPolicies" && c.Param("Filter") != "SERVICE_CONTROL_POLICY" {
					t.Errorf("ListPolicies Filter %q", c.Param("Filter"))
				}
			}
		})
	}
}

// OU parents are asked once each, whatever the number of accounts under
// them: one ListParents per account plus one per OU.
func TestCollectOrganizationAsksEachParentOnce(t *testing.T) {
	seed := awsfake.Sample()
	s := startFake(t, seed)
	o := testOptions(s)
	o.Concurrency = 1 // concurrent walks may both miss the cache
	if _, err := collectOrg(t, s, o); err != nil {
		t.Fatal(err)
	}
	ous := map[string]bool{}
	for _, a := range seed.Accounts {
		segs := strings.Split(a.OUPath, "/")
		for n := 2; n <= len(segs); n++ {
			ous[strings.Join(segs[:n], "/")] = true
		}
	}
	if ok, _ := countCalls(s, "ListParents"); ok != len(seed.Accounts)+len(ous) {
		t.Errorf("%d ListParents calls, want %d accounts + %d OUs", ok, len(seed.Accounts), len(ous))
	}
}

func TestCollectOrganizationErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		seed  func() *idc.Model
		setup func(*awsfake.Server)
		want  []string
	}{
		{"access denied names the access needed", nil, func(s *awsfake.Server) { s.FailAlways("ListPolicies", "AccessDeniedException") },
			[]string{"organizations:ListPolicies", "AccessDeniedException", "management-account or delegated Organizations administrator"}},
		{"denied on one policy", nil, func(s *awsfake.Server) { s.FailAlways("DescribePolicy", "AccessDeniedException") },
			[]string{"organizations:DescribePolicy policy p-", "management-account"}},
		{"denied on parents", nil, func(s *awsfake.Server) { s.FailAlways("ListParents", "AccessDeniedException") },
			[]string{"organizations:ListParents child ", "management-account"}},
		{"not in an organization", func() *idc.Model { m := awsfake.Sample(); m.ManagementAccountID = ""; return m }, nil,
			[]string{"not in an organization"}},
		{"a failing target listing is not a partial answer", nil, func(s *awsfake.Server) { s.FailAlways("ListTargetsForPolicy", "InternalServerException") },
			[]string{"organizations:ListTargetsForPolicy policy p-"}},
		{"a policy that does not parse names the policy", nil, func(s *awsfake.Server) {
			_ = s.AddPolicy("p-brokenpol1", "broken", `{"Statement": 5}`, s.RootID())
		}, []string{"organizations:DescribePolicy policy p-brokenpol1", "Content"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed := awsfake.Sample()
			if tc.seed != nil {
				seed = tc.seed()
			}
			s := startFake(t, seed)
			if seed.ManagementAccountID != "" {
				seedFake(t, s, seedSCPs[:2])
			}
			if tc.setup != nil {
				tc.setup(s)
			}
			o := testOptions(s)
			o.MaxAttempts = 2
			got, err := collectOrg(t, s, o)
			if err == nil {
				t.Fatalf("no error; got %d policies", len(got.Policies))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	t.Run("no organizations client", func(t *testing.T) {
		if _, err := CollectOrganization(context.Background(), Clients{}, Options{}); err == nil {
			t.Error("no error without a client")
		}
	})
}
