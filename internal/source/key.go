// Package source says where CloudTrail bytes come from: files, directories
// in the S3 org-trail layout, stdin (and, in sub-packages, S3). It knows the
// layout well enough to prune whole account, region and day folders by path
// before anything is opened.
package source

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"
)

// Object is one readable unit of CloudTrail: a file, an S3 object, stdin.
type Object struct {
	Name string // path or URL, as shown to the user
	Size int64  // compressed size in bytes; -1 if unknown
	Open func(ctx context.Context) (io.ReadCloser, error)
	Key  Key // what the path says about the contents
}

// Key is what an object's path says about its records.
type Key struct {
	Org, Account, Region string
	Day                  time.Time // UTC midnight of the delivery day; zero if unknown
	Delivered            time.Time // delivery time in CloudTrail's file name (to the minute); zero if unknown
	Digest, Insight      bool      // CloudTrail-Digest / CloudTrail-Insight objects
}

// layout is a path parsed as far as it goes: a directory of the org-trail
// layout parses partly (say, down to the month), which is what pruning needs.
type layout struct {
	key                           Key
	hasAccount, hasRegion         bool
	year, month, day              int // 0 when absent
	digest, insight, inCloudTrail bool
}

// ParseKey reads what a path says about an object:
// …/AWSLogs/[o-ORG/]ACCOUNT/CloudTrail[-Digest|-Insight]/REGION/YYYY/MM/DD/FILE
// anywhere in the path (any prefix, e.g. Control Tower's o-ORG/AWSLogs/…),
// and CloudTrail's file names ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_….
// ok is false when neither is recognised.
func ParseKey(path string) (Key, bool) {
	path = strings.ReplaceAll(path, "\\", "/")
	l, ok := parseLayout(path)
	fk, fok := parseFileName(path[strings.LastIndexByte(path, '/')+1:])
	switch {
	case !ok:
		return fk, fok
	case fok:
		// The folders say more, the name may add the day or the kind.
		if l.key.Day.IsZero() {
			l.key.Day = fk.Day
		}
		if fk.Day.Equal(l.key.Day) { // a name that disagrees with its folder says nothing
			l.key.Delivered = fk.Delivered
		}
		l.key.Digest = l.key.Digest || fk.Digest
		l.key.Insight = l.key.Insight || fk.Insight
	}
	return l.key, true
}

// parseLayout finds the first AWSLogs segment followed by the org-trail
// layout and parses as many levels as the path has.
func parseLayout(path string) (layout, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if s != "AWSLogs" {
			continue
		}
		if l, ok := parseAfter(segs, i); ok {
			return l, true
		}
	}
	return layout{}, false
}

func parseAfter(segs []string, i int) (layout, bool) {
	var l layout
	if i > 0 && isOrg(segs[i-1]) {
		l.key.Org = segs[i-1] // Control Tower: o-ORG/AWSLogs/ACCOUNT/…
	}
	rest := segs[i+1:]
	if len(rest) > 0 && isOrg(rest[0]) {
		l.key.Org = rest[0]
		rest = rest[1:]
	}
	if len(rest) == 0 || !isAccount(rest[0]) {
		return l, false
	}
	l.key.Account, l.hasAccount = rest[0], true
	rest = rest[1:]
	if len(rest) == 0 {
		return l, true
	}
	switch rest[0] {
	case "CloudTrail":
	case "CloudTrail-Digest":
		l.digest, l.key.Digest = true, true
	case "CloudTrail-Insight":
		l.insight, l.key.Insight = true, true
	default:
		return l, true // another service's logs (…/AWSLogs/ACCT/Config/…)
	}
	l.inCloudTrail = true
	rest = rest[1:]
	if len(rest) == 0 || !isRegion(rest[0]) {
		return l, true
	}
	l.key.Region, l.hasRegion = rest[0], true
	rest = rest[1:]
	parts := [3]int{}
	widths := [3]int{4, 2, 2}
	for k := 0; k < 3 && k < len(rest); k++ {
		n, ok := digits(rest[k], widths[k])
		if !ok {
			break
		}
		parts[k] = n
	}
	l.year, l.month, l.day = parts[0], parts[1], parts[2]
	if l.month < 1 || l.month > 12 {
		l.month, l.day = 0, 0
	}
	if l.day != 0 {
		d := time.Date(l.year, time.Month(l.month), l.day, 0, 0, 0, 0, time.UTC)
		if d.Day() != l.day { // 2026/02/31
			l.day = 0
		} else {
			l.key.Day = d
		}
	}
	return l, true
}

// parseFileName reads ACCOUNT_CloudTrail[-Digest|-Insight]_REGION_YYYYMMDDTHHMMZ_….
func parseFileName(base string) (Key, bool) {
	f := strings.SplitN(base, "_", 5)
	if len(f) < 4 || !isAccount(f[0]) || !isRegion(f[2]) {
		return Key{}, false
	}
	k := Key{Account: f[0], Region: f[2]}
	switch f[1] {
	case "CloudTrail":
	case "CloudTrail-Digest":
		k.Digest = true
	case "CloudTrail-Insight":
		k.Insight = true
	default:
		return Key{}, false
	}
	if t, err := time.Parse("20060102T1504Z", f[3]); err == nil {
		k.Day, k.Delivered = t.Truncate(24*time.Hour), t
	} else if len(f[3]) >= 8 {
		if t, err := time.Parse("20060102", f[3][:8]); err == nil {
			k.Day = t
		}
	}
	return k, true
}

func isOrg(s string) bool {
	if len(s) < 4 || !strings.HasPrefix(s, "o-") {
		return false
	}
	for _, c := range s[2:] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isAccount(s string) bool {
	_, ok := digits(s, 12)
	return ok
}

// isRegion accepts names like us-east-1, us-gov-west-1, cn-north-1,
// eu-central-2: lowercase words joined by '-', ending in a number.
func isRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	for i, p := range parts {
		if p == "" {
			return false
		}
		for _, c := range p {
			letter, digit := c >= 'a' && c <= 'z', c >= '0' && c <= '9'
			if i == len(parts)-1 && !digit || i < len(parts)-1 && !letter {
				return false
			}
		}
	}
	return true
}

// digits parses s when it is exactly width decimal digits.
func digits(s string, width int) (int, bool) {
	if len(s) != width {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
