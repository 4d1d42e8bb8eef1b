package finding

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/golden"
)

const testProductARN = "arn:aws:securityhub:eu-west-1:999999999999:product/999999999999/default"

// TestASFFGolden: the ASFF documents of the sample findings, one per line.
func TestASFFGolden(t *testing.T) {
	fs := sample()
	Sort(fs)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, f := range fs {
		a, err := ASFF(f, ASFFOptions{ProductARN: testProductARN, ProductVersion: "v0.0.0-test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := enc.Encode(a); err != nil {
			t.Fatal(err)
		}
	}
	golden.Check(t, filepath.Join("testdata", "findings.asff.golden"), b.Bytes())
}

// TestASFFLimits: Security Hub's field limits hold for long inputs, and a
// bad product ARN is an error, not a finding Security Hub would refuse.
func TestASFFLimits(t *testing.T) {
	f := sample()[0]
	f.Title = strings.Repeat("t", 300)
	f.Summary = strings.Repeat("é", 800) // 1600 bytes
	f.Remediation = strings.Repeat("r", 600)
	a, err := ASFF(f, ASFFOptions{ProductARN: testProductARN})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Title) > 256 || len(a.Description) > 1024 || len(a.Remediation.Recommendation.Text) > 512 {
		t.Errorf("lengths %d %d %d", len(a.Title), len(a.Description), len(a.Remediation.Recommendation.Text))
	}
	if !strings.HasSuffix(a.Description, "…") || strings.ContainsRune(a.Description, '\uFFFD') {
		t.Errorf("description cut badly: %q", a.Description[len(a.Description)-10:])
	}
	if _, err := ASFF(f, ASFFOptions{ProductARN: "arn:aws:sns:eu-west-1:1:x"}); err == nil {
		t.Error("a bad product ARN was accepted")
	}
}
