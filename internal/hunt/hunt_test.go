package hunt

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/simulate"
)

// TestHuntFindsEveryPlantedStep is the end-to-end contract of the rule pack:
// in a simulated org trail with every attack scenario among routine admin
// work and background noise, every attack record is found by its rule (the
// record's eventID is in the finding's events), and nothing else draws a
// finding at medium or above.
func TestHuntFindsEveryPlantedStep(t *testing.T) {
	for _, seed := range []int64{1, 2} {
		dir := t.TempDir()
		sum, err := simulate.Run(context.Background(), simulate.Options{Out: dir, Events: 30000, Seed: seed, Scenarios: []string{"all"}})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(sum.ConfigPath)
		if err != nil {
			t.Fatal(err)
		}
		var inputErrs []error
		res, err := Run(context.Background(), Options{Paths: []string{filepath.Join(dir, "AWSLogs")}, Config: cfg, Workers: 2,
			OnError: func(err error) { inputErrs = append(inputErrs, err) }})
		if err != nil {
			t.Fatal(err)
		}
		if len(inputErrs) > 0 {
			t.Errorf("seed %d: simulated trail produced input errors: %v", seed, inputErrs[0])
		}
		if len(sum.Attacks) < 20 {
			t.Fatalf("seed %d: only %d attack steps planted", seed, len(sum.Attacks))
		}
		type key struct{ rule, event string }
		found := map[key]bool{}
		attackEvents := map[string]bool{}
		for _, s := range sum.Attacks {
			attackEvents[s.EventID] = true
		}
		for _, f := range res.Findings {
			onAttack := false
			for _, e := range f.Events {
				found[key{f.Rule, e.EventID}] = true
				onAttack = onAttack || attackEvents[e.EventID]
			}
			if f.Severity >= finding.Medium && !onAttack {
				t.Errorf("seed %d: %s finding on non-attack record(s) %v: %s", seed, f.Severity, f.Events, f.Summary)
			}
		}
		for _, s := range sum.Attacks {
			if !found[key{s.Rule, s.EventID}] {
				t.Errorf("seed %d: %s step %s %s (%s) not found by %s", seed, s.Scenario, s.EventSource, s.EventName, s.EventID, s.Rule)
			}
		}
	}
}
