package awsfake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	storetypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

const signed = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sso/aws4_request, SignedHeaders=host, Signature=00"

func start(t *testing.T) *Server {
	t.Helper()
	s := New(Sample())
	t.Cleanup(s.Close)
	return s
}

// post sends one raw request and decodes the JSON answer.
func post(t *testing.T, s *Server, method, target, contentType, auth, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("response Content-Type %q", ct)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("answer is not a JSON object: %q", b)
	}
	return resp.StatusCode, out
}

func TestWireProtocol(t *testing.T) {
	const ct = "application/x-amz-json-1.1"
	tests := []struct {
		name, method, target, ct, auth, body string
		status                               int
		errType                              string // "" = success
	}{
		{"list instances", "POST", "SWBExternalService.ListInstances", ct, signed, `{}`, 200, ""},
		{"identitystore", "POST", "AWSIdentityStore.ListGroups", ct, signed, `{"IdentityStoreId":"d-90670aa1b2"}`, 200, ""},
		{"organizations", "POST", "AWSOrganizationsV20161128.ListRoots", ct, signed, `{}`, 200, ""},
		{"unknown operation", "POST", "SWBExternalService.CreateInstance", ct, signed, `{}`, 400, "UnknownOperationException"},
		{"unknown service", "POST", "AmazonSQS.ListQueues", ct, signed, `{}`, 400, "UnknownOperationException"},
		{"GET", "GET", "SWBExternalService.ListInstances", ct, signed, ``, 400, "UnknownOperationException"},
		{"wrong content type", "POST", "SWBExternalService.ListInstances", "application/json", signed, `{}`, 400, "SerializationException"},
		{"unsigned", "POST", "SWBExternalService.ListInstances", ct, "", `{}`, 403, "MissingAuthenticationTokenException"},
		{"array body", "POST", "SWBExternalService.ListInstances", ct, signed, `[]`, 400, "SerializationException"},
		{"wrong member type", "POST", "SWBExternalService.ListPermissionSets", ct, signed, `{"InstanceArn":5}`, 400, "ValidationException"},
		{"unknown instance", "POST", "SWBExternalService.ListPermissionSets", ct, signed, `{"InstanceArn":"arn:aws:sso:::instance/ssoins-0"}`, 404, "ResourceNotFoundException"},
		{"forged token", "POST", "SWBExternalService.ListPermissionSets", ct, signed, `{"InstanceArn":"` + inst + `","NextToken":"garbage"}`, 400, "ValidationException"},
		{"MaxResults too big", "POST", "SWBExternalService.ListPermissionSets", ct, signed, `{"InstanceArn":"` + inst + `","MaxResults":101}`, 400, "ValidationException"},
		{"organizations limit is 20", "POST", "AWSOrganizationsV20161128.ListAccounts", ct, signed, `{"MaxResults":21}`, 400, "InvalidInputException"},
		{"no boundary", "POST", "SWBExternalService.GetPermissionsBoundaryForPermissionSet", ct, signed,
			`{"InstanceArn":"` + inst + `","PermissionSetArn":"` + psARN(inst, "ps-0b1c2d3e4f506172") + `"}`, 404, "ResourceNotFoundException"},
		{"unknown parent", "POST", "AWSOrganizationsV20161128.ListAccountsForParent", ct, signed, `{"ParentId":"ou-none"}`, 404, "ParentNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t)
			status, out := post(t, s, tc.method, tc.target, tc.ct, tc.auth, tc.body)
			if status != tc.status || out["__type"] != nilIfEmpty(tc.errType) {
				t.Errorf("got %d %v, want %d %q", status, out, tc.status, tc.errType)
			}
			if tc.errType != "" && out["Message"] == "" {
				t.Error("error without Message")
			}
			if calls := s.Calls(); len(calls) != 1 || calls[0].Status != status {
				t.Errorf("call log %+v, want one call with status %d", calls, status)
			}
		})
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// A token resumes only the listing that issued it.
func TestNextTokenIsBoundToItsListing(t *testing.T) {
	s := start(t)
	const ct = "application/x-amz-json-1.1"
	_, first := post(t, s, "POST", "AWSIdentityStore.ListUsers", ct, signed, `{"IdentityStoreId":"d-90670aa1b2"}`)
	tok, _ := first["NextToken"].(string)
	if tok == "" || len(first["Users"].([]any)) != 2 {
		t.Fatalf("first page %v: want 2 users and a token", first)
	}
	status, out := post(t, s, "POST", "AWSIdentityStore.ListGroups", ct, signed, `{"IdentityStoreId":"d-90670aa1b2","NextToken":"`+tok+`"}`)
	if status != 400 || out["__type"] != "ValidationException" {
		t.Errorf("ListUsers token accepted by ListGroups: %d %v", status, out)
	}
	_, second := post(t, s, "POST", "AWSIdentityStore.ListUsers", ct, signed, `{"IdentityStoreId":"d-90670aa1b2","MaxResults":1,"NextToken":"`+tok+`"}`)
	users := second["Users"].([]any)
	if len(users) != 1 || users[0].(map[string]any)["UserName"] != "carol" {
		t.Errorf("second page with MaxResults 1: %v, want [carol]", users)
	}
}

// Errors reach the SDK as its typed exceptions with the modelled status.
func TestErrorsDecodeAsSDKExceptions(t *testing.T) {
	ctx := context.Background()
	noRetry := func(o *ssoadmin.Options) { o.RetryMaxAttempts = 1 }
	tests := []struct {
		op, code string
		status   int
		call     func(*Server) error
		is       func(error) bool
	}{
		{"ListInstances", "AccessDeniedException", 403, func(s *Server) error {
			_, err := ssoadmin.NewFromConfig(s.Config(), noRetry).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
			return err
		}, func(err error) bool { var e *ssotypes.AccessDeniedException; return errors.As(err, &e) }},
		{"ListInstances", "ThrottlingException", 429, func(s *Server) error {
			_, err := ssoadmin.NewFromConfig(s.Config(), noRetry).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
			return err
		}, func(err error) bool { var e *ssotypes.ThrottlingException; return errors.As(err, &e) }},
		{"ListGroups", "ResourceNotFoundException", 404, func(s *Server) error {
			_, err := identitystore.NewFromConfig(s.Config()).ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: aws.String("d-1")})
			return err
		}, func(err error) bool { var e *storetypes.ResourceNotFoundException; return errors.As(err, &e) }},
		{"ListRoots", "TooManyRequestsException", 429, func(s *Server) error {
			_, err := organizations.NewFromConfig(s.Config(), func(o *organizations.Options) { o.RetryMaxAttempts = 1 }).ListRoots(ctx, &organizations.ListRootsInput{})
			return err
		}, func(err error) bool { var e *orgtypes.TooManyRequestsException; return errors.As(err, &e) }},
		{"DescribeOrganization", "AWSOrganizationsNotInUseException", 404, func(s *Server) error {
			_, err := organizations.NewFromConfig(s.Config()).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
			return err
		}, func(err error) bool { var e *orgtypes.AWSOrganizationsNotInUseException; return errors.As(err, &e) }},
	}
	for _, tc := range tests {
		t.Run(tc.op+"/"+tc.code, func(t *testing.T) {
			s := start(t)
			s.FailAlways(tc.op, tc.code)
			err := tc.call(s)
			if err == nil || !tc.is(err) {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != tc.status {
				t.Errorf("status: %v, want %d", err, tc.status)
			}
		})
	}
}

func TestThrottleFirstThenSucceed(t *testing.T) {
	s := start(t)
	s.ThrottleFirst("ListInstances", 2)
	out, err := ssoadmin.NewFromConfig(s.Config()).ListInstances(context.Background(), &ssoadmin.ListInstancesInput{})
	if err != nil || len(out.Instances) != 1 {
		t.Fatalf("ListInstances after 2 throttles: %v %v", out, err)
	}
	calls := s.CallsTo("ListInstances")
	if len(calls) != 3 || calls[0].Error != "ThrottlingException" || calls[2].Error != "" {
		t.Errorf("calls %+v, want 2 throttled then 1 ok", calls)
	}
}

func FuzzServeHTTP(f *testing.F) {
	s := New(Sample())
	f.Cleanup(s.Close)
	f.Add("SWBExternalService.ListPermissionSets", []byte(`{"InstanceArn":"arn:aws:sso:::instance/ssoins-7223aa00bb11cc22","MaxResults":1}`))
	f.Add("AWSIdentityStore.DeleteGroupMembership", []byte(`{"IdentityStoreId":"d-90670aa1b2","MembershipId":"x"}`))
	f.Add("AWSIdentityStore.GetGroupMembershipId", []byte(`{"IdentityStoreId":"d-90670aa1b2","GroupId":"x","MemberId":{"UserId":"y"}}`))
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Authorization", signed)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("answer is not a JSON object: %q", rec.Body.Bytes())
		}
		if (rec.Code == 200) == (out["__type"] != nil) {
			t.Fatalf("status %d with body %v", rec.Code, out)
		}
	})
}

// Misbehave pages wrongly as asked: the same token, fresh tokens, a huge
// page; other operations answer normally.
func TestMisbehave(t *testing.T) {
	s := New(Sample())
	defer s.Close()
	c := identitystore.NewFromConfig(s.Config())
	ctx := context.Background()
	store := aws.String(Sample().IdentityStoreID)
	s.Misbehave("ListUsers", RepeatToken, 0)
	a, err := c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: store})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: store, NextToken: a.NextToken})
	if err != nil {
		t.Fatalf("repeat: %v", err)
	}
	if aws.ToString(b.NextToken) != aws.ToString(a.NextToken) || a.NextToken == nil {
		t.Errorf("repeat: tokens %v %v", aws.ToString(a.NextToken), aws.ToString(b.NextToken))
	}
	s.Misbehave("ListUsers", EndlessTokens, 0)
	seen := map[string]bool{}
	tok := (*string)(nil)
	for range 20 {
		out, err := c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: store, NextToken: tok})
		if err != nil {
			t.Fatalf("endless: %v", err)
		}
		if out.NextToken == nil || seen[*out.NextToken] {
			t.Fatalf("endless: token %v", aws.ToString(out.NextToken))
		}
		seen[*out.NextToken], tok = true, out.NextToken
	}
	s.Misbehave("ListGroups", HugePage, 1<<20)
	g, err := c.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: store})
	if err != nil || len(g.Groups) < 1000 {
		t.Errorf("huge page: %v, %d groups", err, len(g.Groups))
	}
}
