package posture

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// OCSF output: one Compliance Finding (class_uid 2003, OCSF 1.3.0) per
// evaluated check, as JSON lines. Compliance Finding rather than Detection
// Finding (2004) because a posture check is an evaluation of a control
// against resources, with a pass/fail status, not a detected activity.
// Passed checks are emitted too (status Resolved, compliance Pass) so a
// SIEM sees a failure close; skipped checks are not emitted. finding_info.uid
// is stable per check and instance, so reruns update the same finding.
const (
	OCSFVersion   = "1.3.0"
	ocsfClassUID  = 2003
	ocsfCategory  = 2 // Findings
	ocsfActCreate = 1
)

type ocsfFinding struct {
	ActivityID   int             `json:"activity_id"`
	ActivityName string          `json:"activity_name"`
	CategoryUID  int             `json:"category_uid"`
	CategoryName string          `json:"category_name"`
	ClassUID     int             `json:"class_uid"`
	ClassName    string          `json:"class_name"`
	TypeUID      int             `json:"type_uid"`
	TypeName     string          `json:"type_name"`
	SeverityID   int             `json:"severity_id"`
	Severity     string          `json:"severity"`
	StatusID     int             `json:"status_id"`
	Status       string          `json:"status"`
	Time         int64           `json:"time"` // epoch milliseconds
	Message      string          `json:"message"`
	Metadata     ocsfMetadata    `json:"metadata"`
	FindingInfo  ocsfFindingInfo `json:"finding_info"`
	Compliance   ocsfCompliance  `json:"compliance"`
	Resources    []ocsfResource  `json:"resources,omitempty"`
	Remediation  ocsfRemediation `json:"remediation"`
	Cloud        ocsfCloud       `json:"cloud"`
	Unmapped     map[string]any  `json:"unmapped,omitempty"`
}

type ocsfMetadata struct {
	Version string      `json:"version"`
	Product ocsfProduct `json:"product"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

type ocsfFindingInfo struct {
	UID   string   `json:"uid"`
	Title string   `json:"title"`
	Desc  string   `json:"desc"`
	Types []string `json:"types"`
}

type ocsfCompliance struct {
	Control      string   `json:"control"`
	Standards    []string `json:"standards"`
	StatusID     int      `json:"status_id"`
	Status       string   `json:"status"`
	StatusDetail string   `json:"status_detail,omitempty"`
}

type ocsfResource struct {
	UID  string         `json:"uid"`
	Name string         `json:"name,omitempty"`
	Type string         `json:"type"`
	Data map[string]any `json:"data,omitempty"`
}

type ocsfRemediation struct {
	Desc string `json:"desc"`
}

type ocsfCloud struct {
	Provider string       `json:"provider"`
	Account  *ocsfAccount `json:"account,omitempty"`
}

type ocsfAccount struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

// ocsfSeverity maps our severities to OCSF severity_id / severity.
func ocsfSeverity(s finding.Severity) (int, string) {
	switch s {
	case finding.Low:
		return 2, "Low"
	case finding.Medium:
		return 3, "Medium"
	case finding.High:
		return 4, "High"
	case finding.Critical:
		return 5, "Critical"
	}
	return 1, "Informational"
}

// ocsfFindings builds the OCSF Compliance Findings for the evaluated checks.
func (r *Report) ocsfFindings(productVersion string) []ocsfFinding {
	var out []ocsfFinding
	for _, x := range r.Results {
		if x.Status == Skip {
			continue
		}
		sevID, sev := ocsfSeverity(x.Severity)
		f := ocsfFinding{
			ActivityID: ocsfActCreate, ActivityName: "Create",
			CategoryUID: ocsfCategory, CategoryName: "Findings",
			ClassUID: ocsfClassUID, ClassName: "Compliance Finding",
			TypeUID: ocsfClassUID*100 + ocsfActCreate, TypeName: "Compliance Finding: Create",
			SeverityID: sevID, Severity: sev,
			StatusID: 1, Status: "New",
			Time:     r.Now.UnixMilli(),
			Message:  fmt.Sprintf("%s failed for %d object(s)", x.ID, len(x.Failing)),
			Metadata: ocsfMetadata{Version: OCSFVersion, Product: ocsfProduct{Name: "portcullis", VendorName: "portcullis", Version: productVersion}},
			FindingInfo: ocsfFindingInfo{
				UID: finding.StableID(x.ID, r.InstanceARN), Title: x.Title, Desc: x.Why,
				Types: []string{"AWS IAM Identity Center hardening"},
			},
			Compliance:  ocsfCompliance{Control: x.ID, Standards: []string{"portcullis Identity Center posture"}, StatusID: 3, Status: "Fail", StatusDetail: x.Note},
			Remediation: ocsfRemediation{Desc: x.Fix},
			Cloud:       ocsfCloud{Provider: "AWS"},
		}
		if x.Status == Pass {
			f.StatusID, f.Status = 4, "Resolved"
			f.Compliance.StatusID, f.Compliance.Status = 1, "Pass"
			f.Message = x.ID + " passed"
		}
		if r.ManagementAccountID != "" {
			f.Cloud.Account = &ocsfAccount{UID: r.ManagementAccountID, Type: "AWS Account", TypeID: 10}
		}
		for _, o := range x.Failing {
			res := ocsfResource{UID: o.ID, Name: o.Name, Type: o.Type, Data: map[string]any{"detail": o.Detail}}
			if o.AccountID != "" {
				res.Data["account_id"] = o.AccountID
			}
			f.Resources = append(f.Resources, res)
		}
		if r.InstanceARN != "" {
			f.Unmapped = map[string]any{"instance_arn": r.InstanceARN}
		}
		out = append(out, f)
	}
	return out
}

// WriteOCSF writes the OCSF findings as JSON lines.
func (r *Report) WriteOCSF(w io.Writer, productVersion string) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, f := range r.ocsfFindings(productVersion) {
		if err := enc.Encode(f); err != nil {
			return fmt.Errorf("posture: write OCSF: %w", err)
		}
	}
	return nil
}
