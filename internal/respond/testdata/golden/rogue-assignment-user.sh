#!/usr/bin/env bash
# portcullis containment plan sha256:b57af56a29df47ac20d8cfd405ee7c1dd81424a43246f1eecf8a9ca0f74700ee (portcullis.plan/v1)
# generated 2026-03-02T09:30:00Z: sessions issued before this instant are revoked.
# subject: finding pf-0a1b2c3d4e5f60718293a4b5 (idc.assignment.created), user mallory@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000066), permission set AdministratorAccess (arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001), account 333333333333
# Read every command before you run it. Manual steps are commented out.
#
# Note: The change was made by trent@example.com (Identity Center user
# 9067a00001-0000aaaa-1111-4111-8111-000000000077). If that identity is
# compromised, contain it too: portcullis contain --principal
# 9067a00001-0000aaaa-1111-4111-8111-000000000077
#
# Note: Identity Center has a delegated administrator (account 222222222222).
# If you run this plan from it, build it with --delegated-admin: sets
# provisioned to the management account cannot be changed from there.

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

# --- s01 [revoke-sessions] Deny sessions of user mallory@example.com in permission set AdministratorAccess
# Why: Removing access does not end sessions already issued:
# AWSReservedSSO_AdministratorAccess_* roles cannot be edited through IAM, so
# the deny goes into the permission set's inline policy, merged with the
# statements already there (none is dropped; a statement with the same Sid
# from an earlier run is replaced). It denies user mallory@example.com's
# sessions (identitystore:userId
# 9067a00001-0000aaaa-1111-4111-8111-000000000066), now and later.
printf '%s\n' 's01: Deny sessions of user mallory@example.com in permission set AdministratorAccess'
# The live inline policy must still be the one this plan merged with.
live=$(aws sso-admin get-inline-policy-for-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --query InlinePolicy --output text)
if [ "$live" = None ]; then live=''; fi
live_sha=''
if [ -n "$live" ]; then live_sha=$(printf '%s' "$live" | sha256_of); fi
if [ "$live_sha" != '' ]; then
  printf '%s\n' 's01: the inline policy changed since the snapshot; build the plan again from live state (--from aws)' >&2
  exit 1
fi
aws sso-admin put-inline-policy-to-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --inline-policy '{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyUser9067a000010000aaaa111141118111000000000066","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"StringEquals":{"identitystore:userId":"9067a00001-0000aaaa-1111-4111-8111-000000000066"}}}]}'

# --- s02 [revoke-sessions] Provision permission set AdministratorAccess to the 3 account(s) it is provisioned to
# Why: A permission set change reaches the AWSReservedSSO roles in member
# accounts only when it is provisioned; the deny takes effect on the next
# request of each live session.
printf '%s\n' 's02: Provision permission set AdministratorAccess to the 3 account(s) it is provisioned to'
s02_RequestId=$(aws sso-admin provision-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --target-type 'ALL_PROVISIONED_ACCOUNTS' --query 'PermissionSetProvisioningStatus.RequestId' --output text)
wait_status 's02' aws sso-admin describe-permission-set-provisioning-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --provision-permission-set-request-id "$s02_RequestId" --query 'PermissionSetProvisioningStatus.Status' --output text

# --- s03 [remove-assignments] Delete the assignment of user mallory@example.com to AdministratorAccess in account 333333333333
# Why: The assignment gives the principal a way to sign in to the account with
# this permission set. Deletion is asynchronous: wait until
# DescribeAccountAssignmentDeletionStatus reports SUCCEEDED.
printf '%s\n' 's03: Delete the assignment of user mallory@example.com to AdministratorAccess in account 333333333333'
s03_RequestId=$(aws sso-admin delete-account-assignment --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --target-id '333333333333' --target-type 'AWS_ACCOUNT' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --principal-type 'USER' --principal-id '9067a00001-0000aaaa-1111-4111-8111-000000000066' --query 'AccountAssignmentDeletionStatus.RequestId' --output text)
wait_status 's03' aws sso-admin describe-account-assignment-deletion-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --account-assignment-deletion-request-id "$s03_RequestId" --query 'AccountAssignmentDeletionStatus.Status' --output text

printf '%s\n' 'portcullis: plan sha256:b57af56a29df47ac20d8cfd405ee7c1dd81424a43246f1eecf8a9ca0f74700ee done; now check the verification list.'
