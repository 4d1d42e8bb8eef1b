package watch

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/detect"
	"github.com/portcullis-sec/portcullis/internal/drift"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// DriftRule is the rule id of findings raised when the live state drifts
// from the last known-good baseline. Its rule file
// (rules/idc.drift.rogue-grant.yml) carries the title, remediation and
// ATT&CK tags those findings show.
const DriftRule = "idc.drift.rogue-grant"

// DriftDetector is a Detector that, after every batch that changed the
// Identity Center model, diffs the model against a known-good baseline and
// raises a finding for each grant the baseline does not have. Finding ids
// are stable per difference, so the store raises each one once.
type DriftDetector struct {
	*detect.Stream // State and Restore: the engine's windows and model
	eng            *detect.Engine
	rule           *detect.Rule
	base           *idc.Model
	cfg            *config.Config
}

// NewDriftDetector runs eng's rules and pages on drift from base (a
// snapshot or Terraform state).
func NewDriftDetector(eng *detect.Engine, base *idc.Model) (*DriftDetector, error) {
	var rule *detect.Rule
	for _, r := range eng.Rules() {
		if r.Portcullis.ID == DriftRule && r.RaisedByWatch() {
			rule = r
		}
	}
	if rule == nil {
		return nil, fmt.Errorf("rule %s (kind drift) is not in the rule set", DriftRule)
	}
	return &DriftDetector{Stream: eng.Stream(), eng: eng, rule: rule, base: base, cfg: eng.Config()}, nil
}

// Detect runs the rules, then the diff when the model moved.
func (d *DriftDetector) Detect(ctx context.Context, evs []*cloudtrail.Event) ([]finding.Finding, error) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	var out []finding.Finding
	var changers []finding.EventRef // the events that moved the model (first ten)
	for _, ev := range evs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v := d.eng.ModelVersion()
		out = append(out, d.eng.Process(ev)...)
		if d.eng.ModelVersion() != v && len(changers) < 10 {
			changers = append(changers, detect.EventRef(ev))
		}
	}
	if len(changers) == 0 {
		return out, nil
	}
	rep := drift.Diff(d.base, d.eng.State(), d.cfg)
	for _, df := range rep.Differences {
		if df.Kind.IsGrant() {
			out = append(out, d.finding(df, changers))
		}
	}
	return out, nil
}

func (d *DriftDetector) finding(df drift.Difference, evs []finding.EventRef) finding.Finding {
	last := evs[len(evs)-1]
	reasons := append([]string{fmt.Sprintf("%s: not in the known-good baseline", df.Kind)}, df.Reasons...)
	o := df.Object
	return finding.Finding{
		Schema:   finding.Schema,
		ID:       finding.StableID(DriftRule, string(df.Kind), o.Key),
		Rule:     DriftRule,
		Title:    d.rule.Title,
		Severity: df.Severity,
		Time:     last.Time,
		Account:  o.AccountID,
		Targets: finding.Targets{
			AccountID: o.AccountID, PermissionSetARN: o.PermissionSetARN, PermissionSetName: o.PermissionSetName,
			PrincipalType: o.PrincipalType, PrincipalID: o.PrincipalID, GroupID: o.GroupID,
			GroupName: o.GroupName, UserID: o.UserID, PolicyARN: o.PolicyARN,
		},
		Events:      evs,
		Summary:     df.Summary,
		Attack:      d.rule.Attack(),
		Remediation: strings.TrimSpace(d.rule.Portcullis.Remediation),
		Reasons:     reasons,
	}
}
