package finding

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ASFF output: each finding as an AWS Security Finding Format document for
// Security Hub's BatchImportFindings (schema 2018-10-08). Imported through
// the account's default product (arn:…:securityhub:REGION:ACCOUNT:product/
// ACCOUNT/default), so AwsAccountId is that account; where the change
// happened is in Resources and ProductFields. Field limits are Security
// Hub's (Title 256, Description 1024, Remediation text 512, ProductFields
// 50 entries). schemas/asff.finding.json is exactly what is emitted.
const ASFFSchemaVersion = "2018-10-08"

// ASFFOptions say where the findings go.
type ASFFOptions struct {
	ProductARN string // arn:PARTITION:securityhub:REGION:ACCOUNT:product/ACCOUNT/default (or a product's)
	// ProductVersion goes to ProductFields portcullis/version.
	ProductVersion string
}

var productARNRe = regexp.MustCompile(`^arn:(aws[a-z-]*):securityhub:([a-z0-9-]+):(\d{12}):product/[^/]+/[^/]+$`)

// ParseProductARN checks a Security Hub product ARN and returns its
// partition, region and account.
func ParseProductARN(arn string) (partition, region, account string, err error) {
	m := productARNRe.FindStringSubmatch(arn)
	if m == nil {
		return "", "", "", fmt.Errorf("product ARN %q: want arn:PARTITION:securityhub:REGION:ACCOUNT:product/COMPANY/PRODUCT", arn)
	}
	return m[1], m[2], m[3], nil
}

// DefaultProductARN is the ARN of an account's own (custom) integration.
func DefaultProductARN(partition, region, account string) string {
	return fmt.Sprintf("arn:%s:securityhub:%s:%s:product/%s/default", partition, region, account, account)
}

// ASFFFinding is one AwsSecurityFinding as emitted (the API's member names).
type ASFFFinding struct {
	SchemaVersion   string            `json:"SchemaVersion"`
	Id              string            `json:"Id"`
	ProductArn      string            `json:"ProductArn"`
	ProductName     string            `json:"ProductName"`
	CompanyName     string            `json:"CompanyName"`
	GeneratorId     string            `json:"GeneratorId"`
	AwsAccountId    string            `json:"AwsAccountId"`
	Region          string            `json:"Region"`
	Types           []string          `json:"Types"`
	FirstObservedAt string            `json:"FirstObservedAt,omitempty"`
	LastObservedAt  string            `json:"LastObservedAt,omitempty"`
	CreatedAt       string            `json:"CreatedAt"`
	UpdatedAt       string            `json:"UpdatedAt"`
	Severity        ASFFSeverity      `json:"Severity"`
	Title           string            `json:"Title"`
	Description     string            `json:"Description"`
	Remediation     *ASFFRemediation  `json:"Remediation,omitempty"`
	ProductFields   map[string]string `json:"ProductFields"`
	Resources       []ASFFResource    `json:"Resources"`
	Workflow        ASFFWorkflow      `json:"Workflow"`
	RecordState     string            `json:"RecordState"`
}

type ASFFSeverity struct {
	Label    string `json:"Label"`
	Original string `json:"Original"`
}

type ASFFRemediation struct {
	Recommendation ASFFRecommendation `json:"Recommendation"`
}

type ASFFRecommendation struct {
	Text string `json:"Text"`
}

type ASFFResource struct {
	Type      string              `json:"Type"`
	Id        string              `json:"Id"`
	Partition string              `json:"Partition"`
	Region    string              `json:"Region,omitempty"`
	Details   *ASFFResourceDetail `json:"Details,omitempty"`
}

type ASFFResourceDetail struct {
	Other map[string]string `json:"Other"`
}

type ASFFWorkflow struct {
	Status string `json:"Status"`
}

// ASFFSeverityLabel maps a severity to Security Hub's label.
func ASFFSeverityLabel(s Severity) string {
	switch s {
	case Low:
		return "LOW"
	case Medium:
		return "MEDIUM"
	case High:
		return "HIGH"
	case Critical:
		return "CRITICAL"
	}
	return "INFORMATIONAL"
}

// ASFF maps one finding. The product ARN must be valid (ParseProductARN).
func ASFF(f Finding, o ASFFOptions) (ASFFFinding, error) {
	part, region, account, err := ParseProductARN(o.ProductARN)
	if err != nil {
		return ASFFFinding{}, err
	}
	ts := f.Time.UTC().Format(time.RFC3339Nano)
	out := ASFFFinding{
		SchemaVersion: ASFFSchemaVersion, Id: f.ID, ProductArn: o.ProductARN, ProductName: Product, CompanyName: Product,
		GeneratorId: f.Rule, AwsAccountId: account, Region: region, Types: asffTypes(f),
		CreatedAt: ts, UpdatedAt: ts,
		Severity:    ASFFSeverity{Label: ASFFSeverityLabel(f.Severity), Original: f.Severity.String()},
		Title:       clip(f.Title, 256),
		Description: clip(asffDescription(f), 1024),
		Workflow:    ASFFWorkflow{Status: "NEW"}, RecordState: "ACTIVE",
	}
	if out.Title == "" {
		out.Title = f.Rule
	}
	var first, last time.Time
	for _, e := range f.Events {
		if first.IsZero() || e.Time.Before(first) {
			first = e.Time
		}
		if e.Time.After(last) {
			last = e.Time
		}
	}
	if !first.IsZero() {
		out.FirstObservedAt, out.LastObservedAt = first.UTC().Format(time.RFC3339Nano), last.UTC().Format(time.RFC3339Nano)
	}
	if f.Remediation != "" {
		out.Remediation = &ASFFRemediation{Recommendation: ASFFRecommendation{Text: clip(f.Remediation, 512)}}
	}
	out.ProductFields = asffProductFields(f, o.ProductVersion)
	out.Resources = asffResources(f, part)
	return out, nil
}

// asffTypes are namespace/category/classifier types: the ATT&CK tactic
// and technique ("TTPs/Persistence/T1098.003"), and the rule as unusual
// user behaviour.
func asffTypes(f Finding) []string {
	var out []string
	for _, id := range f.Attack {
		t := lookupTechnique(id)
		if t.tacticName == "" {
			continue
		}
		tech := t.id
		if t.subID != "" {
			tech = t.subID
		}
		out = append(out, "TTPs/"+t.tacticName+"/"+tech)
	}
	out = append(out, "Unusual Behaviors/User/"+f.Rule)
	slices.Sort(out)
	return slices.Compact(out)
}

func asffDescription(f Finding) string {
	d := f.Summary
	if d == "" {
		d = f.Title
	}
	if len(f.Reasons) > 0 {
		d += " Severity " + f.Severity.String() + ": " + strings.Join(f.Reasons, "; ") + "."
	}
	return d
}

func asffProductFields(f Finding, version string) map[string]string {
	pf := map[string]string{
		"portcullis/schema":     f.Schema,
		"portcullis/finding_id": f.ID,
		"portcullis/rule":       f.Rule,
		"portcullis/severity":   f.Severity.String(),
	}
	if version != "" {
		pf["portcullis/version"] = version
	}
	set := func(k, v string) {
		if v != "" {
			pf["portcullis/"+k] = clip(v, 2048)
		}
	}
	set("actor_arn", f.Actor.ARN)
	set("actor_name", f.Actor.Name)
	set("actor_type", f.Actor.Type)
	set("actor_user_id", f.Actor.UserID)
	if f.Actor.Allowlisted {
		pf["portcullis/actor_allowlisted"] = "true"
	}
	set("account", f.Account)
	set("region", f.Region)
	var ids, names []string
	for _, e := range f.Events {
		ids = append(ids, e.EventID)
		names = append(names, e.EventSource+":"+e.EventName)
	}
	set("event_ids", strings.Join(ids, ","))
	set("events", strings.Join(names, ","))
	set("attack", strings.Join(f.Attack, ","))
	return pf
}

// asffResources: the Identity Center objects touched (Type Other, with
// their CloudFormation type in Details.Other), a managed policy as
// AwsIamPolicy, and the account (AwsAccount) so there is always one.
func asffResources(f Finding, partition string) []ASFFResource {
	var out []ASFFResource
	for _, r := range targetResources(f) {
		switch r.typ {
		case "AWS::Organizations::Account":
			continue // below, as AwsAccount
		case "AWS::IAM::ManagedPolicy":
			out = append(out, ASFFResource{Type: "AwsIamPolicy", Id: r.uid, Partition: partition, Region: f.Region})
			continue
		}
		other := map[string]string{"type": r.typ}
		if r.name != "" {
			other["name"] = clip(r.name, 1024)
		}
		out = append(out, ASFFResource{Type: "Other", Id: r.uid, Partition: partition, Region: f.Region, Details: &ASFFResourceDetail{Other: other}})
	}
	for _, acct := range []string{f.Targets.AccountID, f.Account} {
		if acct == "" || slices.ContainsFunc(out, func(x ASFFResource) bool { return x.Id == "AWS::::Account:"+acct }) {
			continue
		}
		out = append(out, ASFFResource{Type: "AwsAccount", Id: "AWS::::Account:" + acct, Partition: partition, Region: f.Region})
	}
	if len(out) == 0 { // Resources needs one entry: the rule itself
		out = append(out, ASFFResource{Type: "Other", Id: f.Rule, Partition: partition, Details: &ASFFResourceDetail{Other: map[string]string{"type": "portcullis rule"}}})
	}
	return out
}

// clip shortens s to at most n bytes on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
