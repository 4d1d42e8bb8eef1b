#!/usr/bin/env bash
# portcullis containment plan sha256:19116cfcdc13b916591c2b896f4ddc6622b4dff3e4467c9934092b91fe3b62ce (portcullis.plan/v1)
# generated 2026-03-02T09:30:00Z: sessions issued before this instant are revoked.
# subject: user eve@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000088), externally provisioned identity
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

# --- s01 [revoke-sessions] Deny sessions of user eve@example.com in permission set AdministratorAccess
# Why: Removing access does not end sessions already issued:
# AWSReservedSSO_AdministratorAccess_* roles cannot be edited through IAM, so
# the deny goes into the permission set's inline policy, merged with the
# statements already there (none is dropped; a statement with the same Sid
# from an earlier run is replaced). It denies user eve@example.com's sessions
# (identitystore:userId 9067a00001-0000aaaa-1111-4111-8111-000000000088), now
# and later.
printf '%s\n' 's01: Deny sessions of user eve@example.com in permission set AdministratorAccess'
# The live inline policy must still be the one this plan merged with.
live=$(aws sso-admin get-inline-policy-for-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --query InlinePolicy --output text)
if [ "$live" = None ]; then live=''; fi
live_sha=''
if [ -n "$live" ]; then live_sha=$(printf '%s' "$live" | sha256_of); fi
if [ "$live_sha" != '' ]; then
  printf '%s\n' 's01: the inline policy changed since the snapshot; build the plan again from live state (--from aws)' >&2
  exit 1
fi
aws sso-admin put-inline-policy-to-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --inline-policy '{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyUser9067a000010000aaaa111141118111000000000088","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"StringEquals":{"identitystore:userId":"9067a00001-0000aaaa-1111-4111-8111-000000000088"}}}]}'

# --- s02 [revoke-sessions] Provision permission set AdministratorAccess to the 3 account(s) it is provisioned to
# Why: A permission set change reaches the AWSReservedSSO roles in member
# accounts only when it is provisioned; the deny takes effect on the next
# request of each live session.
printf '%s\n' 's02: Provision permission set AdministratorAccess to the 3 account(s) it is provisioned to'
s02_RequestId=$(aws sso-admin provision-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000001' --target-type 'ALL_PROVISIONED_ACCOUNTS' --query 'PermissionSetProvisioningStatus.RequestId' --output text)
wait_status 's02' aws sso-admin describe-permission-set-provisioning-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --provision-permission-set-request-id "$s02_RequestId" --query 'PermissionSetProvisioningStatus.Status' --output text

# --- s03 [revoke-sessions] Deny sessions of user eve@example.com in permission set DevAccess
# Why: Removing access does not end sessions already issued:
# AWSReservedSSO_DevAccess_* roles cannot be edited through IAM, so the deny
# goes into the permission set's inline policy, merged with the statements
# already there (none is dropped; a statement with the same Sid from an
# earlier run is replaced). It denies user eve@example.com's sessions
# (identitystore:userId 9067a00001-0000aaaa-1111-4111-8111-000000000088), now
# and later.
printf '%s\n' 's03: Deny sessions of user eve@example.com in permission set DevAccess'
# The live inline policy must still be the one this plan merged with.
live=$(aws sso-admin get-inline-policy-for-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000004' --query InlinePolicy --output text)
if [ "$live" = None ]; then live=''; fi
live_sha=''
if [ -n "$live" ]; then live_sha=$(printf '%s' "$live" | sha256_of); fi
if [ "$live_sha" != 'f61f8e08ca80b669f102559925d8671d50b081fffb57dba432cbd2bcc1381437' ]; then
  printf '%s\n' 's03: the inline policy changed since the snapshot; build the plan again from live state (--from aws)' >&2
  exit 1
fi
aws sso-admin put-inline-policy-to-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000004' --inline-policy '{"Version":"2012-10-17","Statement":[{"Sid":"DenyBilling","Effect":"Deny","Action":"aws-portal:*","Resource":"*"},{"Sid":"AllowLogs","Effect":"Allow","Action":["logs:Get*","logs:FilterLogEvents"],"Resource":"*"},{"Sid":"PortcullisDenyUser9067a000010000aaaa111141118111000000000088","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"StringEquals":{"identitystore:userId":"9067a00001-0000aaaa-1111-4111-8111-000000000088"}}}]}'

# --- s04 [revoke-sessions] Provision permission set DevAccess to the 1 account(s) it is provisioned to
# Why: A permission set change reaches the AWSReservedSSO roles in member
# accounts only when it is provisioned; the deny takes effect on the next
# request of each live session.
printf '%s\n' 's04: Provision permission set DevAccess to the 1 account(s) it is provisioned to'
s04_RequestId=$(aws sso-admin provision-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000004' --target-type 'ALL_PROVISIONED_ACCOUNTS' --query 'PermissionSetProvisioningStatus.RequestId' --output text)
wait_status 's04' aws sso-admin describe-permission-set-provisioning-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --provision-permission-set-request-id "$s04_RequestId" --query 'PermissionSetProvisioningStatus.Status' --output text

# --- s05 [revoke-sessions] Deny sessions of user eve@example.com in permission set ReadOnly
# Why: Removing access does not end sessions already issued:
# AWSReservedSSO_ReadOnly_* roles cannot be edited through IAM, so the deny
# goes into the permission set's inline policy, merged with the statements
# already there (none is dropped; a statement with the same Sid from an
# earlier run is replaced). It denies user eve@example.com's sessions
# (identitystore:userId 9067a00001-0000aaaa-1111-4111-8111-000000000088), now
# and later.
printf '%s\n' 's05: Deny sessions of user eve@example.com in permission set ReadOnly'
# The live inline policy must still be the one this plan merged with.
live=$(aws sso-admin get-inline-policy-for-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000002' --query InlinePolicy --output text)
if [ "$live" = None ]; then live=''; fi
live_sha=''
if [ -n "$live" ]; then live_sha=$(printf '%s' "$live" | sha256_of); fi
if [ "$live_sha" != '' ]; then
  printf '%s\n' 's05: the inline policy changed since the snapshot; build the plan again from live state (--from aws)' >&2
  exit 1
fi
aws sso-admin put-inline-policy-to-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000002' --inline-policy '{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyUser9067a000010000aaaa111141118111000000000088","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"StringEquals":{"identitystore:userId":"9067a00001-0000aaaa-1111-4111-8111-000000000088"}}}]}'

# --- s06 [revoke-sessions] Provision permission set ReadOnly to the 1 account(s) it is provisioned to
# Why: A permission set change reaches the AWSReservedSSO roles in member
# accounts only when it is provisioned; the deny takes effect on the next
# request of each live session.
printf '%s\n' 's06: Provision permission set ReadOnly to the 1 account(s) it is provisioned to'
s06_RequestId=$(aws sso-admin provision-permission-set --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000002' --target-type 'ALL_PROVISIONED_ACCOUNTS' --query 'PermissionSetProvisioningStatus.RequestId' --output text)
wait_status 's06' aws sso-admin describe-permission-set-provisioning-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --provision-permission-set-request-id "$s06_RequestId" --query 'PermissionSetProvisioningStatus.Status' --output text

# --- s07 [remove-assignments] Delete the assignment of user eve@example.com to ReadOnly in account 333333333333
# Why: The assignment gives the principal a way to sign in to the account with
# this permission set. Deletion is asynchronous: wait until
# DescribeAccountAssignmentDeletionStatus reports SUCCEEDED.
printf '%s\n' 's07: Delete the assignment of user eve@example.com to ReadOnly in account 333333333333'
s07_RequestId=$(aws sso-admin delete-account-assignment --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --target-id '333333333333' --target-type 'AWS_ACCOUNT' --permission-set-arn 'arn:aws:sso:::permissionSet/ssoins-7223a1b2c3d4e5f6/ps-a000000000000002' --principal-type 'USER' --principal-id '9067a00001-0000aaaa-1111-4111-8111-000000000088' --query 'AccountAssignmentDeletionStatus.RequestId' --output text)
wait_status 's07' aws sso-admin describe-account-assignment-deletion-status --instance-arn 'arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6' --account-assignment-deletion-request-id "$s07_RequestId" --query 'AccountAssignmentDeletionStatus.Status' --output text

# --- s08 [remove-memberships] Look up the membership id of eve@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000088) in group AWSAdmins (9067a00001-0000bbbb-2222-4222-8222-000000000001)
# Why: DeleteGroupMembership needs the membership id, which the state does not
# have.
printf '%s\n' 's08: Look up the membership id of eve@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000088) in group AWSAdmins (9067a00001-0000bbbb-2222-4222-8222-000000000001)'
s08_MembershipId=$(aws identitystore get-group-membership-id --identity-store-id 'd-9067a1b2c3' --group-id '9067a00001-0000bbbb-2222-4222-8222-000000000001' --member-id 'UserId=9067a00001-0000aaaa-1111-4111-8111-000000000088' --query 'MembershipId' --output text)

# --- s09 [remove-memberships] Remove eve@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000088) from group AWSAdmins (9067a00001-0000bbbb-2222-4222-8222-000000000001)
# Why: Membership of a privileged group is a path to its permission sets in
# every account the group is assigned. The identity is provisioned from an
# external IdP: also remove it there (next step), or SCIM adds it back on the
# next sync.
printf '%s\n' 's09: Remove eve@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000088) from group AWSAdmins (9067a00001-0000bbbb-2222-4222-8222-000000000001)'
aws identitystore delete-group-membership --identity-store-id 'd-9067a1b2c3' --membership-id "$s08_MembershipId"

# --- s10 [remove-memberships] Remove eve@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000088) from group Developers (9067a00001-0000bbbb-2222-4222-8222-000000000002)
# Why: Membership of a privileged group is a path to its permission sets in
# every account the group is assigned. The identity is provisioned from an
# external IdP: also remove it there (next step), or SCIM adds it back on the
# next sync.
printf '%s\n' 's10: Remove eve@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000088) from group Developers (9067a00001-0000bbbb-2222-4222-8222-000000000002)'
aws identitystore delete-group-membership --identity-store-id 'd-9067a1b2c3' --membership-id '9067a00001-0000cccc-3333-4333-8333-000000000028'

# --- s11 [remove-memberships, MANUAL] In the identity provider: remove the user from AWSAdmins (9067a00001-0000bbbb-2222-4222-8222-000000000001), Developers (9067a00001-0000bbbb-2222-4222-8222-000000000002), and disable the user or reset its credentials and MFA for eve@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000088)
# Why: The identity is provisioned by SCIM from an external IdP (external id
# or external_idp identity source): SCIM re-adds users and memberships on its
# next sync unless the IdP changes too.
# MANUAL: a person does this (see Why).
printf '%s\n' 's11: MANUAL step left for a person: In the identity provider: remove the user from AWSAdmins (9067a00001-0000bbbb-2222-4222-8222-000000000001), Developers (9067a00001-0000bbbb-2222-4222-8222-000000000002), and disable the user or reset its credentials and MFA for eve@example.com (9067a00001-0000aaaa-1111-4111-8111-000000000088)'

# --- s12 [remove-memberships, MANUAL] Rotate the SCIM access token (console only)
# Why: A SCIM bearer token can create users and set group memberships; an
# attacker who holds it can provision the access back. There is no API for it:
# in the IAM Identity Center console choose Settings > Identity source >
# Actions > Manage provisioning, note the current token id under Access
# tokens, generate a new token (at most two exist: delete an unused one
# first), configure the new token in the IdP and test provisioning, then
# delete the old token.
# MANUAL: a person does this (see Why).
printf '%s\n' 's12: MANUAL step left for a person: Rotate the SCIM access token (console only)'

printf '%s\n' 'portcullis: plan sha256:19116cfcdc13b916591c2b896f4ddc6622b4dff3e4467c9934092b91fe3b62ce done; now check the verification list.'
