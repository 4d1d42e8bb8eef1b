package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// The vendored Cytoscape is the file scripts/vendor-web.sh checked: its
// sha256 is the one VERSIONS records, and its licence is beside it.
func TestVendoredCytoscapeMatchesItsRecord(t *testing.T) {
	versions, err := webFS.ReadFile("web/vendor/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^cytoscape (\S+) npm-sha256:[0-9a-f]{64} file-sha256:([0-9a-f]{64}) licence:MIT$`).FindSubmatch(versions)
	if m == nil {
		t.Fatalf("web/vendor/VERSIONS has no cytoscape line:\n%s", versions)
	}
	js, err := webFS.ReadFile("web/vendor/cytoscape.min.js")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(js)
	if got := hex.EncodeToString(sum[:]); got != string(m[2]) {
		t.Errorf("cytoscape.min.js sha256 %s, VERSIONS says %s: run scripts/vendor-web.sh", got, m[2])
	}
	lic, err := webFS.ReadFile("web/vendor/cytoscape.LICENSE")
	if err != nil || !strings.Contains(string(lic), "Permission is hereby granted") {
		t.Errorf("cytoscape licence missing or not MIT: %v", err)
	}
}

// Nothing the pages load comes from elsewhere, and no page carries inline
// script or inline event handlers (the CSP would block them anyway).
func TestAssetsAreSelfContained(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|\son[a-z]+\s*=|javascript:`)
	remote := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`)
	err := fs.WalkDir(webFS, "web", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, "web/vendor/") {
			return err
		}
		b, err := webFS.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".html") && inline.Match(b) {
			t.Errorf("%s: inline script or event handler", path)
		}
		if remote.Match(b) || strings.Contains(string(b), "innerHTML") || strings.Contains(string(b), "insertAdjacentHTML") || strings.Contains(string(b), "document.write") {
			t.Errorf("%s: loads from elsewhere or builds HTML from strings", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	assetHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/assets/js/app.js", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Type"), "javascript") {
		t.Errorf("app.js: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}
