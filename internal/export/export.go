// Package export writes the rule pack for other engines: one Athena (or
// CloudTrail Lake) SQL query per rule, one EventBridge event pattern per rule
// (and the combined pattern watch needs), and plain Sigma files.
//
// Every exporter walks the rule's syntax tree (internal/sigma), so any rule
// exports, not a list of known ones. What a format cannot say — derived
// portcullis.* fields that need the policy analyser, the Identity Center
// model or actor normalisation, correlations over time — is left out in the
// direction that keeps every match: an exported rule returns a superset of
// what portcullis finds, and says which conditions it lost and why.
package export

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// Formats.
const (
	FormatAthena      = "athena"
	FormatLake        = "cloudtrail-lake"
	FormatEventBridge = "eventbridge"
	FormatSigma       = "sigma"
)

// Formats lists the formats, for flags and errors.
var Formats = []string{FormatAthena, FormatLake, FormatEventBridge, FormatSigma}

// Status says how much of a rule a format could write.
type Status string

const (
	// Full: the export matches exactly the events the rule matches.
	Full Status = "full"
	// Partial: the export matches a superset; Lost says what is missing.
	Partial Status = "partial"
	// Skipped: nothing was exported; Reason says why.
	Skipped Status = "not exported"
)

// Loss is one condition of a rule a format cannot express.
type Loss struct {
	Condition string // "portcullis.policy.escalation in selection_managed"
	Why       string // "needs the policy analyser …"
}

func (l Loss) String() string { return l.Condition + ": " + l.Why }

// Item is one rule's export.
type Item struct {
	Rule   *sigma.Rule
	ID     string // the portcullis id, or the Sigma name of a rule without one
	Status Status
	Lost   []Loss
	Notes  []string // differences that are not lost conditions (severity policy, fallback)
	Reason string   // why a Skipped rule was not exported
	Body   []byte   // the query, pattern or Sigma document
}

// FileName is where the item goes under --out.
func (it Item) FileName(format string) string {
	ext := map[string]string{FormatAthena: ".sql", FormatLake: ".sql", FormatEventBridge: ".json", FormatSigma: ".yml"}[format]
	return it.ID + ext
}

// Options hold what exports are written for.
type Options struct {
	Config     *config.Config // placeholders and the admins allow-list; nil = defaults
	ConfigName string         // where it came from, for the notes ("" = defaults)
	Target     Target         // the SQL formats' table
	Since      Since          // the SQL formats' window
	// Expand fills Sigma |expand placeholders from the config (SQL and
	// EventBridge always do; plain Sigma keeps them for the user's pipeline
	// unless a config is given).
	Expand bool
}

func (o *Options) config() *config.Config {
	if o.Config == nil {
		return config.Default()
	}
	return o.Config
}

// ruleID names a rule in file names and notes.
func ruleID(r *sigma.Rule) string {
	switch {
	case r.Portcullis.ID != "":
		return r.Portcullis.ID
	case r.Name != "":
		return r.Name
	}
	return r.SigmaID
}

// skipReason says why a rule is not exported as a single-event rule, or "".
func skipReason(r *sigma.Rule) string {
	switch {
	case r.Portcullis.Kind == sigma.KindDrift:
		return "raised by watch --baseline when a grant is outside the baseline state; there is no per-event condition to export"
	case r.Correlation != nil:
		c := r.Correlation
		return fmt.Sprintf("a %s correlation of %s within %s grouped by %s: it joins events over time on fields portcullis derives; run it with portcullis hunt or watch",
			c.Type, strings.Join(c.Rules, ", "), c.TimespanText, strings.Join(c.GroupBy, ", "))
	case r.Detection == nil:
		return "no detection"
	case r.Portcullis.ID == "":
		return "no portcullis id: it raises no finding of its own (a signal that only feeds correlations)"
	}
	return ""
}

// Skip returns the not-exported item for r, or false when r is exported.
func Skip(r *sigma.Rule) (Item, bool) {
	why := skipReason(r)
	if why == "" {
		return Item{}, false
	}
	return Item{Rule: r, ID: ruleID(r), Status: Skipped, Reason: why}, true
}

// severityNote says what portcullis' severity policy adds, which no export
// computes.
func severityNote(r *sigma.Rule) string {
	var esc []string
	for _, e := range r.Portcullis.Escalate {
		what := e.Reason
		if what == "" {
			what = e.When.Name
		}
		esc = append(esc, e.Level.String()+" when "+what)
	}
	s := "severity " + sigmaLevel(r.Level) + " as written; portcullis sets it per finding"
	if len(esc) > 0 {
		s += " (escalates: " + strings.Join(esc, "; ") + ")"
	}
	if r.Portcullis.Guardrail {
		return s + ": at least medium even for allow-listed admins, failed calls low"
	}
	return s + ": allow-listed admins low, anyone else at least medium, failed calls low"
}

// fallbackNote is the difference a fallback rule always carries.
const fallbackNote = "portcullis evaluates this rule only when no other rule raised a finding for the event: the export also returns events other rules report"

// sigmaLevel spells a severity as Sigma's level.
func sigmaLevel(s finding.Severity) string {
	if s == finding.Info {
		return "informational"
	}
	return s.String()
}

// losses collects the conditions a rule loses, once each.
type losses []Loss

func (ls *losses) add(condition, why string) {
	l := Loss{Condition: condition, Why: why}
	if !slices.Contains(*ls, l) {
		*ls = append(*ls, l)
	}
}
