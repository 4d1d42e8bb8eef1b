package respond

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/policy"
)

// inlineOf returns the document the plan's first PutInlinePolicy writes.
func inlineOf(t *testing.T, p *ContainmentPlan, psARN string) *policy.Document {
	t.Helper()
	for _, s := range p.Steps {
		if s.Call != nil && s.Call.Operation == "PutInlinePolicyToPermissionSet" && s.Call.Params["PermissionSetArn"] == psARN {
			d, err := policy.Parse([]byte(s.Call.Params["InlinePolicy"].(string)))
			if err != nil {
				t.Fatalf("merged policy does not parse: %v", err)
			}
			return d
		}
	}
	t.Fatalf("no PutInlinePolicyToPermissionSet for %s", psARN)
	return nil
}

func sids(d *policy.Document) []string {
	var out []string
	for _, s := range d.Statement {
		out = append(out, s.Sid)
	}
	return out
}

func TestDenyMergeKeepsExistingStatements(t *testing.T) {
	m, cfg := loadModel(t), loadConfig(t)
	p, err := Plan(Input{Finding: loadFinding(t, findAttached)}, m, cfg, planTime)
	if err != nil {
		t.Fatal(err)
	}
	d := inlineOf(t, p, psDev)
	if got, want := strings.Join(sids(d), ","), "DenyBilling,AllowLogs,PortcullisDenyIssuedBefore"; got != want {
		t.Errorf("statements %s, want %s", got, want)
	}
	if d.Statement[1].Action[1] != "logs:FilterLogEvents" {
		t.Errorf("existing statement changed: %+v", d.Statement[1])
	}
	deny := d.Statement[2]
	if deny.Effect != "Deny" || deny.Action[0] != "*" || deny.Resource[0] != "*" ||
		deny.Condition["DateLessThan"]["aws:TokenIssueTime"] != "2026-03-02T09:30:00Z" {
		t.Errorf("deny statement: %+v", deny)
	}
}

func TestDenyReplacedBySidOnRerun(t *testing.T) {
	m, cfg := loadModel(t), loadConfig(t)
	first, err := Plan(Input{Finding: loadFinding(t, findAttached)}, m, cfg, planTime)
	if err != nil {
		t.Fatal(err)
	}
	// The first run's policy is now live; run again an hour later.
	m.PermissionSets[psDev].InlinePolicy = first.Steps[0].Call.Params["InlinePolicy"].(string)
	later := planTime.Add(time.Hour)
	second, err := Plan(Input{Finding: loadFinding(t, findAttached)}, m, cfg, later)
	if err != nil {
		t.Fatal(err)
	}
	d := inlineOf(t, second, psDev)
	if got, want := strings.Join(sids(d), ","), "DenyBilling,AllowLogs,PortcullisDenyIssuedBefore"; got != want {
		t.Errorf("statements %s, want %s (one deny, replaced)", got, want)
	}
	if got := d.Statement[2].Condition["DateLessThan"]["aws:TokenIssueTime"]; got != later.Format(time.RFC3339) {
		t.Errorf("deny keeps the old time %v", got)
	}
	if second.Steps[0].Merge.BaseSHA256 == first.Steps[0].Merge.BaseSHA256 {
		t.Error("the second plan must record the policy it merged with")
	}
}

// bigPolicy is a valid document of about n bytes.
func bigPolicy(n int) string {
	var st []string
	for i := 0; len(strings.Join(st, ","))+120 < n; i++ {
		st = append(st, fmt.Sprintf(`{"Sid":"Keep%04d","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-number-%04d/*"}`, i, i))
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(st, ",") + `]}`
}

func TestDenyMergeOverLimitFailsClearly(t *testing.T) {
	m, cfg := loadModel(t), loadConfig(t)
	m.PermissionSets[psDev].InlinePolicy = bigPolicy(policy.InlinePolicyMaxBytes - 60)
	_, err := Plan(Input{Finding: loadFinding(t, findAttached)}, m, cfg, planTime)
	if !errors.Is(err, policy.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	for _, want := range []string{"DevAccess", "32768", "SCP"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
	// The way out the error names works: the SCP leaves the policy alone.
	p, err := Plan(Input{Finding: loadFinding(t, findAttached), Via: ViaSCP}, m, cfg, planTime)
	if err != nil {
		t.Fatalf("with the SCP variant: %v", err)
	}
	for _, s := range p.Steps {
		if s.Call != nil && s.Call.Operation == "PutInlinePolicyToPermissionSet" {
			t.Errorf("SCP variant still writes the inline policy: %s", s.Title)
		}
	}
}

func TestDenyMergeRefusesMalformedExistingPolicy(t *testing.T) {
	m, cfg := loadModel(t), loadConfig(t)
	m.PermissionSets[psDev].InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow"`
	_, err := Plan(Input{Finding: loadFinding(t, findAttached)}, m, cfg, planTime)
	var pe *policy.ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "DevAccess") {
		t.Errorf("err = %v, want a ParseError naming the permission set", err)
	}
}
