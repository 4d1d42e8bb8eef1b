package respond

import (
	"fmt"
	"regexp"
	"strings"
)

// Every value that reaches an API call or a shell command must match the
// pattern AWS documents for it. A snapshot or findings file is attacker
// reachable (an attacker names their own permission set), so a value that
// does not fit is an error, never something to quote and hope.
var (
	accountRe     = regexp.MustCompile(`^\d{12}$`)
	regionRe      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	instanceARNRe = regexp.MustCompile(`^arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$`)
	psARNRe       = regexp.MustCompile(`^arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$`)
	// Principal and membership ids are GUIDs, optionally prefixed by 10 hex
	// digits and a dash (as in real identity stores).
	idRe            = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
	identityStoreRe = regexp.MustCompile(`^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	psNameRe        = regexp.MustCompile(`^[\w+=,.@-]{1,32}$`)
	scpIDRe         = regexp.MustCompile(`^p-[0-9a-z_]{8,128}$`)
	policyARNRe     = regexp.MustCompile(`^arn:aws(-[a-z]{1,5}){0,3}:iam::(aws|\d{12}):policy/[\w+=,.@/-]{1,512}$`)
)

type checker struct{ errs []string }

func (c *checker) check(re *regexp.Regexp, what, v string) {
	if !re.MatchString(v) {
		c.errs = append(c.errs, fmt.Sprintf("%s %q does not match %s", what, v, re))
	}
}

func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return fmt.Errorf("unsafe or malformed value in the state (refusing to build commands from it): %s", strings.Join(c.errs, "; "))
}

// partition returns the ARN partition of the instance ("aws", "aws-cn",
// "aws-us-gov"), so rebuilt ARNs work outside the commercial partition.
func partition(instanceARN string) string {
	p := strings.TrimPrefix(instanceARN, "arn:")
	if i := strings.IndexByte(p, ':'); i > 0 {
		return p[:i]
	}
	return "aws"
}

// Printable is sanitize for the packages that print plans (the applier).
func Printable(s string) string { return sanitize(s) }

// sanitize makes free text (names, descriptions) safe for a terminal and a
// shell comment: control characters, including newlines and ESC, become '?'.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return '?'
		}
		return r
	}, s)
}
