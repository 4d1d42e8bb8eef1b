package simulate

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/golden"
)

func TestEventsAreExact(t *testing.T) {
	for _, n := range []int64{300, 2500} {
		sum, _ := run(t, Options{Events: n, Days: 1, Accounts: 2, Seed: 5, Scenarios: []string{"backdoor-permission-set"}})
		if sum.Records != n {
			t.Errorf("Events %d: wrote %d records", n, sum.Records)
		}
	}
}

func TestSizeScales(t *testing.T) {
	var prev Summary
	for i, size := range []int64{1 << 20, 4 << 20} {
		sum, _ := run(t, Options{Size: size, Days: 1, Accounts: 2, Seed: 5})
		if dev := math.Abs(float64(sum.Bytes-size)) / float64(size); dev > 0.05 {
			t.Errorf("Size %d: wrote %d uncompressed bytes (%.1f%% off)", size, sum.Bytes, 100*dev)
		}
		if sum.CompressedBytes <= 0 || sum.CompressedBytes >= sum.Bytes/3 {
			t.Errorf("Size %d: %d compressed bytes for %d", size, sum.CompressedBytes, sum.Bytes)
		}
		if i > 0 {
			if ratio := float64(sum.Records) / float64(prev.Records); ratio < 3.5 || ratio > 4.5 {
				t.Errorf("4x the size gave %.2fx the records", ratio)
			}
			if sum.Files < prev.Files {
				t.Errorf("more data in fewer files: %d < %d", sum.Files, prev.Files)
			}
		}
		prev = sum
	}
}

func TestEventsWinOverSize(t *testing.T) {
	sum, _ := run(t, Options{Events: 700, Size: 50 << 20, Days: 1, Accounts: 1, Seed: 5})
	if sum.Records != 700 {
		t.Errorf("Events and Size set: wrote %d records, want Events (700)", sum.Records)
	}
	truth, err := os.ReadFile(sum.TruthPath)
	if err != nil || string(truth) != "[]\n" {
		t.Errorf("benign-only truth file = %q, %v; want an empty JSON array", truth, err)
	}
}

// TestGolden pins the rendered config and truth for one seed, so a change to
// the organization, the stories or the record renderer is a visible diff.
func TestGolden(t *testing.T) {
	sum, _ := run(t, Options{Events: 1000, Days: 1, Accounts: 4, Seed: 1, Scenarios: []string{"all"}})
	for name, path := range map[string]string{"portcullis.yaml": sum.ConfigPath, "truth.json": sum.TruthPath} {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", "golden", name), got)
	}
}
