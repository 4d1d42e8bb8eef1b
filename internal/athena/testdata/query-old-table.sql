SELECT
  json_format(CAST("useridentity" AS JSON)) AS "useridentity",
  "eventtime",
  "eventsource",
  "eventname",
  "eventid",
  "$path"
FROM "d"."t"
WHERE "timestamp" >= '2026/11/01'
  AND "recipientaccountid" IN ('111111111111')
  AND "awsregion" IN ('eu-west-1')
  AND (eventtime IS NULL OR (eventtime >= '2026-10-31T23:59:59Z'))
ORDER BY eventtime, eventid
