package detect

import (
	"context"
	"fmt"
	"sort"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/drift"
	"github.com/portcullis-sec/portcullis/internal/finding"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// DriftRule is the rule id of findings raised when the live state drifts
// from the last known-good baseline.
const DriftRule = "idc.drift.rogue-grant"

// DriftStream is a Stream that, after every batch that changed the
// Identity Center model, diffs the model against a known-good baseline and
// raises a finding for each grant the baseline does not have. Finding ids
// are stable per difference, so the store raises each one once.
type DriftStream struct {
	*Stream
	base *idc.Model
	cfg  *config.Config
}

// WithBaseline pages on drift from base (a snapshot or Terraform state).
func (s *Stream) WithBaseline(base *idc.Model) *DriftStream {
	return &DriftStream{Stream: s, base: base, cfg: s.e.cfg}
}

// Detect runs the rules, then the diff when the model moved.
func (d *DriftStream) Detect(ctx context.Context, evs []*cloudtrail.Event) ([]finding.Finding, error) {
	before := d.e.modelVersion
	var changers []finding.EventRef
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	var out []finding.Finding
	for _, ev := range evs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v := d.e.modelVersion
		out = append(out, d.e.Process(ev)...)
		if d.e.modelVersion != v && len(changers) < 10 {
			changers = append(changers, refOf(ev))
		}
	}
	if d.e.modelVersion == before || len(changers) == 0 {
		return out, nil
	}
	rep := drift.Diff(d.base, d.e.State(), d.cfg)
	for _, df := range rep.Differences {
		if !df.Kind.IsGrant() {
			continue
		}
		out = append(out, driftFinding(df, changers))
	}
	return out, nil
}

func driftFinding(df drift.Difference, evs []finding.EventRef) finding.Finding {
	last := evs[len(evs)-1]
	reasons := append([]string{fmt.Sprintf("%s: not in the known-good baseline", df.Kind)}, df.Reasons...)
	return finding.Finding{
		Schema:   finding.Schema,
		ID:       finding.StableID(DriftRule, string(df.Kind), df.Object.Key),
		Rule:     DriftRule,
		Title:    "Grant outside the last known-good baseline",
		Severity: df.Severity,
		Time:     last.Time,
		Account:  df.Object.AccountID,
		Targets: finding.Targets{
			AccountID: df.Object.AccountID, PermissionSetARN: df.Object.PermissionSetARN, PermissionSetName: df.Object.PermissionSetName,
			PrincipalType: df.Object.PrincipalType, PrincipalID: df.Object.PrincipalID, GroupID: df.Object.GroupID,
			GroupName: df.Object.GroupName, UserID: df.Object.UserID, PolicyARN: df.Object.PolicyARN,
		},
		Events:      evs,
		Summary:     df.Summary,
		Attack:      []string{"T1098"},
		Remediation: "Reconcile against the baseline (portcullis reconcile) and contain the grant if it is rogue (portcullis contain).",
		Reasons:     reasons,
	}
}
