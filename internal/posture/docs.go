package posture

import (
	"fmt"
	"strings"
)

// needsFlag is the command-line flag that supplies each extra input.
var needsFlag = map[string]string{"": "", "events": "`--events`", "organizations": "`--org`"}

// Docs renders the README's table of checks from the registry, so the
// table cannot drift from the checks (go test ./internal/posture -run
// TestReadmeCheckTable -update rewrites it).
func Docs() string {
	var b strings.Builder
	b.WriteString("| check | base severity | needs |\n|---|---|---|\n")
	for _, c := range registry() {
		needs := " "
		if f := needsFlag[c.Needs]; f != "" {
			needs = " " + f + " "
		}
		fmt.Fprintf(&b, "| `%s`: %s | %s |%s|\n", c.ID, strings.ReplaceAll(c.Doc, "|", `\|`), c.Severity, needs)
	}
	return b.String()
}
