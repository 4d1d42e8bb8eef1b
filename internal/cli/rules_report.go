package cli

import (
	"fmt"
	"io"

	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/table"
)

// ruleEntry is one rule in rules list --format json.
type ruleEntry struct {
	ID             string           `json:"id"`
	Title          string           `json:"title"`
	Severity       finding.Severity `json:"severity"`
	Kind           string           `json:"kind"`
	Status         string           `json:"status,omitempty"`
	SigmaID        string           `json:"sigma_id,omitempty"`
	Description    string           `json:"description,omitempty"`
	Attack         []string         `json:"attack"`
	FalsePositives []string         `json:"false_positives"`
	References     []string         `json:"references"`
	Tests          int              `json:"tests"`
	Source         string           `json:"source"`
}

// writeRuleList lists the rules that raise findings, as a table or JSON.
func writeRuleList(w io.Writer, rs *detect.RuleSet, format string) error {
	var entries []ruleEntry
	for _, r := range rs.Rules {
		if !r.Generates() {
			continue
		}
		entries = append(entries, ruleEntry{ID: r.Portcullis.ID, Title: r.Title, Severity: r.Level, Kind: r.KindLabel(),
			Status: r.Status, SigmaID: r.SigmaID, Description: r.Description, Attack: orEmpty(r.Attack()),
			FalsePositives: orEmpty(r.FalsePositives), References: orEmpty(r.References), Tests: len(r.Portcullis.Tests), Source: r.Source})
	}
	if format == "json" {
		return writeJSON(w, struct {
			Schema string      `json:"schema"`
			Rules  []ruleEntry `json:"rules"`
		}{"portcullis.rules/v1", orEmpty(entries)})
	}
	tw := table.New(w)
	fmt.Fprintln(tw, "ID\tLEVEL\tKIND\tTITLE")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.ID, e.Severity, e.Kind, e.Title)
	}
	return tw.Flush()
}

// writeRuleTests prints failed tests (every test with verbose, with what
// it expected and got) and the count; it returns how many failed.
func writeRuleTests(w io.Writer, res []detect.TestResult, verbose bool) int {
	failed := 0
	for _, r := range res {
		verdict := "PASS"
		if !r.Passed {
			failed++
			verdict = "FAIL"
		}
		switch {
		case verbose:
			fmt.Fprintf(w, "%s %s: %s: want %s, got %s", verdict, r.Rule, r.Name, r.Want, r.Got)
			if r.Detail != "" && !r.Passed {
				fmt.Fprintf(w, " (%s)", r.Detail)
			}
			fmt.Fprintln(w)
		case !r.Passed:
			fmt.Fprintf(w, "FAIL %s: %s: %s\n", r.Rule, r.Name, r.Detail)
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", len(res)-failed, failed)
	return failed
}
