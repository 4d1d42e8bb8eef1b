package policy

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// referenceDir holds real records collected outside this project (see DESIGN.md); CI has it,
// a bare checkout may not.
const referenceDir = "../../../shared/reference-events"

// TestReferenceManagedPolicyARNs: every AWS managed policy ARN in the real records is one
// ManagedPolicy knows, and the AdministratorAccess ones rank admin.
func TestReferenceManagedPolicyARNs(t *testing.T) {
	if _, err := os.Stat(referenceDir); err != nil {
		t.Skipf("no reference records: %v", err)
	}
	arnRE := regexp.MustCompile(`arn:aws[a-z-]*:iam::aws:policy/[A-Za-z0-9_+=,.@/-]+`)
	seen := 0
	err := filepath.WalkDir(referenceDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, arn := range arnRE.FindAllString(string(b), -1) {
			seen++
			a, ok := ManagedPolicy(arn)
			if !ok {
				t.Errorf("%s: %s unknown", path, arn)
				continue
			}
			if filepath.Base(arn) == "AdministratorAccess" && a.Level != LevelAdmin {
				t.Errorf("%s: %s is %s", path, arn, a.Level)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Skip("no managed policy ARNs in the reference records")
	}
}
