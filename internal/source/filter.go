package source

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portcullis-sec/portcullis/internal/config"
)

// DeliveryLag is how late CloudTrail may deliver a record: day folders are
// named by delivery time, so a folder can hold records from up to this long
// before its day began. Pruning by day keeps that margin.
const DeliveryLag = time.Hour

// Filter prunes objects by what their path says. Zero fields keep
// everything. Since is inclusive, Until exclusive.
type Filter struct {
	Since, Until time.Time
	Accounts     []string
	Regions      []string
}

// KeepAccount reports whether an object of account may be wanted ("" means
// the path did not say, so yes).
func (f Filter) KeepAccount(account string) bool {
	return account == "" || len(f.Accounts) == 0 || slices.Contains(f.Accounts, account)
}

// KeepRegion is KeepAccount for regions.
func (f Filter) KeepRegion(region string) bool {
	return region == "" || len(f.Regions) == 0 || slices.Contains(f.Regions, region)
}

// KeepRange reports whether a folder delivered during [start, end) may hold
// records inside the time window. Records are never delivered before they
// happen, and at most DeliveryLag after.
func (f Filter) KeepRange(start, end time.Time) bool {
	if !f.Since.IsZero() && !end.After(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !start.Add(-DeliveryLag).Before(f.Until) {
		return false
	}
	return true
}

// KeepDay reports whether an object delivered on k.Day may hold records in
// the window (unknown days are kept).
func (f Filter) KeepDay(k Key) bool {
	if k.Day.IsZero() {
		return true
	}
	return f.KeepRange(k.Day, k.Day.AddDate(0, 0, 1))
}

// Keep applies every test to a key; reason says which one failed.
func (f Filter) Keep(k Key) (ok bool, reason string) {
	switch {
	case !f.KeepAccount(k.Account):
		return false, "account"
	case !f.KeepRegion(k.Region):
		return false, "region"
	case !f.KeepDay(k):
		return false, "outside-time-window"
	}
	return true, ""
}

// keepLayout decides about a directory from as much of the layout as its
// path has: an account, a region, a year, a month or a day folder.
func (f Filter) keepLayout(l layout) (bool, string) {
	switch {
	case l.digest:
		return false, "digest"
	case l.insight:
		return false, "insight"
	case l.hasAccount && !f.KeepAccount(l.key.Account):
		return false, "account"
	case l.hasRegion && !f.KeepRegion(l.key.Region):
		return false, "region"
	}
	var start, end time.Time
	switch {
	case l.day != 0:
		start = l.key.Day
		end = start.AddDate(0, 0, 1)
	case l.month != 0:
		start = time.Date(l.year, time.Month(l.month), 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(0, 1, 0)
	case l.year != 0:
		start = time.Date(l.year, 1, 1, 0, 0, 0, 0, time.UTC)
		end = start.AddDate(1, 0, 0)
	default:
		return true, ""
	}
	if !f.KeepRange(start, end) {
		return false, "outside-time-window"
	}
	return true, ""
}

// ParseTimeArg reads a --since/--until value: a duration back from now
// (90m, 36h, 14d, 2w, 1.5d, combined like 1d12h, or ISO-8601 like P1D), an RFC 3339 time, or a date
// (2026-11-01, UTC midnight).
func ParseTimeArg(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if d, ok := parseAgo(s); ok {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("want a duration like 14d, 36h, 90m, 2w, a date like 2026-11-01 or an RFC 3339 time, got %q", s)
}

// maxAgo bounds durations far beyond any trail (and int64 overflow).
const maxAgo = 100 * 365 * 24 * time.Hour

// parseAgo reads a positive duration no longer than maxAgo (14d, 36h, 1.5d,
// 1d12h, PT4H: whatever config.ParseDuration takes).
func parseAgo(s string) (time.Duration, bool) {
	d, err := config.ParseDuration(s)
	return d, err == nil && d > 0 && d <= maxAgo
}
