package cli

import "flag"

// update rewrites golden files instead of comparing against them:
// go test ./internal/cli -run TestX -update
var update = flag.Bool("update", false, "rewrite golden files")
