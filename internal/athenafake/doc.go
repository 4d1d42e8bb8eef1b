// Package athenafake is test support for the Athena hunt: a loopback
// server that speaks Athena's JSON 1.1 protocol to the real AWS SDK and runs
// the SQL on DuckDB, behind a thin dialect layer for the Trino functions
// DuckDB spells differently, over the standard CloudTrail table loaded from
// trail files.
//
// It is the only package that imports DuckDB (cgo). Every file but this one
// builds only with cgo, and nothing reachable from cmd/portcullis imports it:
// the shipped binary stays pure Go.
package athenafake
