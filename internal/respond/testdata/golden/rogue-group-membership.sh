#!/usr/bin/env bash
# portcullis containment plan sha256:520318a828c13abb50b9da8b9bbfc0063176899844a3fcf069567fd760842726 (portcullis.plan/v1)
# generated 2026-03-02T09:30:00Z: sessions issued before this instant are revoked.
# subject: finding pf-1b2c3d4e5f60718293a4b5c6 (idc.directory.privileged-group-member-added), user trent@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000077), group 9067a00001-0000bbbb-2222-4222-8222-000000000001
# Read every command before you run it. Manual steps are commented out.
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

# --- s01 [revoke-sessions] Deny sessions of user trent@example.com in permission set AdministratorAccess
# Why: Removing access does not end sessions already issued:
# AWSReservedSSO_AdministratorAccess_* roles cannot be edited through IAM, so
# the deny goes into the permission set's inline policy, merged with the
# statements already there (none is dropped; a statement with the same Sid
# from an earlier run is replaced). It denies user trent@example.com's
# sessions (identitystore:userId
# 9067a00001-0000aaaa-1111-4111-8111-000000000077), now and later.
printf '%s\n' 's01: Deny sessions of user trent@example.com in permission set AdministratorAccess'
# The live inline policy must still be the one this plan merged with.
live=$(aws sso-admin get-inline-policy-for-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --query InlinePolicy --output text)
if [ "$live" = None ]; then live=''; fi
live_sha=''
if [ -n "$live" ]; then live_sha=$(printf '%s' "$live" | sha256_of); fi
if [ "$live_sha" != '' ]; then
  printf '%s\n' 's01: the inline policy changed since the snapshot; build the plan again from live state (--from aws)' >&2
  exit 1
fi
aws sso-admin put-inline-policy-to-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --inline-policy '{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyUser9067a000010000aaaa111141118111000000000077","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"StringEquals":{"identitystore:userId":"9067a00001-0000aaaa-1111-4111-8111-000000000077"}}}]}'

# --- s02 [revoke-sessions] Provision permission set AdministratorAccess to the 3 account(s) it is provisioned to
# Why: A permission set change reaches the AWSReservedSSO roles in member
# accounts only when it is provisioned; the deny takes effect on the next
# request of each live session.
printf '%s\n' 's02: Provision permission set AdministratorAccess to the 3 account(s) it is provisioned to'
s02_RequestId=$(aws sso-admin provision-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --target-type 'ALL_PROVISIONED_ACCOUNTS' --query 'PermissionSetProvisioningStatus.RequestId' --output text)
wait_status 's02' aws sso-admin describe-permission-set-provisioning-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --provision-permission-set-request-id "$s02_RequestId" --query 'PermissionSetProvisioningStatus.Status' --output text

# --- s03 [remove-memberships] Remove trent@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000077) from group AWSAdmins (9067a00001-0000bbbb-2222-4222-8222-000000000001)
# Why: Membership of a privileged group is a path to its permission sets in
# every account the group is assigned.
printf '%s\n' 's03: Remove trent@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000077) from group AWSAdmins (9067a00001-0000bbbb-2222-4222-8222-000000000001)'
aws identitystore delete-group-membership --identity-store-id 'd-9067a1b2c3' --membership-id '9067a00001-0000cccc-3333-4333-8333-000000000017'

printf '%s\n' 'portcullis: plan sha256:520318a828c13abb50b9da8b9bbfc0063176899844a3fcf069567fd760842726 done; now check the verification list.'
