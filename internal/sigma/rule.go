// Package sigma is the syntax tree of portcullis' rules — Sigma rules,
// Sigma v2 correlation rules and the portcullis extension block — and the
// YAML parser that builds it.
//
// The tree is plain data: every field path, modifier and value as written,
// the condition as an expression tree, the correlation block and the
// extension block typed. internal/detect compiles it into matchers; the
// exporters (Athena SQL, EventBridge patterns, plain Sigma) walk it.
package sigma

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// Rule is one rule document.
type Rule struct {
	Title          string
	SigmaID        string // Sigma's UUID id
	Name           string // Sigma name (referenced by correlations)
	Status         string
	Description    string
	References     []string
	Author         string
	Date           string
	Modified       string
	Tags           []string
	FalsePositives []string
	Level          finding.Severity // medium when the file names none
	Fields         []string
	Related        []map[string]string
	Logsource      Logsource

	// Exactly one of Detection and Correlation is set, unless the
	// extension's Kind says something other than a detection raises the
	// rule's findings (then neither is).
	Detection   *Detection
	Correlation *Correlation
	Portcullis  Extension

	Source string // file it came from, for errors
	YAML   []byte // the document as written
}

// Logsource is Sigma's logsource block; portcullis reads aws/cloudtrail.
type Logsource struct {
	Product, Service, Category, Definition string
}

// Kind says what raises a rule's findings.
type Kind string

const (
	// KindDetection rules are raised by their detection or correlation
	// block (the default, written as no kind at all).
	KindDetection Kind = ""
	// KindDrift rules are raised by watch --baseline's drift comparison:
	// the file carries the rule's metadata and nothing to evaluate.
	KindDrift Kind = "drift"
)

// Extension is the portcullis: block.
type Extension struct {
	ID          string // stable dotted id findings carry; "" for signal rules
	Kind        Kind
	Summary     string // template with {field.path} and {field.path|fallback}
	Remediation string
	Guardrail   bool // weakens a guardrail for everyone: admins get no discount
	Fallback    bool // evaluated only when no other finding-raising rule matched
	// Attempts marks a rule whose point is the failed call (probing a
	// protected role, guessing a password): an errorCode does not make its
	// findings mere attempts capped at low.
	Attempts bool
	Escalate []Escalation
	Tests    []Test
}

// Escalation raises a finding's severity when its selection matches.
type Escalation struct {
	Level  finding.Severity
	Reason string
	When   *Selection
}

// Test is one of a rule's own test events.
type Test struct {
	Name     string
	Match    bool
	Severity string           // expected severity when it matches ("" = any)
	Before   []map[string]any // earlier events (state and correlation windows)
	Event    map[string]any
}

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
	Correlation    *correlationFile    `yaml:"correlation"`
	FalsePositives []string            `yaml:"falsepositives"`
	Level          string              `yaml:"level"`
	Fields         []string            `yaml:"fields"`
	Related        []map[string]string `yaml:"related"`
	Portcullis     *extensionFile      `yaml:"portcullis"`
}

type extensionFile struct {
	ID          string `yaml:"id"`
	Kind        string `yaml:"kind"`
	Summary     string `yaml:"summary"`
	Remediation string `yaml:"remediation"`
	Guardrail   bool   `yaml:"guardrail"`
	Fallback    bool   `yaml:"fallback"`
	Attempts    bool   `yaml:"attempts"`
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

// Parse reads one rule document. source names the file in errors, which
// also name the rule and the field that is wrong.
func Parse(b []byte, source string) (*Rule, error) {
	var f ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %s", source, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	r := &Rule{
		Title: f.Title, SigmaID: f.ID, Name: f.Name, Status: f.Status, Description: f.Description,
		References: f.References, Author: f.Author, Date: f.Date, Modified: f.Modified, Tags: f.Tags,
		FalsePositives: f.FalsePositives, Fields: f.Fields, Related: f.Related, Source: source, YAML: b,
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
	kind := KindDetection
	if f.Portcullis != nil {
		kind = Kind(f.Portcullis.Kind)
	}
	if err := r.parseBody(&f, kind, fail); err != nil {
		return nil, err
	}
	if x := f.Portcullis; x != nil {
		if err := r.parseExtension(x, fail); err != nil {
			return nil, err
		}
	}
	return r, nil
}

type failFunc func(field, format string, a ...any) error

// parseBody reads what raises the rule's findings: a detection, a
// correlation, or (for a rule another part of portcullis raises) neither.
func (r *Rule) parseBody(f *ruleFile, kind Kind, fail failFunc) error {
	hasDetection := f.Detection.Kind != 0
	switch {
	case kind == KindDrift:
		if hasDetection || f.Correlation != nil {
			return fail("portcullis.kind", "a %s rule is raised by watch --baseline, not by a detection or correlation block", kind)
		}
		return nil
	case kind != KindDetection:
		return fail("portcullis.kind", "unknown %q (want %s, or none for a detection)", kind, KindDrift)
	case hasDetection && f.Correlation != nil:
		return fail("detection", "a rule has either detection or correlation, not both")
	case f.Correlation != nil:
		c, err := parseCorrelation(f.Correlation)
		if err != nil {
			return fail("correlation", "%v", err)
		}
		r.Correlation = c
	case hasDetection:
		ls, err := parseLogsource(f.Logsource)
		if err != nil {
			return fail("logsource", "%v", err)
		}
		r.Logsource = ls
		d, err := parseDetection(&f.Detection)
		if err != nil {
			return fail("detection", "%v", err)
		}
		r.Detection = d
	default:
		return fail("detection", "required")
	}
	return nil
}

func (r *Rule) parseExtension(x *extensionFile, fail failFunc) error {
	if x.ID != "" && !dottedID.MatchString(x.ID) {
		return fail("portcullis.id", "want a dotted id like idc.assignment.created, got %q", x.ID)
	}
	r.Portcullis = Extension{ID: x.ID, Kind: Kind(x.Kind), Summary: x.Summary, Remediation: x.Remediation, Guardrail: x.Guardrail, Fallback: x.Fallback, Attempts: x.Attempts}
	if r.Portcullis.Kind == KindDrift {
		switch {
		case x.ID == "":
			return fail("portcullis.id", "required for a %s rule", KindDrift)
		case len(x.Tests) > 0 || len(x.Escalate) > 0 || x.Fallback || x.Attempts:
			return fail("portcullis", "a %s rule has no detection: tests, escalate, fallback and attempts do not apply", KindDrift)
		}
	}
	for i, e := range x.Escalate {
		l, err := finding.ParseSeverity(e.Level)
		if err != nil {
			return fail(fmt.Sprintf("portcullis.escalate[%d].level", i), "%v", err)
		}
		sel, err := parseSelection(fmt.Sprintf("escalate[%d]", i), &e.When)
		if err != nil {
			return fail(fmt.Sprintf("portcullis.escalate[%d].when", i), "%v", err)
		}
		r.Portcullis.Escalate = append(r.Portcullis.Escalate, Escalation{Level: l, Reason: e.Reason, When: sel})
	}
	for i, t := range x.Tests {
		if t.Match == nil {
			return fail(fmt.Sprintf("portcullis.tests[%d].match", i), "required (true or false)")
		}
		if t.Event == nil {
			return fail(fmt.Sprintf("portcullis.tests[%d].event", i), "required")
		}
		r.Portcullis.Tests = append(r.Portcullis.Tests, Test{Name: t.Name, Match: *t.Match, Severity: t.Severity, Before: t.Before, Event: t.Event})
	}
	return nil
}

func parseLogsource(ls map[string]string) (Logsource, error) {
	var out Logsource
	for k, v := range ls {
		switch k {
		case "product":
			if v != "aws" {
				return out, fmt.Errorf("product %q: only aws is supported", v)
			}
			out.Product = v
		case "service":
			if v != "cloudtrail" {
				return out, fmt.Errorf("service %q: only cloudtrail is supported", v)
			}
			out.Service = v
		case "category":
			out.Category = v
		case "definition":
			out.Definition = v
		default:
			return out, fmt.Errorf("unknown key %q", k)
		}
	}
	if out.Product == "" {
		return out, fmt.Errorf("product: required (aws)")
	}
	return out, nil
}

// IsCorrelation reports whether the rule is a correlation rule.
func (r *Rule) IsCorrelation() bool { return r.Correlation != nil }
