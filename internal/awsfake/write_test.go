package awsfake

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

const (
	inst     = "arn:aws:sso:::instance/ssoins-7223aa00bb11cc22"
	adminPS  = "arn:aws:sso:::permissionSet/ssoins-7223aa00bb11cc22/ps-ae5d1fa1f80b684e"
	unusedPS = "arn:aws:sso:::permissionSet/ssoins-7223aa00bb11cc22/ps-00000000deadbeef"
	alice    = "90670aa1b2-11111111-aaaa-4bbb-8ccc-000000000001"
	dave     = "90670aa1b2-11111111-aaaa-4bbb-8ccc-000000000004"
)

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func hasAssignment(m *idc.Model, a idc.Assignment) bool {
	return slices.ContainsFunc(m.Assignments, func(b idc.Assignment) bool { return b.Key() == a.Key() })
}

func TestAccountAssignmentLifecycle(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	s.AsyncPending(1)
	sso := ssoadmin.NewFromConfig(s.Config())
	in := &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(adminPS),
		TargetId: aws.String("666666666666"), TargetType: ssotypes.TargetTypeAwsAccount,
		PrincipalType: ssotypes.PrincipalTypeUser, PrincipalId: aws.String(dave)}
	created, err := sso.CreateAccountAssignment(ctx, in)
	if err != nil || created.AccountAssignmentCreationStatus.Status != ssotypes.StatusValuesInProgress {
		t.Fatalf("create: %v %+v", err, created)
	}
	want := idc.Assignment{AccountID: "666666666666", PermissionSetARN: adminPS, PrincipalType: "USER", PrincipalID: dave}
	if m := s.Model(); !hasAssignment(m, want) || !slices.Contains(m.PermissionSets[adminPS].ProvisionedTo, "666666666666") {
		t.Fatal("assignment not applied or permission set not provisioned")
	}
	id := created.AccountAssignmentCreationStatus.RequestId
	for _, wantStatus := range []ssotypes.StatusValues{ssotypes.StatusValuesInProgress, ssotypes.StatusValuesSucceeded} {
		st, err := sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: aws.String(inst), AccountAssignmentCreationRequestId: id})
		if err != nil || st.AccountAssignmentCreationStatus.Status != wantStatus {
			t.Fatalf("creation status: %v %+v, want %s", err, st, wantStatus)
		}
	}

	del := &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: in.InstanceArn, PermissionSetArn: in.PermissionSetArn,
		TargetId: in.TargetId, TargetType: in.TargetType, PrincipalType: in.PrincipalType, PrincipalId: in.PrincipalId}
	s.AsyncPending(0)
	for _, wantStatus := range []ssotypes.StatusValues{ssotypes.StatusValuesSucceeded, ssotypes.StatusValuesFailed} {
		out, err := sso.DeleteAccountAssignment(ctx, del)
		if err != nil {
			t.Fatal(err)
		}
		st, err := sso.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{
			InstanceArn: aws.String(inst), AccountAssignmentDeletionRequestId: out.AccountAssignmentDeletionStatus.RequestId})
		if err != nil || st.AccountAssignmentDeletionStatus.Status != wantStatus {
			t.Fatalf("deletion status: %v %+v, want %s", err, st, wantStatus)
		}
	}
	if hasAssignment(s.Model(), want) {
		t.Error("assignment still present after deletion")
	}

	in.PrincipalId = aws.String("no-such-user")
	if _, err := sso.CreateAccountAssignment(ctx, in); code(err) != "ResourceNotFoundException" {
		t.Errorf("unknown principal: %v", err)
	}
}

func TestPermissionSetWrites(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	sso := ssoadmin.NewFromConfig(s.Config(), func(o *ssoadmin.Options) { o.RetryMaxAttempts = 1 })
	ps := aws.String(adminPS)
	i := aws.String(inst)
	stale := func() []string {
		out, err := sso.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{
			InstanceArn: i, PermissionSetArn: ps, ProvisioningStatus: ssotypes.ProvisioningStatusLatestPermissionSetNotProvisioned, MaxResults: aws.Int32(100)})
		if err != nil {
			t.Fatal(err)
		}
		return out.AccountIds
	}
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2024-05-01T00:00:00Z"}}}]}`

	if _, err := sso.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: i, PermissionSetArn: ps, InlinePolicy: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	got, err := sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: i, PermissionSetArn: ps})
	if err != nil || aws.ToString(got.InlinePolicy) != deny {
		t.Fatalf("inline policy read back: %v %v", got, err)
	}
	if n := len(stale()); n != 2 { // page size 2 of the 4 provisioned accounts
		t.Errorf("after PutInlinePolicy %d stale accounts on the first page, want 2", n)
	}
	prov, err := sso.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: i, PermissionSetArn: ps, TargetType: ssotypes.ProvisionTargetTypeAllProvisionedAccounts})
	if err != nil || prov.PermissionSetProvisioningStatus.Status != ssotypes.StatusValuesInProgress {
		t.Fatalf("provision: %v %v", prov, err)
	}
	st, err := sso.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: i, ProvisionPermissionSetRequestId: prov.PermissionSetProvisioningStatus.RequestId})
	if err != nil || st.PermissionSetProvisioningStatus.Status != ssotypes.StatusValuesSucceeded || len(stale()) != 0 {
		t.Errorf("after provisioning: %v %v, stale %v", st, err, stale())
	}

	errs := map[string]error{}
	_, errs["PutInlinePolicy bad JSON"] = sso.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: i, PermissionSetArn: ps, InlinePolicy: aws.String("{")})
	_, errs["Detach once"] = sso.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: i, PermissionSetArn: ps, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	_, errs["Detach twice"] = sso.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: i, PermissionSetArn: ps, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	_, errs["Update PT1H"] = sso.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: i, PermissionSetArn: ps, SessionDuration: aws.String("PT1H")})
	_, errs["Update PT13H"] = sso.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: i, PermissionSetArn: ps, SessionDuration: aws.String("PT13H")})
	_, errs["Delete assigned"] = sso.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: i, PermissionSetArn: ps})
	_, errs["Delete unused"] = sso.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: i, PermissionSetArn: aws.String(unusedPS)})
	_, errs["Describe deleted"] = sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: i, PermissionSetArn: aws.String(unusedPS)})
	for name, want := range map[string]string{
		"PutInlinePolicy bad JSON": "ValidationException", "Detach once": "", "Detach twice": "ResourceNotFoundException",
		"Update PT1H": "", "Update PT13H": "ValidationException", "Delete assigned": "ConflictException",
		"Delete unused": "", "Describe deleted": "ResourceNotFoundException",
	} {
		if got := code(errs[name]); got != want {
			t.Errorf("%s: error %q (%v), want %q", name, got, errs[name], want)
		}
	}
	m := s.Model().PermissionSets[adminPS]
	if len(m.ManagedPolicies) != 0 || m.SessionDuration != "PT1H" || m.InlinePolicy != deny {
		t.Errorf("permission set after writes: %+v", m)
	}
}

func TestDeleteGroupMembership(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	store := identitystore.NewFromConfig(s.Config())
	admins := "34887428-4081-7042-c3c6-000000000a01"
	list := func() []string {
		var ids []string
		p := identitystore.NewListGroupMembershipsPaginator(store, &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String("d-90670aa1b2"), GroupId: aws.String(admins)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range out.GroupMemberships {
				ids = append(ids, aws.ToString(m.MembershipId))
			}
		}
		return ids
	}
	before := list()
	if len(before) != 4 {
		t.Fatalf("Admins has %d memberships, want 4", len(before))
	}
	if _, err := store.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String("d-90670aa1b2"), MembershipId: aws.String(before[0])}); err != nil {
		t.Fatal(err)
	}
	if after := list(); len(after) != 3 || slices.Contains(after, before[0]) {
		t.Errorf("after delete: %v", after)
	}
	_, err := store.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String("d-90670aa1b2"), MembershipId: aws.String(before[0])})
	if code(err) != "ResourceNotFoundException" {
		t.Errorf("second delete: %v", err)
	}
}

func TestServiceControlPolicy(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	org := organizations.NewFromConfig(s.Config())
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	root := roots.Roots[0].Id
	out, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("portcullis-deny-sso"), Description: aws.String("contain"),
		Type: "SERVICE_CONTROL_POLICY", Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sso:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	id := out.Policy.PolicySummary.Id
	if _, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: id, TargetId: root}); err != nil {
		t.Fatal(err)
	}
	_, dup := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: id, TargetId: root})
	_, missing := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: id, TargetId: aws.String("999999999999")})
	if code(dup) != "DuplicatePolicyAttachmentException" || code(missing) != "TargetNotFoundException" {
		t.Errorf("duplicate attach %v; unknown target %v", dup, missing)
	}
	ps := s.Policies()
	if len(ps) != 1 || ps[0].ID != aws.ToString(id) || !slices.Equal(ps[0].Targets, []string{aws.ToString(root)}) {
		t.Errorf("policies %+v", ps)
	}
}

func TestModelRoundTripsSeed(t *testing.T) {
	seed := Sample()
	s := New(seed)
	defer s.Close()
	m := s.Model()
	seed.Assignments = append(seed.Assignments, idc.Assignment{AccountID: "x"}) // the server holds a copy
	if len(m.Assignments) != len(seed.Assignments)-1 || len(m.Users) != 7 || m.Users[alice].UserName != "alice" {
		t.Errorf("Model() = %d assignments, %d users", len(m.Assignments), len(m.Users))
	}
}
