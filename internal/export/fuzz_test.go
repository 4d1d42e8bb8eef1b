package export_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/config"
	"github.com/portcullis-sec/portcullis/internal/export"
	"github.com/portcullis-sec/portcullis/internal/sigma"
)

// FuzzExport: any rule the parser accepts exports in every format without
// a panic; an error names the rule's file.
func FuzzExport(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/rules/*.yml")
	more, _ := filepath.Glob("../../rules/*.yml")
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	cfg := config.Default()
	cfg.SensitiveAccounts = []string{"222222222222"}
	cfg.Admins = []config.Admin{{Pattern: "arn:aws:iam::111111111111:role/*"}, {Pattern: "alice"}}
	athena, _ := export.AthenaTarget("", "db", "t")
	lake, _ := export.LakeTarget("eds")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := sigma.Parse(b, "fuzz.yml")
		if err != nil {
			return
		}
		rules := []*sigma.Rule{r}
		for _, o := range []export.Options{{Config: cfg, Target: athena}, {Config: cfg, Target: lake}} {
			if _, err := export.SQL(rules, o); err != nil {
				checkErr(t, err)
			}
		}
		if _, err := export.EventBridge(rules, export.Options{Config: cfg}); err != nil {
			checkErr(t, err)
		}
		if _, err := export.Sigma(rules, export.Options{Config: cfg, Expand: true}); err != nil {
			checkErr(t, err)
		}
	})
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	if len(err.Error()) < len("fuzz.yml") || err.Error()[:len("fuzz.yml")] != "fuzz.yml" {
		t.Errorf("error does not name the file: %v", err)
	}
}
