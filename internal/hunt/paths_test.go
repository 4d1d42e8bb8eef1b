package hunt

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail/cloudtrailtest"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/golden"
	"github.com/portcullis-sec/portcullis/internal/simulate"
)

// TestEveryPathSameFindings guards the scan's shortcuts (the byte
// prefilter, the search-first split, lazy decoding): on the two shapes of
// benchmark trail — a simulated org trail with every attack scenario, where
// a few percent of records pass the prefilter, and a generated trail where
// about 1% do — the hunt finds exactly what it finds when every record is
// split and decoded in full (NoPrefilter), on one worker and on two, and
// exactly what main's code found before the shortcuts (the golden files).
func TestEveryPathSameFindings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		trail func(t *testing.T, dir string) *config.Config
	}{
		{"simulated", func(t *testing.T, dir string) *config.Config {
			sum, err := simulate.Run(context.Background(), simulate.Options{Out: dir, Events: 40000, Seed: 5, Scenarios: []string{"all"}})
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(sum.ConfigPath)
			if err != nil {
				t.Fatal(err)
			}
			return cfg
		}},
		{"generated-1pct", func(t *testing.T, dir string) *config.Config {
			if _, err := cloudtrailtest.WriteTrail(dir, cloudtrailtest.TrailOptions{Seed: 7, Days: 2, Bytes: 24 << 20}); err != nil {
				t.Fatal(err)
			}
			return config.Default()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := tc.trail(t, dir)
			hunt := func(o Options) (string, *Result) {
				t.Helper()
				o.Paths, o.Config = []string{dir}, cfg
				o.OnError = func(err error) { t.Errorf("%+v: input error on a generated trail: %v", o.Workers, err) }
				res, err := Run(context.Background(), o)
				if err != nil {
					t.Fatal(err)
				}
				return digest(res), res
			}
			full, fres := hunt(Options{Workers: 1, NoPrefilter: true})
			if fres.Scan.Matched != fres.Scan.Records {
				t.Fatalf("full path decoded %d of %d records", fres.Scan.Matched, fres.Scan.Records)
			}
			for _, w := range []int{1, 2} {
				got, res := hunt(Options{Workers: w})
				if d := golden.Diff(full, got); d != "" {
					t.Errorf("workers=%d: findings differ from the full decode:\n%s", w, d)
				}
				if res.Scan.Records != fres.Scan.Records {
					t.Errorf("workers=%d: %d records read, the full path read %d", w, res.Scan.Records, fres.Scan.Records)
				}
				if res.Scan.Matched == 0 || res.Scan.Matched*20 > res.Scan.Records {
					t.Errorf("workers=%d: %d of %d records passed the prefilter: not a benchmark-shaped trail", w, res.Scan.Matched, res.Scan.Records)
				}
			}
			golden.Check(t, filepath.Join("testdata", "paths-"+tc.name+".golden"), []byte(full))
		})
	}
}

// digest is one line per finding: everything a user sees of it that the
// scan could change (which events, what was said about them).
func digest(res *Result) string {
	var sb strings.Builder
	for _, f := range res.Findings {
		fmt.Fprintf(&sb, "%s %s %s %s %s", f.ID, f.Rule, f.Severity, f.Time.Format("2006-01-02T15:04:05Z"), f.Actor.ARN)
		for _, e := range f.Events {
			fmt.Fprintf(&sb, " %s:%s", e.EventName, e.EventID)
		}
		fmt.Fprintf(&sb, " | %s | %s\n", f.Summary, strings.Join(f.Reasons, "; "))
	}
	return sb.String()
}
