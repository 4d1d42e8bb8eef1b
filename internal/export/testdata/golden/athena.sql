# ==== idc.exporttest.context (partial)
-- idc.exporttest.context: Export test: config placeholders and record-derived fields (high)
-- portcullis rules export --format athena, from testdata/rules/context.yml
-- partially expressed: results are a superset; run them through portcullis (hunt) to confirm
-- not expressible in SQL: portcullis.actor.allowlisted in admin: admins entries matched on the caller's ARN only; Identity Center user names and ids, role ARNs rebuilt from session ARNs need portcullis
-- %sensitive_accounts% expanded from rules/testcontext.yaml: 222222222222
-- note: severity high as written; portcullis sets it per finding: allow-listed admins low, anyone else at least medium, failed calls low
SELECT
  'idc.exporttest.context' AS rule,
  eventtime,
  eventid,
  eventsource,
  eventname,
  awsregion,
  recipientaccountid,
  useridentity.arn AS actor_arn,
  sourceipaddress,
  errorcode,
  requestparameters,
  "$path" AS object
FROM "security"."cloudtrail_logs"
WHERE "timestamp" >= '2026/11/01'
  AND eventtime >= '2026-11-01T00:00:00Z'
  AND lower(eventsource) = 'sso.amazonaws.com'
  AND lower(eventname) = 'createaccountassignment'
  AND lower(json_extract_scalar(requestparameters, '$.targetId')) = '222222222222'
  AND (errorcode IS NULL OR errorcode = '')
  AND NOT coalesce(
    useridentity.arn LIKE 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO\_IdentityAdmins\_%/%' ESCAPE '\'
    OR useridentity.arn = 'arn:aws:iam::111111111111:role/TerraformDeploy'
    OR (
      useridentity.type IN ('AssumedRole', 'FederatedUser')
      AND useridentity.sessioncontext.sessionissuer.arn = 'arn:aws:iam::111111111111:role/TerraformDeploy'
    )
    OR useridentity.arn LIKE 'arn:aws:iam::%:role/PlatformPipeline'
    OR (
      useridentity.type IN ('AssumedRole', 'FederatedUser')
      AND useridentity.sessioncontext.sessionissuer.arn LIKE 'arn:aws:iam::%:role/PlatformPipeline'
    )
  , FALSE)
ORDER BY eventtime, eventid
# ==== idc.exporttest.failed (full)
-- idc.exporttest.failed: Export test: failed calls (low)
-- portcullis rules export --format athena, from testdata/rules/failed.yml
-- fully expressed in Athena SQL: returns exactly the events the rule matches
-- note: severity low as written; portcullis sets it per finding: allow-listed admins low, anyone else at least medium, failed calls low
SELECT
  'idc.exporttest.failed' AS rule,
  eventtime,
  eventid,
  eventsource,
  eventname,
  awsregion,
  recipientaccountid,
  useridentity.arn AS actor_arn,
  sourceipaddress,
  errorcode,
  requestparameters,
  "$path" AS object
FROM "security"."cloudtrail_logs"
WHERE "timestamp" >= '2026/11/01'
  AND eventtime >= '2026-11-01T00:00:00Z'
  AND lower(eventsource) = 'sso.amazonaws.com'
  AND lower(eventname) = 'deleteinstance'
  AND NOT (errorcode IS NULL OR errorcode = '')
ORDER BY eventtime, eventid
# ==== idc.exporttest.index (partial)
-- idc.exporttest.index: Export test: an element of a list (low)
-- portcullis rules export --format athena, from testdata/rules/index.yml
-- partially expressed: results are a superset; run them through portcullis (hunt) to confirm
-- not expressible in SQL: resources.0.ARN|startswith in selection: resources is a list in the CloudTrail table: paths into its elements are not mapped
-- note: severity low as written; portcullis sets it per finding: allow-listed admins low, anyone else at least medium, failed calls low
SELECT
  'idc.exporttest.index' AS rule,
  eventtime,
  eventid,
  eventsource,
  eventname,
  awsregion,
  recipientaccountid,
  useridentity.arn AS actor_arn,
  sourceipaddress,
  errorcode,
  requestparameters,
  "$path" AS object
FROM "security"."cloudtrail_logs"
WHERE "timestamp" >= '2026/11/01'
  AND eventtime >= '2026-11-01T00:00:00Z'
  AND lower(eventsource) = 'sso.amazonaws.com'
  AND lower(eventname) = 'tagresource'
ORDER BY eventtime, eventid
# ==== idc.exporttest.lists (full)
-- idc.exporttest.lists: Export test: empty lists and a regular-expression filter (low)
-- portcullis rules export --format athena, from testdata/rules/lists.yml
-- fully expressed in Athena SQL: returns exactly the events the rule matches
-- note: severity low as written; portcullis sets it per finding: allow-listed admins low, anyone else at least medium, failed calls low
SELECT
  'idc.exporttest.lists' AS rule,
  eventtime,
  eventid,
  eventsource,
  eventname,
  awsregion,
  recipientaccountid,
  useridentity.arn AS actor_arn,
  sourceipaddress,
  errorcode,
  requestparameters,
  "$path" AS object
FROM "security"."cloudtrail_logs"
WHERE "timestamp" >= '2026/11/01'
  AND eventtime >= '2026-11-01T00:00:00Z'
  AND lower(eventsource) = 'sso.amazonaws.com'
  AND lower(eventname) = 'tagresource'
  AND lower(json_extract_scalar(requestparameters, '$.resourceArn')) LIKE '%permissionset%'
  AND NOT coalesce(json_format(json_extract(requestparameters, '$.tags')), 'null') IN ('null', '[]')
  AND NOT coalesce(regexp_like(json_extract_scalar(requestparameters, '$.resourceArn'), 'ps-0{4}'), FALSE)
ORDER BY eventtime, eventid
# ==== idc.exporttest.negation (full)
-- idc.exporttest.negation: Export test: negations and lists (medium)
-- portcullis rules export --format athena, from testdata/rules/negation.yml
-- fully expressed in Athena SQL: returns exactly the events the rule matches
-- note: severity medium as written; portcullis sets it per finding: allow-listed admins low, anyone else at least medium, failed calls low
SELECT
  'idc.exporttest.negation' AS rule,
  eventtime,
  eventid,
  eventsource,
  eventname,
  awsregion,
  recipientaccountid,
  useridentity.arn AS actor_arn,
  sourceipaddress,
  errorcode,
  requestparameters,
  "$path" AS object
FROM "security"."cloudtrail_logs"
WHERE "timestamp" >= '2026/11/01'
  AND eventtime >= '2026-11-01T00:00:00Z'
  AND lower(eventsource) = 'sso.amazonaws.com'
  AND lower(eventname) IN ('createaccountassignment', 'deleteaccountassignment')
  AND NOT coalesce(
    lower(json_extract_scalar(requestparameters, '$.targetType')) = 'all_provisioned_accounts'
    OR json_extract_scalar(requestparameters, '$.principalType') = 'GROUP'
  , FALSE)
ORDER BY eventtime, eventid
# ==== idc.exporttest.network (full)
-- idc.exporttest.network: Export test: addresses, regular expressions, all of several values (low)
-- portcullis rules export --format athena, from testdata/rules/network.yml
-- fully expressed in Athena SQL: returns exactly the events the rule matches
-- note: severity low as written; portcullis sets it per finding: allow-listed admins low, anyone else at least medium, failed calls low
SELECT
  'idc.exporttest.network' AS rule,
  eventtime,
  eventid,
  eventsource,
  eventname,
  awsregion,
  recipientaccountid,
  useridentity.arn AS actor_arn,
  sourceipaddress,
  errorcode,
  requestparameters,
  "$path" AS object
FROM "security"."cloudtrail_logs"
WHERE "timestamp" >= '2026/11/01'
  AND eventtime >= '2026-11-01T00:00:00Z'
  AND lower(eventsource) = 'signin.amazonaws.com'
  AND (
    regexp_like(sourceipaddress, '^10\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$')
    OR regexp_like(sourceipaddress, '^192\.168\.1\.(0|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15)$')
  )
  AND lower(useragent) LIKE '%mozilla%'
  AND lower(useragent) LIKE '%firefox%'
  AND regexp_like(json_extract_scalar(additionaleventdata, '$.CredentialType'), '^(PASSWORD|TOTP)$')
ORDER BY eventtime, eventid
# ==== idc.exporttest.strings (full)
-- idc.exporttest.strings: Export test: string comparisons (medium)
-- portcullis rules export --format athena, from testdata/rules/strings.yml
-- fully expressed in Athena SQL: returns exactly the events the rule matches
-- note: severity medium as written; portcullis sets it per finding: allow-listed admins low, anyone else at least medium, failed calls low
SELECT
  'idc.exporttest.strings' AS rule,
  eventtime,
  eventid,
  eventsource,
  eventname,
  awsregion,
  recipientaccountid,
  useridentity.arn AS actor_arn,
  sourceipaddress,
  errorcode,
  requestparameters,
  "$path" AS object
FROM "security"."cloudtrail_logs"
WHERE "timestamp" >= '2026/11/01'
  AND eventtime >= '2026-11-01T00:00:00Z'
  AND (
    (
      lower(eventsource) = 'sso.amazonaws.com'
      AND lower(eventname) LIKE '%permissionsboundary%'
    )
    OR (
      lower(eventsource) = 'sso.amazonaws.com'
      AND lower(eventname) LIKE 'delete%'
      AND lower(json_extract_scalar(requestparameters, '$.instanceArn')) LIKE '%/ssoins-1111111111111111'
    )
    OR (
      lower(eventsource) = 'identitystore.amazonaws.com'
      AND useridentity.arn LIKE 'arn:aws:sts::%:assumed-role/Break*Glass\_%/%' ESCAPE '\'
    )
    OR (
      lower(eventsource) = 'sso-directory.amazonaws.com'
      AND lower(eventname) LIKE 'create%gr_up'
    )
  )
ORDER BY eventtime, eventid
# ==== idc.exporttest.values (full)
-- idc.exporttest.values: Export test: existence, null, numbers, booleans, structs (medium)
-- portcullis rules export --format athena, from testdata/rules/values.yml
-- fully expressed in Athena SQL: returns exactly the events the rule matches
-- note: severity medium as written; portcullis sets it per finding: allow-listed admins low, anyone else at least medium, failed calls low
SELECT
  'idc.exporttest.values' AS rule,
  eventtime,
  eventid,
  eventsource,
  eventname,
  awsregion,
  recipientaccountid,
  useridentity.arn AS actor_arn,
  sourceipaddress,
  errorcode,
  requestparameters,
  "$path" AS object
FROM "security"."cloudtrail_logs"
WHERE "timestamp" >= '2026/11/01'
  AND eventtime >= '2026-11-01T00:00:00Z'
  AND lower(eventsource) = 'sso.amazonaws.com'
  AND lower(eventname) = 'updatepermissionset'
  AND NOT coalesce(json_format(json_extract(requestparameters, '$.relayState')), 'null') IN ('null', '[]')
  AND errormessage IS NULL
  AND lower(readonly) = 'false'
  AND lower(useridentity.sessioncontext.sessionissuer.username) LIKE 'awsreservedsso\_%' ESCAPE '\'
  AND TRY_CAST(json_extract_scalar(requestparameters, '$.sessionSeconds') AS DOUBLE) >= 14400
ORDER BY eventtime, eventid
