package config

import "testing"

// FuzzParse: the config file is user input; errors, never panics.
func FuzzParse(f *testing.F) {
	f.Add([]byte("admins: [x]\nsensitive_accounts: [\"012345678901\"]\nmax_session_duration: PT4H\n"))
	f.Add([]byte("admins: [{pattern: x, expires: 2026-01-01}]\nlarge_group_size: 3\n"))
	f.Add([]byte("max_session_duration: P1DT1H\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil && (c.LargeGroupSize < 1 || c.MaxSessionDuration <= 0) {
			t.Fatalf("accepted invalid config: %+v", c)
		}
	})
}
