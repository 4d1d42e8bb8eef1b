package config

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
	}{
		// ISO-8601, as Identity Center writes session lengths.
		{"PT1H", time.Hour},
		{"PT12H", 12 * time.Hour},
		{"PT90M", 90 * time.Minute},
		{"P1D", 24 * time.Hour},
		{"PT1H30M", 90 * time.Minute},
		{"PT3600S", time.Hour},
		{"P1DT12H", 36 * time.Hour},
		{"P2W", 14 * 24 * time.Hour},
		{"PT1.5H", 90 * time.Minute},
		{"PT0.5S", 500 * time.Millisecond},
		{"pt2h", 2 * time.Hour},
		// Go durations.
		{"4h", 4 * time.Hour},
		{"4h30m", 270 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{".5h", 30 * time.Minute},
		{"300ms", 300 * time.Millisecond},
		{"2us", 2 * time.Microsecond},
		{"0", 0},
		{"-5h", -5 * time.Hour},
		// Days and weeks.
		{"14d", 14 * 24 * time.Hour},
		{"1.5d", 36 * time.Hour},
		{"2w", 14 * 24 * time.Hour},
		{"1d12h", 36 * time.Hour},
		{"90D", 90 * 24 * time.Hour},
		{" 7d ", 7 * 24 * time.Hour},
		{"36H", 36 * time.Hour},
	}
	for _, c := range cases {
		got, err := ParseDuration(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestParseDurationRejects(t *testing.T) {
	for _, bad := range []string{
		"", "P", "PT", "P1DT", "PTH", "P1Y", "P1M", "12", "d", "h", ".h", "1..5h", "1.2.3h",
		"3y", "1h 30m", "1hh", "--1h", "1e3h", "yesterday", "999999999999w", "PT99999999999999H",
	} {
		if d, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", bad, d)
		}
	}
}

// FuzzParseDuration: flags and config keys are user input. Whatever parses
// prints (Go's form) and parses back to the same value.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"PT12H", "P1DT12H", "PT1.5H", "4h30m", "1.5h", "14d", "2w", "1d12h", "-5h", "0", "300ms", "9223372036s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		back, err := ParseDuration(d.String())
		if err != nil || back != d {
			t.Fatalf("ParseDuration(%q) = %v, which parses back as %v, %v", s, d, back, err)
		}
	})
}
