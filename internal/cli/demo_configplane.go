package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// configPlaneHighlights are the findings the demo singles out from the
// configuration plane (rule pack v2): what an attacker does beside the
// permission sets and assignments everyone watches.
var configPlaneHighlights = []struct{ rule, what string }{
	{"idc.chain.golden-jwt", "an application made to impersonate a user, then used"},
	{"idc.app.trusted-token-issuer-created", "a token issuer outside the trusted list"},
	{"idc.permission-set.referenced-policy-changed", "a permission set's policy rewritten in a member account"},
	{"idc.trust-anchor.saml-provider-changed", "Identity Center's SAML provider tampered with"},
}

// demoConfigPlane prints the first finding of each highlighted rule with
// why it has its severity; rules that raised nothing are skipped.
func demoConfigPlane(w io.Writer, fs []finding.Finding) {
	var lines []string
	for _, h := range configPlaneHighlights {
		for _, f := range fs {
			if f.Rule != h.rule {
				continue
			}
			lines = append(lines, fmt.Sprintf("   %s (%s) [%s]\n      %s", h.what, f.Rule, strings.ToUpper(f.Severity.String()), f.Summary))
			if len(f.Reasons) > 0 {
				lines = append(lines, "      why: "+strings.Join(f.Reasons, "; "))
			}
			break
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "\n7. Beyond permission sets and assignments: the configuration plane\n\n")
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}
