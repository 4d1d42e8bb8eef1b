#!/usr/bin/env bash
# portcullis containment plan sha256:98b6d0e47d20fe34d2be1b1ad4ebeb9e709995066f4c421e6fa96fe742946683 (portcullis.plan/v1)
# generated 2026-04-01T10:00:00Z: sessions issued before this instant are revoked.
# subject: finding pf-6a0000000000000000000001 (idc.assignment.created), user mallory@example.com (9067c0ff06-aaaa0002-0000-4000-8000-000000000002), permission set Admin (arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000001), account 222222222222
# Read every command before you run it. Manual steps are commented out.

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

# --- s01 [revoke-sessions] Deny sessions of user mallory@example.com in permission set Admin
# Why: Removing access does not end sessions already issued:
# AWSReservedSSO_Admin_* roles cannot be edited through IAM, so the deny goes
# into the permission set's inline policy, merged with the statements already
# there (none is dropped; a statement with the same Sid from an earlier run is
# replaced). It denies user mallory@example.com's sessions
# (identitystore:userId 9067c0ff06-aaaa0002-0000-4000-8000-000000000002), now
# and later.
printf '%s\n' 's01: Deny sessions of user mallory@example.com in permission set Admin'
# The live inline policy must still be the one this plan merged with.
live=$(aws sso-admin get-inline-policy-for-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000001' --region 'eu-west-1' --query InlinePolicy --output text)
if [ "$live" = None ]; then live=''; fi
live_sha=''
if [ -n "$live" ]; then live_sha=$(printf '%s' "$live" | sha256_of); fi
if [ "$live_sha" != '' ]; then
  printf '%s\n' 's01: the inline policy changed since the snapshot; build the plan again from live state (--from aws)' >&2
  exit 1
fi
aws sso-admin put-inline-policy-to-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000001' --inline-policy '{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyUser9067c0ff06aaaa0002000040008000000000000002","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"StringEquals":{"identitystore:userId":"9067c0ff06-aaaa0002-0000-4000-8000-000000000002"}}}]}' --region 'eu-west-1'

# --- s02 [revoke-sessions] Provision permission set Admin to the 2 account(s) it is provisioned to
# Why: A permission set change reaches the AWSReservedSSO roles in member
# accounts only when it is provisioned; the deny takes effect on the next
# request of each live session.
printf '%s\n' 's02: Provision permission set Admin to the 2 account(s) it is provisioned to'
s02_RequestId=$(aws sso-admin provision-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000001' --target-type 'ALL_PROVISIONED_ACCOUNTS' --region 'eu-west-1' --query 'PermissionSetProvisioningStatus.RequestId' --output text)
wait_status 's02' aws sso-admin describe-permission-set-provisioning-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --provision-permission-set-request-id "$s02_RequestId" --region 'eu-west-1' --query 'PermissionSetProvisioningStatus.Status' --output text

# --- s03 [remove-assignments] Delete the assignment of user mallory@example.com to Admin in account 222222222222
# Why: The assignment gives the principal a way to sign in to the account with
# this permission set. Deletion is asynchronous: wait until
# DescribeAccountAssignmentDeletionStatus reports SUCCEEDED.
printf '%s\n' 's03: Delete the assignment of user mallory@example.com to Admin in account 222222222222'
s03_RequestId=$(aws sso-admin delete-account-assignment --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --target-id '222222222222' --target-type 'AWS_ACCOUNT' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000001' --principal-type 'USER' --principal-id '9067c0ff06-aaaa0002-0000-4000-8000-000000000002' --region 'eu-west-1' --query 'AccountAssignmentDeletionStatus.RequestId' --output text)
wait_status 's03' aws sso-admin describe-account-assignment-deletion-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --account-assignment-deletion-request-id "$s03_RequestId" --region 'eu-west-1' --query 'AccountAssignmentDeletionStatus.Status' --output text

printf '%s\n' 'portcullis: plan sha256:98b6d0e47d20fe34d2be1b1ad4ebeb9e709995066f4c421e6fa96fe742946683 done; now check the verification list.'
