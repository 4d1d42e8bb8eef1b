package simulate

import (
	"math"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"1GB", 1 << 30, false},
		{"1gb", 1 << 30, false},
		{"1GiB", 1 << 30, false},
		{"500MB", 500 << 20, false},
		{"500 MB", 500 << 20, false},
		{"10k", 10 << 10, false},
		{"10K", 10 << 10, false},
		{"1.5G", 3 << 29, false},
		{"2T", 2 << 40, false},
		{"4096", 4096, false},
		{"4096B", 4096, false},
		{" 7m ", 7 << 20, false},
		{"0", 0, false},
		{"", 0, true},
		{"GB", 0, true},
		{"-1GB", 0, true},
		{"1XB", 0, true},
		{"1.2.3MB", 0, true},
		{"9999999999T", 0, true},
		{"1e3", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSize(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseSize(%q) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Fatalf("ParseSize(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"1GB", "10k", "1.5 GiB", "", "-3", "1e9", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			if n != 0 {
				t.Fatalf("ParseSize(%q) = %d with error %v", s, n, err)
			}
			return
		}
		if n < 0 || n == math.MaxInt64 {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
	})
}
