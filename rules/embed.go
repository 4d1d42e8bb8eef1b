// Package rules embeds portcullis' rule pack: Sigma rules (and Sigma v2
// correlation rules) for AWS IAM Identity Center, each with a portcullis
// block carrying the stable dotted id, severity escalations, summary and its
// own test events. testcontext.yaml is the config the rule tests run with.
package rules

import "embed"

//go:embed *.yml testcontext.yaml
var FS embed.FS
