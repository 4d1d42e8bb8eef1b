#!/usr/bin/env bash
# portcullis containment plan sha256:79855da29fbff922bb5baa92436e7e63fe97a2894e283f892c924369db9ba835 (portcullis.plan/v1)
# generated 2026-03-02T09:30:00Z: sessions issued before this instant are revoked.
# subject: finding pf-3d4e5f60718293a4b5c6d7e8 (idc.permission-set.admin-policy-attached), permission set DevAccess (arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000004)
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

# --- s01 [revoke-sessions] Deny all sessions issued before 2026-03-02T09:30:00Z in permission set DevAccess
# Why: Removing access does not end sessions already issued:
# AWSReservedSSO_DevAccess_* roles cannot be edited through IAM, so the deny
# goes into the permission set's inline policy, merged with the statements
# already there (none is dropped; a statement with the same Sid from an
# earlier run is replaced). It denies every session issued before
# 2026-03-02T09:30:00Z.
printf '%s\n' 's01: Deny all sessions issued before 2026-03-02T09:30:00Z in permission set DevAccess'
# The live inline policy must still be the one this plan merged with.
live=$(aws sso-admin get-inline-policy-for-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000004' --query InlinePolicy --output text)
if [ "$live" = None ]; then live=''; fi
live_sha=''
if [ -n "$live" ]; then live_sha=$(printf '%s' "$live" | sha256_of); fi
if [ "$live_sha" != 'f61f8e08ca80b669f102559925d8671d50b081fffb57dba432cbd2bcc1381437' ]; then
  printf '%s\n' 's01: the inline policy changed since the snapshot; build the plan again from live state (--from aws)' >&2
  exit 1
fi
aws sso-admin put-inline-policy-to-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000004' --inline-policy '{"Version":"2012-10-17","Statement":[{"Sid":"DenyBilling","Effect":"Deny","Action":"aws-portal:*","Resource":"*"},{"Sid":"AllowLogs","Effect":"Allow","Action":["logs:Get*","logs:FilterLogEvents"],"Resource":"*"},{"Sid":"PortcullisDenyIssuedBefore","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-03-02T09:30:00Z"}}}]}'

# --- s02 [remove-persistence] Detach arn:aws:iam::aws:policy/AdministratorAccess from permission set DevAccess
# Why: The policy gives the permission set admin or privileged access the
# attacker added; sessions issued after the provisioning no longer get it.
printf '%s\n' 's02: Detach arn:aws:iam::aws:policy/AdministratorAccess from permission set DevAccess'
aws sso-admin detach-managed-policy-from-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000004' --managed-policy-arn 'arn:aws:iam::aws:policy/AdministratorAccess'

# --- s03 [remove-persistence] Restore the session duration of DevAccess from PT12H to PT4H
# Why: A long session (PT12H) keeps stolen credentials alive; PT4H is the
# configured maximum (max_session_duration).
printf '%s\n' 's03: Restore the session duration of DevAccess from PT12H to PT4H'
aws sso-admin update-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000004' --session-duration 'PT4H'

# --- s04 [revoke-sessions] Provision permission set DevAccess to the 1 account(s) it is provisioned to
# Why: A permission set change reaches the AWSReservedSSO roles in member
# accounts only when it is provisioned; the deny takes effect on the next
# request of each live session.
printf '%s\n' 's04: Provision permission set DevAccess to the 1 account(s) it is provisioned to'
s04_RequestId=$(aws sso-admin provision-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000004' --target-type 'ALL_PROVISIONED_ACCOUNTS' --query 'PermissionSetProvisioningStatus.RequestId' --output text)
wait_status 's04' aws sso-admin describe-permission-set-provisioning-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --provision-permission-set-request-id "$s04_RequestId" --query 'PermissionSetProvisioningStatus.Status' --output text

printf '%s\n' 'portcullis: plan sha256:79855da29fbff922bb5baa92436e7e63fe97a2894e283f892c924369db9ba835 done; now check the verification list.'
