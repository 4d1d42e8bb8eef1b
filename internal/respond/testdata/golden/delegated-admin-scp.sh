#!/usr/bin/env bash
# portcullis containment plan sha256:b305ff6525c928d2dd3838e0eb09fd9835546568556c714b6fb48e8acf82ede6 (portcullis.plan/v1)
# generated 2026-03-02T09:30:00Z: sessions issued before this instant are revoked.
# subject: finding pf-0a1b2c3d4e5f60718293a4b5 (idc.assignment.created), user mallory@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000066), permission set AdministratorAccess (arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001), account 333333333333
# Read every command before you run it. Manual steps are commented out.
#
# Note: The change was made by trent@example.com (Identity Center user
# 9067a00001-0000aaaa-1111-4111-8111-000000000077). If that identity is
# compromised, contain it too: portcullis contain --principal
# 9067a00001-0000aaaa-1111-4111-8111-000000000077

set -euo pipefail

# wait_status LABEL COMMAND...: run COMMAND (it prints a status) until it
# says SUCCEEDED; FAILED, or 15 minutes, stops the script.
wait_status() {
  local label=$1 delay=2 waited=0 status
  shift
  while :; do
    status=$("$@")
    case "$status" in
      SUCCEEDED) printf '%s: SUCCEEDED\n' "$label"; return 0 ;;
      FAILED) printf '%s: FAILED\n' "$label" >&2; return 1 ;;
    esac
    if [ "$waited" -ge 900 ]; then
      printf '%s: still %s after %ss\n' "$label" "$status" "$waited" >&2
      return 1
    fi
    sleep "$delay"
    waited=$((waited + delay))
    if [ "$delay" -lt 30 ]; then delay=$((delay * 2)); fi
  done
}

# sha256_of: digest of stdin (Linux sha256sum or macOS shasum).
sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1
}

# --- s01 [revoke-sessions, MANUAL] Deny earlier sessions of user mallory@example.com in permission set AdministratorAccess
# Why: Removing access does not end sessions already issued:
# AWSReservedSSO_AdministratorAccess_* roles cannot be edited through IAM, so
# the deny goes into the permission set's inline policy, merged with the
# statements already there (none is dropped; a statement with the same Sid
# from an earlier run is replaced). It denies user mallory@example.com's
# sessions issued before 2026-03-02T09:30:00Z. As delegated admin we cannot
# change a permission set provisioned to the management account: run this with
# management-account credentials.
# MANUAL: not run by this script. The command, for the right credentials:
#   aws sso-admin put-inline-policy-to-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --inline-policy '{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyUserIssuedBefore9067a000010000aaaa111141118111000000000066","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-03-02T09:30:00Z"},"StringEquals":{"identitystore:userId":"9067a00001-0000aaaa-1111-4111-8111-000000000066"}}}]}' --region 'eu-west-1'
printf '%s\n' 's01: MANUAL step left for a person: Deny earlier sessions of user mallory@example.com in permission set AdministratorAccess'

# --- s02 [revoke-sessions, MANUAL] Provision permission set AdministratorAccess to the 3 account(s) it is provisioned to
# Why: A permission set change reaches the AWSReservedSSO roles in member
# accounts only when it is provisioned; the deny takes effect on the next
# request of each live session. As delegated admin we cannot change a
# permission set provisioned to the management account: run this with
# management-account credentials.
# MANUAL: not run by this script. The command, for the right credentials:
#   aws sso-admin provision-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --target-type 'ALL_PROVISIONED_ACCOUNTS' --region 'eu-west-1'
printf '%s\n' 's02: MANUAL step left for a person: Provision permission set AdministratorAccess to the 3 account(s) it is provisioned to'

# --- s03 [revoke-sessions] Create an SCP denying earlier sessions of user mallory@example.com of AdministratorAccess
# Why: Where the permission set cannot be changed, a service control policy
# ends the sessions instead: for the AWSReservedSSO_<name>_* roles
# (aws:PrincipalArn) it denies user mallory@example.com's sessions issued
# before 2026-03-02T09:30:00Z. Needs management-account (or Organizations
# delegated-admin) credentials and SCPs enabled on the root; a target holds at
# most 5 SCPs; SCPs never apply to the management account.
printf '%s\n' 's03: Create an SCP denying earlier sessions of user mallory@example.com of AdministratorAccess'
s03_PolicyId=$(aws organizations create-policy --type 'SERVICE_CONTROL_POLICY' --name 'portcullis-contain-20260302T093000Z' --description 'portcullis containment 2026-03-02T09:30:00Z: deny Identity Center sessions of AdministratorAccess' --content '{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyIdentityCenterSessions","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_????????????????","arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_AdministratorAccess_????????????????"]},"DateLessThan":{"aws:TokenIssueTime":"2026-03-02T09:30:00Z"},"StringEquals":{"identitystore:userId":"9067a00001-0000aaaa-1111-4111-8111-000000000066"}}}]}' --region 'eu-west-1' --query 'Policy.PolicySummary.Id' --output text)

# --- s04 [revoke-sessions] Attach the SCP to account 333333333333
# Why: The SCP takes effect on the next request of every session in the
# account it is attached to.
printf '%s\n' 's04: Attach the SCP to account 333333333333'
aws organizations attach-policy --policy-id "$s03_PolicyId" --target-id '333333333333' --region 'eu-west-1'

# --- s05 [revoke-sessions] Attach the SCP to account 444444444444
# Why: The SCP takes effect on the next request of every session in the
# account it is attached to.
printf '%s\n' 's05: Attach the SCP to account 444444444444'
aws organizations attach-policy --policy-id "$s03_PolicyId" --target-id '444444444444' --region 'eu-west-1'

# --- s06 [remove-assignments] Delete the assignment of user mallory@example.com to AdministratorAccess in account 333333333333
# Why: The assignment gives the principal a way to sign in to the account with
# this permission set. Deletion is asynchronous: wait until
# DescribeAccountAssignmentDeletionStatus reports SUCCEEDED.
printf '%s\n' 's06: Delete the assignment of user mallory@example.com to AdministratorAccess in account 333333333333'
s06_RequestId=$(aws sso-admin delete-account-assignment --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --target-id '333333333333' --target-type 'AWS_ACCOUNT' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --principal-type 'USER' --principal-id '9067a00001-0000aaaa-1111-4111-8111-000000000066' --region 'eu-west-1' --query 'AccountAssignmentDeletionStatus.RequestId' --output text)
wait_status 's06' aws sso-admin describe-account-assignment-deletion-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --account-assignment-deletion-request-id "$s06_RequestId" --region 'eu-west-1' --query 'AccountAssignmentDeletionStatus.Status' --output text

printf '%s\n' 'portcullis: plan sha256:b305ff6525c928d2dd3838e0eb09fd9835546568556c714b6fb48e8acf82ede6 done; now check the verification list.'
