package athena

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestShippedBinaryIsPureGo: DuckDB and the fake are test support; nothing
// cmd/portcullis imports may reach them, so the binary builds with cgo off.
func TestShippedBinaryIsPureGo(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "../../cmd/portcullis")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list with CGO_ENABLED=0: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "duckdb") || strings.HasSuffix(dep, "/athenafake") || strings.Contains(dep, "arrow-go") {
			t.Errorf("cmd/portcullis depends on %s", dep)
		}
	}
	if !strings.Contains(string(out), "github.com/portcullis-sec/portcullis/internal/athena\n") {
		t.Error("cmd/portcullis does not reach internal/athena: the check proves nothing")
	}
}
