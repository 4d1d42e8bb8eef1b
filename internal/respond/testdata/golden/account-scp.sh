#!/usr/bin/env bash
# portcullis containment plan sha256:19e53a7067205c9197b6b1c6c692cd5ca98b58d23bf948436e74bb99f72f47e2 (portcullis.plan/v1)
# generated 2026-03-02T09:30:00Z: sessions issued before this instant are revoked.
# subject: account 444444444444
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

# --- s01 [revoke-sessions] Create an SCP denying all sessions issued before 2026-03-02T09:30:00Z of every permission set
# Why: An account alone names no permission set, so a service control policy
# ends every Identity Center session in it (yours too: sign in again
# afterwards): for the AWSReservedSSO_<name>_* roles (aws:PrincipalArn) it
# denies every session issued before 2026-03-02T09:30:00Z. Needs
# management-account (or Organizations delegated-admin) credentials and SCPs
# enabled on the root; a target holds at most 5 SCPs; SCPs never apply to the
# management account.
printf '%s\n' 's01: Create an SCP denying all sessions issued before 2026-03-02T09:30:00Z of every permission set'
s01_PolicyId=$(aws organizations create-policy --type 'SERVICE_CONTROL_POLICY' --name 'portcullis-contain-20260302T093000Z' --description 'portcullis containment 2026-03-02T09:30:00Z: deny Identity Center sessions of every permission set' --content '{"Version":"2012-10-17","Statement":[{"Sid":"PortcullisDenyIdentityCenterSessions","Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*","arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_*"]},"DateLessThan":{"aws:TokenIssueTime":"2026-03-02T09:30:00Z"}}}]}' --query 'Policy.PolicySummary.Id' --output text)

# --- s02 [revoke-sessions] Attach the SCP to account 444444444444
# Why: The SCP takes effect on the next request of every session in the
# account it is attached to.
printf '%s\n' 's02: Attach the SCP to account 444444444444'
aws organizations attach-policy --policy-id "$s01_PolicyId" --target-id '444444444444'

printf '%s\n' 'portcullis: plan sha256:19e53a7067205c9197b6b1c6c692cd5ca98b58d23bf948436e74bb99f72f47e2 done; now check the verification list.'
