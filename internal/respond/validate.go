package respond

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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
	if re.MatchString(v) {
		return
	}
	// A value met twice (a user in the scope and in a membership) is
	// reported once.
	if msg := fmt.Sprintf("%s %q does not match %s", what, v, re); !slices.Contains(c.errs, msg) {
		c.errs = append(c.errs, msg)
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
// shell comment, and makes it show what it is: control characters,
// including newlines and ESC, become '?'; every invisible rune (see
// invisible) is written as a visible \uXXXX escape, so a script under
// review cannot display as something other than what it runs.
func sanitize(s string) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError:
			b.WriteByte('?')
		case invisible(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08X`, r)
		case invisible(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// invisible: runes that print as nothing, or as a plain space, or change
// how their neighbours display: every format character (Unicode Cf: the
// bidirectional controls U+202A–U+202E and U+2066–U+2069, zero-width space
// and joiners, the BOM, tag characters…), line and paragraph separators,
// private-use and unassigned code points, spaces other than U+0020,
// variation selectors, the combining grapheme joiner and the Hangul
// fillers.
func invisible(r rune) bool {
	switch {
	case !unicode.IsGraphic(r): // Cf, Co, Cn, Zl, Zp (Cc is handled before)
		return true
	case unicode.Is(unicode.Zs, r) && r != ' ':
		return true
	case unicode.Is(unicode.Variation_Selector, r), r == '\u034F', r == '\u115F', r == '\u1160', r == '\u3164', r == '\uFFA0':
		return true
	}
	return false
}
