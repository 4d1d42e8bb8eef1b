package awsfake_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/portcullis-sec/portcullis/internal/awsfake"
)

// A responder test: real SDK client, real wire protocol, then assert on
// the server's state and call log.
func Example() {
	s := awsfake.New(awsfake.Sample())
	defer s.Close()
	sso := ssoadmin.NewFromConfig(s.Config())

	out, err := sso.DeleteAccountAssignment(context.Background(), &ssoadmin.DeleteAccountAssignmentInput{
		InstanceArn:      aws.String("arn:aws:sso:::instance/ssoins-7223aa00bb11cc22"),
		PermissionSetArn: aws.String("arn:aws:sso:::permissionSet/ssoins-7223aa00bb11cc22/ps-ae5d1fa1f80b684e"),
		TargetId:         aws.String("444444444444"),
		TargetType:       ssotypes.TargetTypeAwsAccount,
		PrincipalType:    ssotypes.PrincipalTypeUser,
		PrincipalId:      aws.String("90670aa1b2-11111111-aaaa-4bbb-8ccc-000000000002"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.AccountAssignmentDeletionStatus.Status)
	fmt.Println(len(awsfake.Sample().Assignments)-len(s.Model().Assignments), "assignment removed")
	for _, c := range s.Calls() {
		fmt.Println(c.Action(), c.Status)
	}
	// Output:
	// IN_PROGRESS
	// 1 assignment removed
	// sso:DeleteAccountAssignment 200
}
