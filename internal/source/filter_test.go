package source

import (
	"testing"
	"time"
)

func TestParseTimeArg(t *testing.T) {
	now := time.Date(2026, 11, 15, 12, 30, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"14d", now.AddDate(0, 0, -14), false},
		{"36h", now.Add(-36 * time.Hour), false},
		{"90m", now.Add(-90 * time.Minute), false},
		{"2w", now.AddDate(0, 0, -14), false},
		{"1d12h", now.Add(-36 * time.Hour), false},
		{"45s", now.Add(-45 * time.Second), false},
		{"1.5d", now.Add(-36 * time.Hour), false},
		{"PT4H", now.Add(-4 * time.Hour), false},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), false},
		{"2026-11-01T08:00:00+02:00", time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC), false},
		{"2026-11-01T06:00:00.5Z", time.Date(2026, 11, 1, 6, 0, 0, 5e8, time.UTC), false},
		{" 7d ", now.AddDate(0, 0, -7), false},
		{"", time.Time{}, true},
		{"0d", time.Time{}, true},
		{"-3d", time.Time{}, true},
		{"14", time.Time{}, true},
		{"d", time.Time{}, true},
		{"3y", time.Time{}, true},
		{"999999999w", time.Time{}, true},
		{"yesterday", time.Time{}, true},
		{"2026-13-01", time.Time{}, true},
	}
	for _, tc := range cases {
		got, err := ParseTimeArg(tc.in, now)
		if (err != nil) != tc.err || !got.Equal(tc.want) {
			t.Errorf("ParseTimeArg(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestFilterKeep(t *testing.T) {
	f := Filter{
		Since:    time.Date(2026, 5, 10, 6, 0, 0, 0, time.UTC),
		Until:    time.Date(2026, 5, 12, 0, 30, 0, 0, time.UTC),
		Accounts: []string{"111122223333"},
		Regions:  []string{"us-east-1", "eu-west-1"},
	}
	k := func(acct, region string, d time.Time) Key { return Key{Account: acct, Region: region, Day: d} }
	cases := []struct {
		key    Key
		ok     bool
		reason string
	}{
		{k("111122223333", "us-east-1", day(2026, 5, 10)), true, ""}, // Since falls inside the day
		{k("111122223333", "us-east-1", day(2026, 5, 9)), false, "outside-time-window"},
		{k("111122223333", "us-east-1", day(2026, 5, 12)), true, ""}, // may hold records of 23:xx the day before... and Until is 00:30
		{k("111122223333", "us-east-1", day(2026, 5, 13)), false, "outside-time-window"},
		{k("444455556666", "us-east-1", day(2026, 5, 10)), false, "account"},
		{k("111122223333", "ap-south-1", day(2026, 5, 10)), false, "region"},
		{k("", "", time.Time{}), true, ""}, // a loose file: nothing to prune on
	}
	for _, tc := range cases {
		ok, reason := f.Keep(tc.key)
		if ok != tc.ok || reason != tc.reason {
			t.Errorf("Keep(%+v) = %v %q, want %v %q", tc.key, ok, reason, tc.ok, tc.reason)
		}
	}
	// Until at midnight: the next day's folder may still hold the last
	// hour's records, the one after may not.
	g := Filter{Until: day(2026, 5, 12)}
	if !g.KeepDay(Key{Day: day(2026, 5, 12)}) {
		t.Error("the folder of the Until day holds records delivered late; want it kept")
	}
	if g.KeepDay(Key{Day: day(2026, 5, 13)}) {
		t.Error("two days after Until: want it pruned")
	}
	if (Filter{}).KeepDay(Key{Day: day(1999, 1, 1)}) != true {
		t.Error("an empty filter keeps everything")
	}
}

func TestKeepLayout(t *testing.T) {
	f := Filter{Since: day(2026, 5, 10), Until: day(2026, 6, 2)}
	cases := map[string]bool{
		"AWSLogs/o-abcdefghij/111122223333":                                 true,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1":            true,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2025":       false,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026":       true,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/04":    false,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/05":    true,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/06":    true,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/07":    false,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/05/09": false,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/05/10": true,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/06/02": true, // late deliveries
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/06/03": false,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail-Digest":               false,
		"AWSLogs/o-abcdefghij/111122223333/CloudTrail-Insight/us-east-1":    false,
	}
	for path, want := range cases {
		l, ok := parseLayout(path)
		if !ok {
			t.Errorf("parseLayout(%q) failed", path)
			continue
		}
		if got, reason := f.keepLayout(l); got != want {
			t.Errorf("keepLayout(%q) = %v (%s), want %v", path, got, reason, want)
		}
	}
}
