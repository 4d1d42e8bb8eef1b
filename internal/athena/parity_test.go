//go:build cgo

package athena_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/athena"
	"github.com/portcullis-sec/portcullis/internal/athenafake"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/hunt"
	"github.com/portcullis-sec/portcullis/internal/source"
)

// TestParityWithLocalHunt is the contract of hunt --athena: over the same
// simulated organization trail (every attack scenario among routine admin
// work and noise), loaded into DuckDB as the standard CloudTrail table, the
// query the hunt sends — run through the dialect layer by the real SDK
// against the fake — gives the local hunt's findings, finding for finding
// (ids, rules, severities, actors, targets, events, summaries), for the
// whole trail and for a window of days, accounts and regions.
func TestParityWithLocalHunt(t *testing.T) {
	db, logs := loaded(t)
	_, sum := simulatedTrail(t)
	cfg, err := config.Load(sum.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	total := count(t, db, "")
	start := sum.Attacks[0].Time.Truncate(24 * time.Hour)
	for _, tc := range []struct {
		name   string
		window athena.Window
	}{
		{"whole trail", athena.Window{}},
		{"window", athena.Window{Since: start.Add(20 * time.Hour), Until: start.Add(50 * time.Hour),
			Accounts: []string{sum.Attacks[0].Account, sum.Attacks[len(sum.Attacks)-1].Account}, Regions: []string{"us-east-1", "eu-west-1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			w := tc.window
			local, err := hunt.Run(ctx, hunt.Options{Paths: []string{logs}, Config: cfg, Workers: 2,
				Filter:  source.Filter{Since: w.Since, Until: w.Until, Accounts: w.Accounts, Regions: w.Regions},
				OnError: func(err error) { t.Errorf("local input error: %v", err) }})
			if err != nil {
				t.Fatal(err)
			}
			srv := athenafake.NewServer(db, athenafake.Options{})
			defer srv.Close()
			r := runner(srv)
			var q athena.Query
			remote, st, err := r.Hunt(ctx, athena.HuntOptions{
				Table: athena.Table{Database: testDB, Name: testTable}, Window: w, Describe: true,
				Hunt:    hunt.Options{Config: cfg, OnError: func(err error) { t.Errorf("athena input error: %v", err) }},
				OnQuery: func(x athena.Query) { q = x },
				Warn:    func(s string) { t.Errorf("warning on the standard table: %s", s) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(local.Findings) < 10 {
				t.Fatalf("the local hunt found only %d findings: the comparison would prove little", len(local.Findings))
			}
			compareFindings(t, local.Findings, remote.Findings)
			if st.Rows == 0 || st.Rows > total/5 {
				t.Errorf("the query returned %d of %d rows: the prefilter is not pushed down", st.Rows, total)
			}
			t.Logf("%s: %d findings; %d of %d rows returned (%.2f%%), %d bytes scanned; query:\n%s",
				tc.name, len(remote.Findings), st.Rows, total, 100*float64(st.Rows)/float64(total), st.DataScanned, q.SQL)
		})
	}
}

func compareFindings(t *testing.T, want, got []finding.Finding) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("athena: %d findings, local: %d", len(got), len(want))
	}
	byID := map[string]finding.Finding{}
	for _, f := range got {
		byID[f.ID] = f
	}
	for _, w := range want {
		g, ok := byID[w.ID]
		if !ok {
			t.Errorf("athena missed %s %s %s (%s)", w.ID, w.Rule, w.Severity, w.Summary)
			continue
		}
		wj, _ := json.Marshal(w)
		gj, _ := json.Marshal(g)
		if string(wj) != string(gj) {
			t.Errorf("finding %s differs:\nlocal:  %s\nathena: %s", w.ID, wj, gj)
		}
		delete(byID, w.ID)
	}
	for _, g := range byID {
		t.Errorf("athena found %s %s %s that the local hunt did not (%s)", g.ID, g.Rule, g.Severity, g.Summary)
	}
}
