package simulate

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseSize reads a byte count such as "1GB", "500MB", "10k", "1.5 GiB" or
// "4096". Units are binary whether or not they carry the "i" (1GB = 1<<30),
// matching how people size test corpora; case and a space before the unit
// do not matter.
func ParseSize(s string) (int64, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("simulate: empty size")
	}
	i := 0
	for i < len(in) && (in[i] >= '0' && in[i] <= '9' || in[i] == '.') {
		i++
	}
	num, unit := in[:i], strings.ToLower(strings.TrimSpace(in[i:]))
	if num == "" {
		return 0, fmt.Errorf("simulate: size %q: no number", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("simulate: size %q: %w", s, err)
	}
	var mult float64
	switch unit {
	case "", "b":
		mult = 1
	case "k", "kb", "kib":
		mult = 1 << 10
	case "m", "mb", "mib":
		mult = 1 << 20
	case "g", "gb", "gib":
		mult = 1 << 30
	case "t", "tb", "tib":
		mult = 1 << 40
	default:
		return 0, fmt.Errorf("simulate: size %q: unknown unit %q (want B, K, M, G or T)", s, in[i:])
	}
	n := v * mult
	if n >= math.MaxInt64 || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, fmt.Errorf("simulate: size %q is too large", s)
	}
	return int64(math.Round(n)), nil
}
