package policy

import (
	"strings"

	"github.com/portcullis-sec/portcullis/internal/wildcard"
)

// IAM wildcards are matched by package wildcard ('*' any run, '?' one character; actions
// compare case-insensitively because callers lower-case both sides, resources
// case-sensitively). The prefix reasoning below runs the same patterns as an automaton,
// bytewise: it is asked about action names, which are ASCII.

// anyByte stands for "a character no literal in a pattern equals": JSON-decoded strings are
// valid UTF-8, which never contains the byte 0xFF, so only '*' and '?' can consume it.
const anyByte = "\xff"

// globHead returns the start of p with runs of '*' collapsed, up to and including its
// (max)th non-star character, and whether that is all of p. Reading a prefix of n characters
// can only reach positions before the (n+1)th non-star character, so prefix reasoning needs
// no more than head(n+2): hostile megabyte patterns cost no more than short ones.
func globHead(p string, max int) (head string, whole bool) {
	var b []byte
	n := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '*' {
			if len(b) > 0 && b[len(b)-1] == '*' {
				continue
			}
		} else {
			if n == max {
				return string(b), false
			}
			n++
		}
		b = append(b, c)
	}
	return string(b), true
}

// globAfter runs pattern p as an automaton over prefix and returns the set of pattern
// positions (0..len(p)) it can be in afterwards, or nil if none.
func globAfter(p, prefix string) []bool {
	n := len(p)
	cur := make([]bool, n+1)
	cur[0] = true
	starClosure(p, cur)
	next := make([]bool, n+1)
	for k := 0; k < len(prefix); k++ {
		c := prefix[k]
		clear(next)
		alive := false
		for i := 0; i < n; i++ {
			if !cur[i] {
				continue
			}
			switch p[i] {
			case '*':
				next[i], alive = true, true
			case '?':
				next[i+1], alive = true, true
			default:
				if p[i] == c {
					next[i+1], alive = true, true
				}
			}
		}
		if !alive {
			return nil
		}
		starClosure(p, next)
		cur, next = next, cur
	}
	return cur
}

// starClosure adds the positions reachable by letting a '*' match nothing.
func starClosure(p string, set []bool) {
	for i := 0; i < len(p); i++ {
		if set[i] && p[i] == '*' {
			set[i+1] = true
		}
	}
}

// coversPrefix reports whether p matches prefix+x for every non-empty x: "iam:*" and "*"
// cover "iam:", "iam:Get*" does not. It checks one automaton state at a time, so a union of
// states that together (but none alone) accept everything is missed; no real policy does that.
func coversPrefix(p, prefix string) bool {
	if !wildcard.HasWildcard(p) {
		return false
	}
	head, whole := globHead(p, len(prefix)+2)
	if !whole {
		// Every reachable state still has two non-star characters ahead: a literal, or two
		// '?', neither of which accepts every suffix.
		return false
	}
	set := globAfter(head, prefix)
	if set == nil {
		return false
	}
	// From the end: can head[i:] match every non-empty string? Only if it is all wildcards
	// with at least one '*' and at most one '?'.
	stars, qs := 0, 0
	for i := len(head) - 1; i >= 0; i-- {
		switch head[i] {
		case '*':
			stars++
		case '?':
			qs++
		default:
			return false // a literal at or after every remaining state: none can accept all
		}
		if set[i] && stars > 0 && qs <= 1 {
			return true
		}
	}
	return false
}

// intersectsPrefix reports whether p matches prefix+x for some non-empty x.
func intersectsPrefix(p, prefix string) bool {
	if !wildcard.HasWildcard(p) {
		return len(p) > len(prefix) && strings.HasPrefix(p, prefix)
	}
	head, _ := globHead(p, len(prefix)+2)
	set := globAfter(head, prefix)
	// A live state before the end of head leaves a non-empty pattern to match; when head is
	// not all of p, no state can have reached its end.
	for i := 0; i < len(head) && set != nil; i++ {
		if set[i] {
			return true
		}
	}
	return false
}

// universalAction reports whether an action pattern matches every "service:Action". Probed
// with unknown service names of two lengths, so "*", "*:*" and "?*:*" qualify and "s*:*"
// does not.
func universalAction(p string) bool {
	return coversPrefix(p, anyByte+":") && coversPrefix(p, strings.Repeat(anyByte, 24)+":")
}

// actionService returns the lower-cased service prefix of an action name.
func actionService(a string) string {
	if i := strings.IndexByte(a, ':'); i >= 0 {
		return a[:i]
	}
	return a
}

// normalizeResource makes an account id in an ARN pattern a wildcard (see the package comment).
func normalizeResource(r string) string {
	if !strings.HasPrefix(r, "arn:") {
		return r
	}
	parts := strings.SplitN(r, ":", 6)
	if len(parts) == 6 && isAccountID(parts[4]) {
		parts[4] = "*"
		return strings.Join(parts, ":")
	}
	return r
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
