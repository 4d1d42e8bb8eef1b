package cli

import "testing"

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64 // 0: an error
	}{
		{"512MiB", 512 << 20}, {"1GB", 1e9}, {"1gib", 1 << 30}, {"64 KiB", 64 << 10}, {"4096", 4096}, {"10b", 10},
		{"", 0}, {"0", 0}, {"-1MiB", 0}, {"1.5GiB", 0}, {"12XB", 0}, {"MiB", 0}, {"99999999999TiB", 0},
	}
	for _, c := range cases {
		got, err := parseSize(c.in)
		if c.want == 0 && err == nil {
			t.Errorf("%q: got %d, want an error", c.in, got)
		}
		if c.want != 0 && (err != nil || got != c.want) {
			t.Errorf("%q: got %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}
