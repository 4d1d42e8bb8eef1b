package store

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// TestFindingKeysMatchTheJSONPaths: the keys the writer computes from a
// finding are the ones the migration's JSON paths give for its JSON (the
// backfill of older stores and the web view's filters agree with them).
func TestFindingKeysMatchTheJSONPaths(t *testing.T) {
	if len(findingKeyFields) != len(findingKeyPaths) {
		t.Fatalf("%d key fields for %d JSON paths", len(findingKeyFields), len(findingKeyPaths))
	}
	s, _ := openTemp(t)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	full := mkFinding("r", finding.High, at, "e1")
	full.Actor = finding.Actor{ARN: "arn:aws:iam::1:user/a", Name: "a", UserID: "u-a", Type: "IAMUser"}
	full.Account = "111111111111"
	full.Targets = finding.Targets{AccountID: "222222222222", PrincipalID: "p-1", UserID: "u-1", GroupID: "g-1"}
	odd := mkFinding("r", finding.High, at, "e2")
	odd.Actor = finding.Actor{Name: `quo"te\back`, ARN: "x\u2028y"}
	for _, f := range []finding.Finding{full, odd, mkFinding("r", finding.Low, at, "e3")} {
		blob, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, k := range findingKeyPaths {
			var v *string
			if err := s.db.QueryRowContext(context.Background(), `SELECT json_extract(?, ?)`, string(blob), k.path).Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v != nil && *v != "" {
				want = append(want, k.prefix+*v)
			}
		}
		if got := findingKeys(&f); !slices.Equal(got, want) {
			t.Errorf("%s: keys %q, JSON paths give %q", f.ID, got, want)
		}
	}
}
