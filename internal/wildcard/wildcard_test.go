package wildcard

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name, p, s string
		want       bool
	}{
		{"service wildcard", "iam:*", "iam:createuser", true},
		{"action prefix", "iam:put*", "iam:putrolepolicy", true},
		{"other action", "iam:put*", "iam:attachrolepolicy", false},
		{"star matches anything", "*", "anything:at all", true},
		{"star matches nothing", "*", "", true},
		{"empty matches empty", "", "", true},
		{"empty matches only empty", "", "a", false},
		{"two stars", "s*:*", "sts:assumerole", true},
		{"question mark", "?am:*", "iam:x", true},
		{"question mark is one character", "iam:?", "iam:ab", false},
		{"backtracking", "a*b*c", "axxbyyc", true},
		{"backtracking fails", "a*b*c", "axxbyy", false},
		{"backtracking over repeats", "a*b*c", "aXbYbZc", true},
		{"colon needed", "*:*", "iam", false},
		{"star in the subject is a character", "a", "*", false},
		{"star crosses slashes", "arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/a/b", true},
		{"role path", "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*",
			"arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_X_1", true},
		{"role path without region", "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_*",
			"arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_X_1", false},
		{"case matters", "arn:aws:iam::*:role/Admin", "arn:aws:iam::1:role/admin", false},
		{"brackets are literal", "user[1]*", "user[1]-x", true},
		{"brackets are not a class", "user[12]", "user1", false},
		{"backslash is literal", `a\*`, `a\bc`, true},
		{"question mark is a whole character", "jos?", "josé", true},
		{"star then question mark on non-ASCII", "*?é", "éé", true},
		{"hostile pattern stays fast", strings.Repeat("a*", 40) + "b", strings.Repeat("a", 200), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Match(tt.p, tt.s); got != tt.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
			}
			if want := regexpFor(tt.p).MatchString(tt.s); want != tt.want {
				t.Errorf("the reference disagrees with the table for (%q, %q)", tt.p, tt.s)
			}
		})
	}
}

func TestHasWildcard(t *testing.T) {
	for p, want := range map[string]bool{"iam:*": true, "iam:?et": true, "iam:GetRole": false, "": false, "[a]": false} {
		if got := HasWildcard(p); got != want {
			t.Errorf("HasWildcard(%q) = %v", p, got)
		}
	}
}

// regexpFor is the reference semantics: '*' is (?s:.*), '?' is (?s:.),
// everything else is quoted.
func regexpFor(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	for _, c := range p {
		switch c {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`)$`)
	return regexp.MustCompile(b.String())
}

func randWord(r *rand.Rand, alphabet []string, max int) string {
	var b strings.Builder
	for range r.IntN(max + 1) {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// TestMatchAgainstReference samples small alphabets, where backtracking
// paths collide most, multi-byte characters included.
func TestMatchAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	letters := []string{"a", "b", ":", "é"}
	for range 20000 {
		p := randWord(r, append(letters, "*", "?"), 7)
		s := randWord(r, letters, 8)
		if got, want := Match(p, s), regexpFor(p).MatchString(s); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference %v", p, s, got, want)
		}
	}
}

// FuzzMatch compares Match with the regexp reference on any valid UTF-8
// (the reference reads invalid bytes as U+FFFD, which Match does not), and
// checks that no input panics or runs away.
func FuzzMatch(f *testing.F) {
	f.Add("arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/a/b")
	f.Add("iam:?et*", "iam:getrole")
	f.Add("a*b*c", "axxbyy")
	f.Add("*?é", "éé")
	f.Add("[a]\\*", "[a]\\x")
	f.Fuzz(func(t *testing.T, p, s string) {
		got := Match(p, s)
		if !utf8.ValidString(p) || !utf8.ValidString(s) {
			return
		}
		if want := regexpFor(p).MatchString(s); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference %v", p, s, got, want)
		}
	})
}

func BenchmarkMatchHostile(b *testing.B) {
	p, s := strings.Repeat("a*", 200)+"b", strings.Repeat("a", 4000)
	for b.Loop() {
		Match(p, s)
	}
}
