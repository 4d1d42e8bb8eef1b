// Package schemas holds the published JSON Schemas (draft 2020-12) of every
// document portcullis writes — portcullis.*/v1 and the OCSF and ASFF
// findings it emits — embedded so a command or a test can read them. The
// tests in this folder validate real outputs against them.
package schemas

import "embed"

// FS holds the *.json schema files.
//
//go:embed *.json
var FS embed.FS
