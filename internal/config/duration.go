package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// isoDur accepts the ISO-8601 durations Identity Center uses (PT1H, PT12H,
// PT90M, P1D, PT1H30M, PT3600S).
var isoDur = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// ParseDuration reads an ISO-8601 duration ("PT12H") or a Go duration
// ("4h30m").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	up := strings.ToUpper(s)
	if m := isoDur.FindStringSubmatch(up); m != nil && up != "P" && up != "PT" {
		var d time.Duration
		units := []time.Duration{24 * time.Hour, time.Hour, time.Minute}
		for i, u := range units {
			if m[i+1] == "" {
				continue
			}
			n, err := strconv.ParseInt(m[i+1], 10, 32)
			if err != nil {
				return 0, fmt.Errorf("duration %q: %w", s, err)
			}
			d += time.Duration(n) * u
		}
		if m[4] != "" {
			f, err := strconv.ParseFloat(m[4], 64)
			if err != nil || f > 1e7 {
				return 0, fmt.Errorf("duration %q: bad seconds", s)
			}
			d += time.Duration(f * float64(time.Second))
		}
		return d, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("want an ISO-8601 duration like PT4H or a duration like 4h, got %q", s)
	}
	return d, nil
}
