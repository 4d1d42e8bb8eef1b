// Package wildcard matches the '*' and '?' patterns of IAM policies, SCPs
// and the admins allow-list: '*' matches any run of characters (none, and
// ':' and '/' too), '?' exactly one character; every other character,
// '[' and '\' included, stands for itself. Case matters; callers that
// compare case-insensitively (IAM action names, user names) lower-case
// both sides.
package wildcard

import (
	"strings"
	"unicode/utf8"
)

// Match reports whether s matches pattern. It backtracks only to the last
// '*', so it takes at most O(len(pattern)*len(s)) steps without recursion:
// a hostile pattern in a policy or config cannot make it blow up. '?'
// consumes one UTF-8 character (one byte of invalid UTF-8); on ASCII, which
// action names and ARNs are, that is one byte.
func Match(pattern, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0 // the last '*' seen, and where in s its run ends
	for si < len(s) {
		switch {
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(pattern) && pattern[pi] == '?':
			pi++
			si += charLen(s, si)
		case pi < len(pattern) && pattern[pi] == s[si]:
			pi++
			si++
		case star >= 0:
			// Let the last '*' swallow one more character and retry.
			pi = star + 1
			mark += charLen(s, mark)
			si = mark
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}

// HasWildcard reports whether pattern holds a '*' or '?', that is whether
// it can match more than the one string it spells.
func HasWildcard(pattern string) bool { return strings.ContainsAny(pattern, "*?") }

// charLen is the length in bytes of the character starting at s[i].
func charLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}
