package simulate

import "testing"

// TestSplitPlanted: an object holding a planted record is cut to the hour,
// noise kept, each planted record in its hour; other objects stay whole.
func TestSplitPlanted(t *testing.T) {
	day := int64(1_793_491_200) // 2026-11-01T00:00Z
	s := &stream{}
	long := &fileSpec{stream: s, from: day, to: day + 6*3600, stamp: day + 6*3600, noise: 600,
		planted: []planted{{ts: day + 3*3600 + 1200}, {ts: day + 5*3600 + 10}}}
	plain := &fileSpec{stream: s, from: day + 6*3600, to: day + 12*3600, stamp: day + 12*3600, noise: 300}
	last := &fileSpec{stream: s, from: day + 18*3600, to: day + 86400, stamp: day + 86400 - 60, noise: 10, planted: []planted{{ts: day + 86400 - 5}}}
	out := splitPlanted([]*fileSpec{long, plain, last})
	if len(out) != 6+1+6 {
		t.Fatalf("%d objects, want 13", len(out))
	}
	noise := 0
	for i, f := range out[:6] {
		noise += f.noise
		if f.to-f.from != 3600 || f.stamp != f.to {
			t.Errorf("piece %d covers [%d,%d) stamped %d", i, f.from, f.to, f.stamp)
		}
		want := 0
		if i == 3 || i == 5 {
			want = 1
		}
		if len(f.planted) != want {
			t.Errorf("piece %d holds %d planted records, want %d", i, len(f.planted), want)
		}
	}
	if noise != 600 {
		t.Errorf("pieces hold %d noise records, want 600", noise)
	}
	if out[6] != plain {
		t.Error("an object without planted records was cut")
	}
	if end := out[12]; end.stamp != day+86400-60 || len(end.planted) != 1 {
		t.Errorf("the day's last piece is stamped %d with %d planted records", end.stamp, len(end.planted))
	}
}
