package config

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ParseDuration is the one duration parser of the tree. It reads
//
//   - ISO-8601 durations, as Identity Center writes them: PT12H, PT90M,
//     P1D, P1DT12H, PT3600S, P2W (fractions allowed: PT1.5H);
//   - Go durations: 4h30m, 1.5h, 300ms;
//   - the same with days and weeks: 14d, 1.5d, 2w, 1d12h.
//
// Units are case-insensitive. It checks no range: a caller knows what is
// sensible for its flag or key (and names it in its error), so zero and
// negative values parse.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok, err := parseISO(s); ok {
		return d, err
	}
	if d, ok := parseUnits(strings.ToLower(s)); ok {
		return d, nil
	}
	return 0, fmt.Errorf("want a duration like 90m, 36h, 1.5d, 2w or ISO-8601 like PT4H, got %q", s)
}

// isoDur is ISO-8601's PnWnDTnHnMnS, without years and months (their
// length depends on the calendar).
var isoDur = regexp.MustCompile(`^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// parseISO reads s when it looks like ISO-8601 (starts with P); ok is false
// otherwise.
func parseISO(s string) (d time.Duration, ok bool, err error) {
	up := strings.ToUpper(s)
	if !strings.HasPrefix(up, "P") {
		return 0, false, nil
	}
	m := isoDur.FindStringSubmatch(up)
	if m == nil || up == "P" || m[3] == "T" {
		return 0, true, fmt.Errorf("want an ISO-8601 duration like PT4H or P1DT12H (no years or months), got %q", s)
	}
	units := []struct {
		text string
		unit time.Duration
	}{{m[1], week}, {m[2], day}, {m[4], time.Hour}, {m[5], time.Minute}, {m[6], time.Second}}
	var total time.Duration
	for _, u := range units {
		if u.text == "" {
			continue
		}
		if total, ok = add(total, u.text, u.unit); !ok {
			return 0, true, fmt.Errorf("duration %q is too long", s)
		}
	}
	return total, true, nil
}

const (
	day  = 24 * time.Hour
	week = 7 * day
)

var unitOf = map[string]time.Duration{
	"ns": time.Nanosecond, "us": time.Microsecond, "µs": time.Microsecond, "μs": time.Microsecond,
	"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": day, "w": week,
}

// parseUnits reads an optionally signed sequence of <decimal><unit> (Go's
// syntax plus d and w); "0" alone needs no unit.
func parseUnits(s string) (time.Duration, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "0" {
		return 0, true
	}
	if s == "" {
		return 0, false
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		num := s[:i]
		j := i
		for j < len(s) && !(s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		unit, ok := unitOf[s[i:j]]
		if !ok {
			return 0, false
		}
		if total, ok = add(total, num, unit); !ok {
			return 0, false
		}
		s = s[j:]
	}
	if neg {
		total = -total
	}
	return total, true
}

// add returns total + num*unit, num a decimal like 12 or 1.5; ok is false
// for a malformed number or an overflow. The whole part is exact integer
// arithmetic; only the fraction (less than one unit) goes through a float.
func add(total time.Duration, num string, unit time.Duration) (time.Duration, bool) {
	whole, frac, _ := strings.Cut(num, ".")
	if whole == "" && frac == "" || strings.Contains(frac, ".") {
		return 0, false
	}
	var n int64
	if whole != "" {
		var err error
		if n, err = strconv.ParseInt(whole, 10, 64); err != nil || n > int64((math.MaxInt64-total)/unit) {
			return 0, false
		}
	}
	total += time.Duration(n) * unit
	if frac != "" {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return 0, false
		}
		part := time.Duration(math.Round(f * float64(unit)))
		if part > math.MaxInt64-total {
			return 0, false
		}
		total += part
	}
	return total, true
}
