// Package finding holds the Finding type — the one schema every detector
// emits and every sink consumes — and its writers.
package finding

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Schema is the version tag carried by every finding.
const Schema = "portcullis.finding/v1"

// Severity is ordered: Info < Low < Medium < High < Critical.
type Severity int

const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity accepts the lower-case names (and Sigma's "informational").
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "info", "informational":
		return Info, nil
	case "low":
		return Low, nil
	case "medium":
		return Medium, nil
	case "high":
		return High, nil
	case "critical":
		return Critical, nil
	}
	return Info, fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", s)
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Actor is who did it.
type Actor struct {
	ARN         string `json:"arn,omitempty"`
	Type        string `json:"type,omitempty"`
	Name        string `json:"name,omitempty"`
	UserID      string `json:"user_id,omitempty"` // Identity Center user id, when known
	Allowlisted bool   `json:"allowlisted"`
}

// Targets are the Identity Center objects the change touched.
type Targets struct {
	AccountID         string `json:"account_id,omitempty"`
	PermissionSetARN  string `json:"permission_set_arn,omitempty"`
	PermissionSetName string `json:"permission_set_name,omitempty"`
	PrincipalType     string `json:"principal_type,omitempty"`
	PrincipalID       string `json:"principal_id,omitempty"`
	GroupID           string `json:"group_id,omitempty"`
	GroupName         string `json:"group_name,omitempty"`
	UserID            string `json:"user_id,omitempty"`
	InstanceARN       string `json:"instance_arn,omitempty"`
	PolicyARN         string `json:"policy_arn,omitempty"`
	SessionDuration   string `json:"session_duration,omitempty"`
	TargetType        string `json:"target_type,omitempty"`
}

// EventRef points at a triggering CloudTrail record.
type EventRef struct {
	EventID     string    `json:"event_id"`
	EventName   string    `json:"event_name"`
	EventSource string    `json:"event_source"`
	Time        time.Time `json:"time"`
	File        string    `json:"file,omitempty"`
}

// Finding is one detection. Field names are a contract (DESIGN.md).
type Finding struct {
	Schema      string     `json:"schema"`
	ID          string     `json:"id"`
	Rule        string     `json:"rule"`
	Title       string     `json:"title"`
	Severity    Severity   `json:"severity"`
	Time        time.Time  `json:"time"`
	Actor       Actor      `json:"actor"`
	Account     string     `json:"account,omitempty"`
	Region      string     `json:"region,omitempty"`
	Targets     Targets    `json:"targets"`
	Events      []EventRef `json:"events"`
	Summary     string     `json:"summary"`
	Attack      []string   `json:"attack,omitempty"`
	Remediation string     `json:"remediation,omitempty"`
	Reasons     []string   `json:"reasons,omitempty"` // why the severity is what it is
}

// StableID derives the finding id from the rule and the triggering event ids,
// so the same input always gives the same id (dedupe across reruns and
// redeliveries).
func StableID(rule string, eventIDs ...string) string {
	h := sha256.New()
	h.Write([]byte(rule))
	for _, id := range eventIDs {
		h.Write([]byte{0})
		h.Write([]byte(id))
	}
	return "pf-" + hex.EncodeToString(h.Sum(nil))[:24]
}

// Sort orders findings by time, then rule, then id, for deterministic output.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.ID < b.ID
	})
}

// CountBySeverity tallies findings per severity.
func CountBySeverity(fs []Finding) map[Severity]int {
	m := make(map[Severity]int)
	for _, f := range fs {
		m[f.Severity]++
	}
	return m
}
