SELECT
  "eventversion",
  json_format(CAST("useridentity" AS JSON)) AS "useridentity",
  "eventtime",
  "eventsource",
  "eventname",
  "awsregion",
  "sourceipaddress",
  "useragent",
  "errorcode",
  "errormessage",
  "requestparameters",
  "responseelements",
  "additionaleventdata",
  "requestid",
  "eventid",
  "readonly",
  json_format(CAST("resources" AS JSON)) AS "resources",
  "eventtype",
  "apiversion",
  "recipientaccountid",
  "serviceeventdetails",
  "sharedeventid",
  "vpcendpointid",
  "vpcendpointaccountid",
  "eventcategory",
  json_format(CAST("addendum" AS JSON)) AS "addendum",
  "sessioncredentialfromconsole",
  "edgedevicedetails",
  json_format(CAST("tlsdetails" AS JSON)) AS "tlsdetails",
  "$path"
FROM "lake"."security"."cloudtrail_logs"
WHERE "timestamp" >= '2026/11/01' AND "timestamp" <= '2026/11/03'
  AND "account" IN ('111111111111', '222222222222')
  AND "region" IN ('us-east-1')
  AND (eventtime IS NULL OR (eventtime >= '2026-11-01T11:59:59Z' AND eventtime < '2026-11-03T00:30:01Z'))
  AND (
    (lower(eventsource) = 'sso.amazonaws.com' AND (lower(eventname) IN ('describepermissionset') OR eventname LIKE 'Create%' OR eventname LIKE 'Put\_%' ESCAPE '\'))
    OR (lower(eventsource) = 'sts.amazonaws.com' AND lower(eventname) IN ('assumerolewithsaml') AND strpos(concat_ws(' ', "eventversion", json_format(CAST("useridentity" AS JSON)), "eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress", "useragent", "errorcode", "errormessage", "requestparameters", "responseelements", "additionaleventdata", "requestid", "eventid", "readonly", json_format(CAST("resources" AS JSON)), "eventtype", "apiversion", "recipientaccountid", "serviceeventdetails", "sharedeventid", "vpcendpointid", "vpcendpointaccountid", "eventcategory", json_format(CAST("addendum" AS JSON)), "sessioncredentialfromconsole", "edgedevicedetails", json_format(CAST("tlsdetails" AS JSON))), 'AWSReservedSSO_') > 0)
    OR (lower(eventsource) = 'organizations.amazonaws.com')
  )
ORDER BY eventtime, eventid
