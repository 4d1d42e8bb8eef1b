package finding

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// OCSF output: each finding as one OCSF 1.3.0 Detection Finding (class_uid
// 2004, category Findings), one JSON object per line — the form OCSF
// pipelines (Amazon Security Lake custom sources, SIEM shippers) read.
// Detection Finding rather than Compliance Finding (posture's 2003):
// a finding here is detected activity, with the CloudTrail events behind it.
//
// Mapping, in short: finding_info.uid = id, title, desc = summary, types =
// [rule], analytic = the rule (type Rule), attacks = ATT&CK techniques;
// severity_id from the severity; time = the triggering event's time;
// actor.user from the actor; cloud.account/region where it happened;
// resources = the Identity Center objects touched; evidences = the
// CloudTrail calls; remediation; everything else of portcullis' own under
// unmapped.portcullis. schemas/ocsf.detection-finding.json is exactly what
// is emitted.
const (
	OCSFVersion     = "1.3.0"
	ocsfClassUID    = 2004
	ocsfCategoryUID = 2
	// Product is the name OCSF and ASFF output give the product.
	Product = "portcullis"
)

// OCSFStatus is a finding's triage status in OCSF terms (status_id).
type OCSFStatus int

// OCSF status ids (Finding.status_id, OCSF 1.3.0).
const (
	OCSFNew        OCSFStatus = 1
	OCSFInProgress OCSFStatus = 2
	OCSFSuppressed OCSFStatus = 3
	OCSFResolved   OCSFStatus = 4
)

func (s OCSFStatus) String() string {
	switch s {
	case OCSFInProgress:
		return "In Progress"
	case OCSFSuppressed:
		return "Suppressed"
	case OCSFResolved:
		return "Resolved"
	}
	return "New"
}

// OCSFOptions are what a finding alone does not say.
type OCSFOptions struct {
	ProductVersion string     // metadata.product.version (internal/version)
	Status         OCSFStatus // 0 = New
}

// OCSFFinding is one Detection Finding as emitted.
type OCSFFinding struct {
	ActivityID   int              `json:"activity_id"`
	ActivityName string           `json:"activity_name"`
	CategoryUID  int              `json:"category_uid"`
	CategoryName string           `json:"category_name"`
	ClassUID     int              `json:"class_uid"`
	ClassName    string           `json:"class_name"`
	TypeUID      int              `json:"type_uid"`
	TypeName     string           `json:"type_name"`
	SeverityID   int              `json:"severity_id"`
	Severity     string           `json:"severity"`
	StatusID     int              `json:"status_id"`
	Status       string           `json:"status"`
	Time         int64            `json:"time"` // epoch milliseconds
	Message      string           `json:"message"`
	Metadata     ocsfMetadata     `json:"metadata"`
	FindingInfo  ocsfFindingInfo  `json:"finding_info"`
	Actor        *ocsfActor       `json:"actor,omitempty"`
	Cloud        ocsfCloud        `json:"cloud"`
	Resources    []ocsfResource   `json:"resources,omitempty"`
	Evidences    []ocsfEvidence   `json:"evidences,omitempty"`
	Observables  []ocsfObservable `json:"observables,omitempty"`
	Remediation  *ocsfRemediation `json:"remediation,omitempty"`
	Unmapped     ocsfUnmapped     `json:"unmapped"`
}

type ocsfMetadata struct {
	Version  string      `json:"version"`
	Product  ocsfProduct `json:"product"`
	Profiles []string    `json:"profiles"`
	LogName  string      `json:"log_name"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version"`
}

type ocsfFindingInfo struct {
	UID           string             `json:"uid"`
	Title         string             `json:"title"`
	Desc          string             `json:"desc"`
	Types         []string           `json:"types"`
	Analytic      ocsfAnalytic       `json:"analytic"`
	Attacks       []ocsfAttack       `json:"attacks,omitempty"`
	FirstSeenTime int64              `json:"first_seen_time,omitempty"`
	LastSeenTime  int64              `json:"last_seen_time,omitempty"`
	RelatedEvents []ocsfRelatedEvent `json:"related_events,omitempty"`
}

type ocsfAnalytic struct {
	UID    string `json:"uid"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

type ocsfAttack struct {
	Tactic       *ocsfEntity `json:"tactic,omitempty"`
	Technique    ocsfEntity  `json:"technique"`
	SubTechnique *ocsfEntity `json:"sub_technique,omitempty"`
}

type ocsfEntity struct {
	UID  string `json:"uid"`
	Name string `json:"name,omitempty"`
}

type ocsfRelatedEvent struct {
	UID  string `json:"uid"`
	Type string `json:"type,omitempty"`
}

type ocsfActor struct {
	User ocsfUser `json:"user"`
}

type ocsfUser struct {
	UID     string       `json:"uid,omitempty"`
	UIDAlt  string       `json:"uid_alt,omitempty"`
	Name    string       `json:"name,omitempty"`
	Type    string       `json:"type,omitempty"`
	TypeID  int          `json:"type_id"`
	Account *ocsfAccount `json:"account,omitempty"`
}

type ocsfAccount struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

type ocsfCloud struct {
	Provider string       `json:"provider"`
	Account  *ocsfAccount `json:"account,omitempty"`
	Region   string       `json:"region,omitempty"`
}

type ocsfResource struct {
	UID    string `json:"uid"`
	Name   string `json:"name,omitempty"`
	Type   string `json:"type"`
	Region string `json:"region,omitempty"`
}

type ocsfEvidence struct {
	API  ocsfAPI          `json:"api"`
	Data ocsfEvidenceData `json:"data"`
}

type ocsfAPI struct {
	Operation string      `json:"operation"`
	Service   ocsfService `json:"service"`
}

type ocsfService struct {
	Name string `json:"name"`
}

type ocsfEvidenceData struct {
	EventID string `json:"event_id"`
	Time    int64  `json:"time"`
	File    string `json:"file,omitempty"`
}

type ocsfObservable struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
	Value  string `json:"value"`
}

type ocsfRemediation struct {
	Desc string `json:"desc"`
}

type ocsfUnmapped struct {
	Portcullis ocsfPortcullis `json:"portcullis"`
}

// ocsfPortcullis keeps what OCSF has no place for, under our own names.
type ocsfPortcullis struct {
	Schema      string   `json:"schema"`
	Rule        string   `json:"rule"`
	Allowlisted bool     `json:"actor_allowlisted"`
	Targets     Targets  `json:"targets"`
	Reasons     []string `json:"reasons,omitempty"`
}

// OCSFSeverity maps a severity to OCSF severity_id and its caption.
func OCSFSeverity(s Severity) (int, string) {
	switch s {
	case Low:
		return 2, "Low"
	case Medium:
		return 3, "Medium"
	case High:
		return 4, "High"
	case Critical:
		return 5, "Critical"
	}
	return 1, "Informational"
}

// OCSF maps one finding to a Detection Finding.
func OCSF(f Finding, o OCSFOptions) OCSFFinding {
	if o.Status == 0 {
		o.Status = OCSFNew
	}
	if o.ProductVersion == "" {
		o.ProductVersion = "dev"
	}
	act, actName := 1, "Create"
	if o.Status != OCSFNew {
		act, actName = 2, "Update"
	}
	sevID, sev := OCSFSeverity(f.Severity)
	out := OCSFFinding{
		ActivityID: act, ActivityName: actName,
		CategoryUID: ocsfCategoryUID, CategoryName: "Findings",
		ClassUID: ocsfClassUID, ClassName: "Detection Finding",
		TypeUID: ocsfClassUID*100 + act, TypeName: "Detection Finding: " + actName,
		SeverityID: sevID, Severity: sev,
		StatusID: int(o.Status), Status: o.Status.String(),
		Time:    f.Time.UnixMilli(),
		Message: f.Summary,
		Metadata: ocsfMetadata{Version: OCSFVersion, Profiles: []string{"cloud"}, LogName: "portcullis findings",
			Product: ocsfProduct{Name: Product, VendorName: Product, Version: o.ProductVersion}},
		FindingInfo: ocsfFindingInfo{
			UID: f.ID, Title: f.Title, Desc: f.Summary, Types: []string{f.Rule},
			Analytic: ocsfAnalytic{UID: f.Rule, Name: f.Title, Type: "Rule", TypeID: 1},
		},
		Cloud: ocsfCloud{Provider: "AWS", Region: f.Region},
		Unmapped: ocsfUnmapped{Portcullis: ocsfPortcullis{Schema: f.Schema, Rule: f.Rule, Allowlisted: f.Actor.Allowlisted,
			Targets: f.Targets, Reasons: f.Reasons}},
	}
	if f.Account != "" {
		out.Cloud.Account = &ocsfAccount{UID: f.Account, Type: "AWS Account", TypeID: 10}
	}
	if f.Remediation != "" {
		out.Remediation = &ocsfRemediation{Desc: f.Remediation}
	}
	for _, id := range f.Attack {
		t := lookupTechnique(id)
		a := ocsfAttack{Technique: ocsfEntity{UID: t.id, Name: t.name}}
		if t.subID != "" {
			a.SubTechnique = &ocsfEntity{UID: t.subID, Name: t.subName}
		}
		if t.tacticID != "" {
			a.Tactic = &ocsfEntity{UID: t.tacticID, Name: t.tacticName}
		}
		out.FindingInfo.Attacks = append(out.FindingInfo.Attacks, a)
	}
	for i, e := range f.Events {
		ms := e.Time.UnixMilli()
		if i == 0 || ms < out.FindingInfo.FirstSeenTime {
			out.FindingInfo.FirstSeenTime = ms
		}
		if ms > out.FindingInfo.LastSeenTime {
			out.FindingInfo.LastSeenTime = ms
		}
		out.FindingInfo.RelatedEvents = append(out.FindingInfo.RelatedEvents, ocsfRelatedEvent{UID: e.EventID, Type: e.EventName})
		out.Evidences = append(out.Evidences, ocsfEvidence{
			API:  ocsfAPI{Operation: e.EventName, Service: ocsfService{Name: e.EventSource}},
			Data: ocsfEvidenceData{EventID: e.EventID, Time: ms, File: e.File},
		})
	}
	if u := ocsfActorUser(f.Actor); u != nil {
		out.Actor = &ocsfActor{User: *u}
		if u.UID != "" {
			out.Observables = append(out.Observables, ocsfObservable{Name: "actor.user.uid", Type: "Resource UID", TypeID: 10, Value: u.UID})
		}
		if u.Name != "" {
			out.Observables = append(out.Observables, ocsfObservable{Name: "actor.user.name", Type: "User Name", TypeID: 4, Value: u.Name})
		}
	}
	out.Resources = ocsfResources(f)
	for i, r := range out.Resources {
		out.Observables = append(out.Observables, ocsfObservable{Name: fmt.Sprintf("resources[%d].uid", i), Type: "Resource UID", TypeID: 10, Value: r.UID})
	}
	return out
}

// ocsfActorUser is nil for an actor nothing is known about.
func ocsfActorUser(a Actor) *ocsfUser {
	if a.ARN == "" && a.Name == "" && a.UserID == "" {
		return nil
	}
	u := &ocsfUser{UID: a.ARN, Name: a.Name, Type: a.Type, TypeID: 99}
	if u.UID == "" {
		u.UID = a.UserID
	} else {
		u.UIDAlt = a.UserID
	}
	if u.Type == "" {
		u.TypeID = 0
	}
	if acct := arnAccount(a.ARN); acct != "" {
		u.Account = &ocsfAccount{UID: acct, Type: "AWS Account", TypeID: 10}
	}
	return u
}

func ocsfResources(f Finding) []ocsfResource {
	var out []ocsfResource
	for _, r := range targetResources(f) {
		out = append(out, ocsfResource{UID: r.uid, Name: r.name, Type: r.typ, Region: f.Region})
	}
	return out
}

// WriteOCSF writes findings as OCSF Detection Findings, one per line.
func WriteOCSF(w io.Writer, fs []Finding, o OCSFOptions) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range fs {
		if err := enc.Encode(OCSF(fs[i], o)); err != nil {
			return fmt.Errorf("write OCSF finding %s: %w", fs[i].ID, err)
		}
	}
	return bw.Flush()
}
