#!/usr/bin/env bash
# portcullis containment plan sha256:988a2921df0b8eeb8fce78fd219ab7533f63b7c9a4c4e0e8b7ff507696c621b4 (portcullis.plan/v1)
# generated 2026-04-01T10:00:00Z: sessions issued before this instant are revoked.
# subject: finding pf-6a0000000000000000000003 (idc.permission-set.created), permission set Backdoor (arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000009)
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

# --- s01 [revoke-sessions] Deny all sessions issued before 2026-04-01T10:00:00Z in permission set Backdoor
# Why: Removing access does not end sessions already issued:
# AWSReservedSSO_Backdoor_* roles cannot be edited through IAM, so the deny
# goes into the permission set's inline policy, merged with the statements
# already there (none is dropped; a statement with the same Sid from an
# earlier run is replaced). It denies every session issued before
# 2026-04-01T10:00:00Z.
printf '%s\n' 's01: Deny all sessions issued before 2026-04-01T10:00:00Z in permission set Backdoor'
# The live inline policy must still be the one this plan merged with.
live=$(aws sso-admin get-inline-policy-for-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000009' --region 'eu-west-1' --query InlinePolicy --output text)
if [ "$live" = None ]; then live=''; fi
live_sha=''
if [ -n "$live" ]; then live_sha=$(printf '%s' "$live" | sha256_of); fi
if [ "$live_sha" != '' ]; then
  printf '%s\n' 's01: the inline policy changed since the snapshot; build the plan again from live state (--from aws)' >&2
  exit 1
fi
aws sso-admin put-inline-policy-to-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000009' --inline-policy '{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyIssuedBefore","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-04-01T10:00:00Z"}}}]}' --region 'eu-west-1'

# --- s02 [remove-persistence] Detach arn:aws:iam::aws:policy/AdministratorAccess from permission set Backdoor
# Why: The permission set is rogue: strip its admin/privileged managed
# policies at once, so it is harmless even before it is deleted.
printf '%s\n' 's02: Detach arn:aws:iam::aws:policy/AdministratorAccess from permission set Backdoor'
aws sso-admin detach-managed-policy-from-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000009' --managed-policy-arn 'arn:aws:iam::aws:policy/AdministratorAccess' --region 'eu-west-1'

# --- s03 [remove-persistence] Detach arn:aws:iam::aws:policy/IAMFullAccess from permission set Backdoor
# Why: The permission set is rogue: strip its admin/privileged managed
# policies at once, so it is harmless even before it is deleted.
printf '%s\n' 's03: Detach arn:aws:iam::aws:policy/IAMFullAccess from permission set Backdoor'
aws sso-admin detach-managed-policy-from-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000009' --managed-policy-arn 'arn:aws:iam::aws:policy/IAMFullAccess' --region 'eu-west-1'

# --- s04 [remove-persistence] Restore the session duration of Backdoor from PT12H to PT4H
# Why: A long session (PT12H) keeps stolen credentials alive; PT4H is the
# configured maximum (max_session_duration).
printf '%s\n' 's04: Restore the session duration of Backdoor from PT12H to PT4H'
aws sso-admin update-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000009' --session-duration 'PT4H' --region 'eu-west-1'

# --- s05 [revoke-sessions] Provision permission set Backdoor to the 2 account(s) it is provisioned to
# Why: A permission set change reaches the AWSReservedSSO roles in member
# accounts only when it is provisioned; the deny takes effect on the next
# request of each live session.
printf '%s\n' 's05: Provision permission set Backdoor to the 2 account(s) it is provisioned to'
s05_RequestId=$(aws sso-admin provision-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000009' --target-type 'ALL_PROVISIONED_ACCOUNTS' --region 'eu-west-1' --query 'PermissionSetProvisioningStatus.RequestId' --output text)
wait_status 's05' aws sso-admin describe-permission-set-provisioning-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --provision-permission-set-request-id "$s05_RequestId" --region 'eu-west-1' --query 'PermissionSetProvisioningStatus.Status' --output text

# --- s06 [remove-assignments] Delete the assignment of user mallory@example.com to Backdoor in account 222222222222
# Why: Every assignment of a rogue permission set goes, so the set can be
# deleted. Deletion is asynchronous: wait until
# DescribeAccountAssignmentDeletionStatus reports SUCCEEDED.
printf '%s\n' 's06: Delete the assignment of user mallory@example.com to Backdoor in account 222222222222'
s06_RequestId=$(aws sso-admin delete-account-assignment --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --target-id '222222222222' --target-type 'AWS_ACCOUNT' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000009' --principal-type 'USER' --principal-id '9067c0ff06-aaaa0002-0000-4000-8000-000000000002' --region 'eu-west-1' --query 'AccountAssignmentDeletionStatus.RequestId' --output text)
wait_status 's06' aws sso-admin describe-account-assignment-deletion-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --account-assignment-deletion-request-id "$s06_RequestId" --region 'eu-west-1' --query 'AccountAssignmentDeletionStatus.Status' --output text

# --- s07 [remove-assignments] Delete the assignment of user mallory@example.com to Backdoor in account 333333333333
# Why: Every assignment of a rogue permission set goes, so the set can be
# deleted. Deletion is asynchronous: wait until
# DescribeAccountAssignmentDeletionStatus reports SUCCEEDED.
printf '%s\n' 's07: Delete the assignment of user mallory@example.com to Backdoor in account 333333333333'
s07_RequestId=$(aws sso-admin delete-account-assignment --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --target-id '333333333333' --target-type 'AWS_ACCOUNT' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000009' --principal-type 'USER' --principal-id '9067c0ff06-aaaa0002-0000-4000-8000-000000000002' --region 'eu-west-1' --query 'AccountAssignmentDeletionStatus.RequestId' --output text)
wait_status 's07' aws sso-admin describe-account-assignment-deletion-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --account-assignment-deletion-request-id "$s07_RequestId" --region 'eu-west-1' --query 'AccountAssignmentDeletionStatus.Status' --output text

# --- s08 [remove-persistence] Delete the rogue permission set Backdoor
# Why: A rogue permission set is persistence: anyone who can assign it regains
# its access in one call. Its assignments are gone (the deletions above waited
# for SUCCEEDED), so Identity Center has removed its roles; it refuses
# (ConflictException) while any assignment is left.
printf '%s\n' 's08: Delete the rogue permission set Backdoor'
aws sso-admin delete-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223c0ffee600006' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223c0ffee600006/ps-6000c0ffee000009' --region 'eu-west-1'

printf '%s\n' 'portcullis: plan sha256:988a2921df0b8eeb8fce78fd219ab7533f63b7c9a4c4e0e8b7ff507696c621b4 done; now check the verification list.'
