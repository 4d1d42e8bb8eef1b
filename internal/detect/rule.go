// Package detect loads Sigma rules (and Sigma v2 correlation rules) and
// evaluates them over enriched CloudTrail events, producing findings.
package detect

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/finding"
)

// Rule is one Sigma rule plus portcullis' extension block.
type Rule struct {
	Title          string
	SigmaID        string // Sigma's UUID id
	Name           string // Sigma name (referenced by correlations)
	Status         string
	Description    string
	References     []string
	Tags           []string
	FalsePositives []string
	Level          finding.Severity
	Author         string
	Date           string

	ID          string // our dotted id (portcullis.id), "" for internal signal rules
	Remediation string
	Summary     string // template with {field.path} placeholders
	Guardrail   bool   // weakens a guardrail for everyone: admins get no discount
	Fallback    bool   // evaluated only when no other finding-raising rule matched
	Escalate    []Escalation
	Tests       []RuleTest
	Source      string // file it came from

	detection *detection   // nil for correlation rules
	corr      *correlation // nil for plain rules
	silent    bool         // referenced by a correlation without generate: true
	// scope is the (eventSource -> eventNames) a rule can match at all,
	// derived from its detection; nil means any event. It lets Process skip
	// rules cheaply (an empty name set is every name).
	scope   map[string]map[string]bool
	rawYAML []byte
}

// Escalation raises a finding's severity when its selection matches.
type Escalation struct {
	Level  finding.Severity
	Reason string
	when   *selection
}

// RuleTest is one of a rule's own test events.
type RuleTest struct {
	Name     string
	Match    bool
	Severity string           // expected severity when it matches ("" = any)
	Before   []map[string]any // earlier events (state and correlation windows)
	Event    map[string]any
}

// IsCorrelation reports whether the rule is a correlation rule.
func (r *Rule) IsCorrelation() bool { return r.corr != nil }

// Generates reports whether matches of r become findings.
func (r *Rule) Generates() bool { return r.ID != "" && !r.silent }

// YAML returns the rule as it was written.
func (r *Rule) YAML() []byte { return r.rawYAML }

type ruleFile struct {
	Title          string              `yaml:"title"`
	ID             string              `yaml:"id"`
	Name           string              `yaml:"name"`
	Status         string              `yaml:"status"`
	Description    string              `yaml:"description"`
	References     []string            `yaml:"references"`
	Author         string              `yaml:"author"`
	Date           string              `yaml:"date"`
	Modified       string              `yaml:"modified"`
	Tags           []string            `yaml:"tags"`
	Logsource      map[string]string   `yaml:"logsource"`
	Detection      yaml.Node           `yaml:"detection"`
	Correlation    *corrFile           `yaml:"correlation"`
	FalsePositives []string            `yaml:"falsepositives"`
	Level          string              `yaml:"level"`
	Fields         []string            `yaml:"fields"`
	Related        []map[string]string `yaml:"related"`
	Portcullis     *extFile            `yaml:"portcullis"`
}

type extFile struct {
	ID          string `yaml:"id"`
	Summary     string `yaml:"summary"`
	Remediation string `yaml:"remediation"`
	Guardrail   bool   `yaml:"guardrail"`
	Fallback    bool   `yaml:"fallback"`
	Escalate    []struct {
		Level  string    `yaml:"level"`
		Reason string    `yaml:"reason"`
		When   yaml.Node `yaml:"when"`
	} `yaml:"escalate"`
	Tests []struct {
		Name     string           `yaml:"name"`
		Match    *bool            `yaml:"match"`
		Severity string           `yaml:"severity"`
		Before   []map[string]any `yaml:"before"`
		Event    map[string]any   `yaml:"event"`
	} `yaml:"tests"`
}

var (
	dottedID  = regexp.MustCompile(`^idc(\.[a-z0-9]+(-[a-z0-9]+)*){2,}$`)
	sigmaName = regexp.MustCompile(`^[a-z0-9_.-]+$`)
)

// ParseRule reads one rule document. source names the file for errors.
func ParseRule(b []byte, source string) (*Rule, error) {
	var f ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %s", source, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	r := &Rule{
		Title: f.Title, SigmaID: f.ID, Name: f.Name, Status: f.Status, Description: f.Description,
		References: f.References, Tags: f.Tags, FalsePositives: f.FalsePositives,
		Author: f.Author, Date: f.Date, Source: source, rawYAML: b,
	}
	fail := func(field, format string, a ...any) error {
		return fmt.Errorf("%s: rule %q: %s: %s", source, f.Title, field, fmt.Sprintf(format, a...))
	}
	if f.Title == "" {
		return nil, fail("title", "required")
	}
	if f.Name != "" && !sigmaName.MatchString(f.Name) {
		return nil, fail("name", "want lower-case letters, digits, '_', '-', '.'; got %q", f.Name)
	}
	if f.Level == "" {
		f.Level = "medium"
	}
	lvl, err := finding.ParseSeverity(f.Level)
	if err != nil {
		return nil, fail("level", "%v", err)
	}
	r.Level = lvl
	hasDetection := f.Detection.Kind != 0
	switch {
	case hasDetection && f.Correlation != nil:
		return nil, fail("detection", "a rule has either detection or correlation, not both")
	case f.Correlation != nil:
		c, err := parseCorrelation(f.Correlation)
		if err != nil {
			return nil, fail("correlation", "%v", err)
		}
		r.corr = c
	case hasDetection:
		if err := checkLogsource(f.Logsource); err != nil {
			return nil, fail("logsource", "%v", err)
		}
		d, err := parseDetection(&f.Detection)
		if err != nil {
			return nil, fail("detection", "%v", err)
		}
		r.detection = d
	default:
		return nil, fail("detection", "required")
	}
	if x := f.Portcullis; x != nil {
		if x.ID != "" && !dottedID.MatchString(x.ID) {
			return nil, fail("portcullis.id", "want a dotted id like idc.assignment.created, got %q", x.ID)
		}
		r.ID, r.Summary, r.Remediation, r.Guardrail, r.Fallback = x.ID, x.Summary, x.Remediation, x.Guardrail, x.Fallback
		for i, e := range x.Escalate {
			l, err := finding.ParseSeverity(e.Level)
			if err != nil {
				return nil, fail(fmt.Sprintf("portcullis.escalate[%d].level", i), "%v", err)
			}
			sel, err := parseSelection(&e.When)
			if err != nil {
				return nil, fail(fmt.Sprintf("portcullis.escalate[%d].when", i), "%v", err)
			}
			r.Escalate = append(r.Escalate, Escalation{Level: l, Reason: e.Reason, when: sel})
		}
		for i, t := range x.Tests {
			if t.Match == nil {
				return nil, fail(fmt.Sprintf("portcullis.tests[%d].match", i), "required (true or false)")
			}
			if t.Event == nil {
				return nil, fail(fmt.Sprintf("portcullis.tests[%d].event", i), "required")
			}
			r.Tests = append(r.Tests, RuleTest{Name: t.Name, Match: *t.Match, Severity: t.Severity, Before: t.Before, Event: t.Event})
		}
	}
	return r, nil
}

func checkLogsource(ls map[string]string) error {
	for k, v := range ls {
		switch k {
		case "product":
			if v != "aws" {
				return fmt.Errorf("product %q: only aws is supported", v)
			}
		case "service":
			if v != "cloudtrail" {
				return fmt.Errorf("service %q: only cloudtrail is supported", v)
			}
		case "category", "definition":
		default:
			return fmt.Errorf("unknown key %q", k)
		}
	}
	if ls["product"] == "" {
		return fmt.Errorf("product: required (aws)")
	}
	return nil
}

// correlation is a Sigma v2 correlation block.
type correlation struct {
	Type     string // temporal_ordered | temporal | event_count
	Rules    []string
	GroupBy  []string
	Timespan time.Duration
	Aliases  map[string]map[string]string // alias -> rule name -> field
	Generate bool
	GTE      int // event_count threshold
}

type corrFile struct {
	Type      string                       `yaml:"type"`
	Rules     []string                     `yaml:"rules"`
	GroupBy   []string                     `yaml:"group-by"`
	Timespan  string                       `yaml:"timespan"`
	Aliases   map[string]map[string]string `yaml:"aliases"`
	Generate  bool                         `yaml:"generate"`
	Condition map[string]int               `yaml:"condition"`
}

func parseCorrelation(c *corrFile) (*correlation, error) {
	out := &correlation{Type: c.Type, Rules: c.Rules, GroupBy: c.GroupBy, Aliases: c.Aliases, Generate: c.Generate}
	switch c.Type {
	case "temporal_ordered", "temporal":
		if len(c.Rules) < 2 {
			return nil, fmt.Errorf("rules: %s needs at least two rules", c.Type)
		}
	case "event_count":
		if len(c.Rules) < 1 {
			return nil, fmt.Errorf("rules: required")
		}
		for k, v := range c.Condition {
			if k != "gte" {
				return nil, fmt.Errorf("condition: only gte is supported, got %q", k)
			}
			out.GTE = v
		}
		if out.GTE < 1 {
			return nil, fmt.Errorf("condition: gte must be at least 1")
		}
	case "value_count":
		return nil, fmt.Errorf("type: value_count is not supported")
	default:
		return nil, fmt.Errorf("type: unknown %q", c.Type)
	}
	d, err := parseTimespan(c.Timespan)
	if err != nil {
		return nil, fmt.Errorf("timespan: %w", err)
	}
	out.Timespan = d
	if len(c.GroupBy) == 0 {
		return nil, fmt.Errorf("group-by: required (unbounded state otherwise)")
	}
	return out, nil
}

// parseTimespan reads a correlation window: 30s, 5m, 1.5h, 1d, PT4H
// (config.ParseDuration), and only a positive one.
func parseTimespan(s string) (time.Duration, error) {
	d, err := config.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("want a positive duration, got %q", s)
	}
	return d, nil
}
