package posture

import (
	"bufio"
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/golden"
)

func TestRendersGolden(t *testing.T) {
	in := baseInput(t)
	// One check passing and one skipped, so every status is rendered.
	in.Model.PermissionSets[psAdmin].PermissionsBoundary = nil
	in.Model.PermissionSets[psAdmin].SessionDuration = "PT1H"
	in.Org = nil
	r := Run(in)
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := r.Write(&buf, f, "1.2.3"); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", "golden", "posture."+f), buf.Bytes())
	}
	if err := r.Write(&bytes.Buffer{}, "xml", ""); err == nil {
		t.Fatal("an unknown format must be an error")
	}
}

// The OCSF lines carry what a Compliance Finding consumer needs.
func TestOCSFFindingsAreCompliance2003(t *testing.T) {
	in := baseInput(t)
	in.Org = nil
	r := Run(in)
	var buf bytes.Buffer
	if err := r.WriteOCSF(&buf, "1.2.3"); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	n, fails := 0, 0
	for sc.Scan() {
		var f struct {
			ClassUID   int    `json:"class_uid"`
			TypeUID    int    `json:"type_uid"`
			SeverityID int    `json:"severity_id"`
			Status     string `json:"status"`
			Time       int64  `json:"time"`
			Metadata   struct {
				Version string `json:"version"`
				Product struct{ Name, Version string }
			}
			FindingInfo struct{ UID, Title string } `json:"finding_info"`
			Compliance  struct {
				Control  string
				StatusID int `json:"status_id"`
			}
			Resources   []struct{ UID, Type string }
			Remediation struct{ Desc string }
		}
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatal(err)
		}
		n++
		if f.ClassUID != 2003 || f.TypeUID != 200301 || f.Metadata.Version != OCSFVersion || f.Metadata.Product.Name != "portcullis" ||
			f.Metadata.Product.Version != "1.2.3" || f.FindingInfo.UID == "" || f.Remediation.Desc == "" || f.Time != now.UnixMilli() ||
			f.SeverityID < 1 || f.SeverityID > 5 {
			t.Errorf("bad finding %+v", f)
		}
		if f.Compliance.StatusID == 3 {
			fails++
			if f.Status != "New" || len(f.Resources) == 0 {
				t.Errorf("failing finding without resources or status: %+v", f)
			}
		}
	}
	if n != r.Counts[Pass]+r.Counts[Fail] || fails != r.Counts[Fail] {
		t.Fatalf("%d findings (%d failing) for counts %v", n, fails, r.Counts)
	}
}

func TestRunIsPureAndDeterministic(t *testing.T) {
	in := baseInput(t)
	var before bytes.Buffer
	if err := in.Model.Write(&before); err != nil {
		t.Fatal(err)
	}
	a, b := Run(in), Run(in)
	var ja, jb, after bytes.Buffer
	if err := a.WriteJSON(&ja); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteJSON(&jb); err != nil {
		t.Fatal(err)
	}
	if err := in.Model.Write(&after); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ja.Bytes(), jb.Bytes()) || !bytes.Equal(before.Bytes(), after.Bytes()) {
		t.Fatal("Run is not deterministic or changed the model")
	}
}
