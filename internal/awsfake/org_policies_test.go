package awsfake

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

const denyAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`

// seedPolicies adds SCPs on the root, an OU and an account, plus one
// created through the API with another type, which the SCP filter hides.
func seedPolicies(t *testing.T, s *Server) (root, prod string) {
	t.Helper()
	root = s.RootID()
	prod, ok := s.OUID("Root/Workloads/Prod")
	if !ok {
		t.Fatal("OUID(Root/Workloads/Prod) not found")
	}
	sec, _ := s.OUID("Root/Security")
	for _, p := range []struct {
		id, name string
		targets  []string
	}{
		{"p-root0001", "root-guard", []string{root}},
		{"p-prod0001", "prod-guard", []string{prod, sec, "444444444444"}},
		{"p-acct0001", "acct-guard", []string{"666666666666"}},
		{"p-none0001", "detached", nil},
	} {
		if err := s.AddPolicy(p.id, p.name, denyAll, p.targets...); err != nil {
			t.Fatal(err)
		}
	}
	org := organizations.NewFromConfig(s.Config())
	_, err := org.CreatePolicy(context.Background(), &organizations.CreatePolicyInput{Name: aws.String("rcp"),
		Content: aws.String(denyAll), Description: aws.String("rcp"), Type: orgtypes.PolicyTypeResourceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	return root, prod
}

func TestPolicyReadsPageThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	root, prod := seedPolicies(t, s)
	org := organizations.NewFromConfig(s.Config())

	var ids []string
	p := organizations.NewListPoliciesPaginator(org, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ps := range out.Policies {
			if ps.Type != orgtypes.PolicyTypeServiceControlPolicy || aws.ToString(ps.Arn) == "" {
				t.Errorf("summary %+v", ps)
			}
			ids = append(ids, aws.ToString(ps.Id))
		}
	}
	if want := []string{"p-root0001", "p-prod0001", "p-acct0001", "p-none0001"}; !slices.Equal(ids, want) {
		t.Errorf("ListPolicies SCP = %v, want %v", ids, want)
	}
	if n := len(s.CallsTo("ListPolicies")); n != 2 {
		t.Errorf("%d ListPolicies pages, want 2 at page size 2", n)
	}

	d, err := org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-prod0001")})
	if err != nil || aws.ToString(d.Policy.Content) != denyAll || aws.ToString(d.Policy.PolicySummary.Name) != "prod-guard" {
		t.Fatalf("DescribePolicy: %v %+v", err, d)
	}

	type tgt struct{ id, name, typ string }
	var got []tgt
	tp := organizations.NewListTargetsForPolicyPaginator(org, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-prod0001")})
	for tp.HasMorePages() {
		out, err := tp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range out.Targets {
			got = append(got, tgt{aws.ToString(x.TargetId), aws.ToString(x.Name), string(x.Type)})
		}
	}
	sec, _ := s.OUID("Root/Security")
	want := []tgt{{prod, "Prod", "ORGANIZATIONAL_UNIT"}, {sec, "Security", "ORGANIZATIONAL_UNIT"}, {"444444444444", "prod-payments", "ACCOUNT"}}
	if !slices.Equal(got, want) {
		t.Errorf("targets %v, want %v", got, want)
	}
	out, err := org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-root0001")})
	if err != nil || len(out.Targets) != 1 || out.Targets[0].Type != orgtypes.TargetTypeRoot || aws.ToString(out.Targets[0].TargetId) != root {
		t.Errorf("root targets: %v %+v", err, out)
	}
}

func TestPolicyReadErrors(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	seedPolicies(t, s)
	org := organizations.NewFromConfig(s.Config())
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"ListPolicies with an unknown Filter", func() error {
			_, err := org.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: "NOT_A_POLICY"})
			return err
		}, "InvalidInputException"},
		{"DescribePolicy of an unknown id", func() error {
			_, err := org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-missing1")})
			return err
		}, "PolicyNotFoundException"},
		{"ListTargetsForPolicy of an unknown id", func() error {
			_, err := org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-missing1")})
			return err
		}, "PolicyNotFoundException"},
		{"a token from another policy", func() error {
			out, err := org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-prod0001")})
			if err != nil {
				return err
			}
			_, err = org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-root0001"), NextToken: out.NextToken})
			return err
		}, "InvalidInputException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := code(tc.call()); got != tc.code {
				t.Errorf("error code %q, want %q", got, tc.code)
			}
		})
	}
}

func TestAddPolicyRefusesWhatAWSWould(t *testing.T) {
	s := start(t)
	if err := s.AddPolicy("p-ok000001", "ok", denyAll, s.RootID()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, id, pname, content, target string }{
		{"duplicate id", "p-ok000001", "other", denyAll, ""},
		{"duplicate name", "p-ok000002", "ok", denyAll, ""},
		{"bad id", "ok000003", "x", denyAll, ""},
		{"content not JSON", "p-ok000004", "y", "{", ""},
		{"unknown target", "p-ok000005", "z", denyAll, "ou-nope-00000000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var targets []string
			if tc.target != "" {
				targets = append(targets, tc.target)
			}
			if err := s.AddPolicy(tc.id, tc.pname, tc.content, targets...); err == nil {
				t.Error("AddPolicy accepted it")
			}
		})
	}
	if _, ok := s.OUID("Root/Nowhere"); ok {
		t.Error("OUID found an OU that does not exist")
	}
	if n := len(s.Policies()); n != 1 {
		t.Errorf("%d policies after refusals, want 1", n)
	}
}
