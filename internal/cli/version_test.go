package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/version"
)

// TestVersionCommand: text and JSON say the same build as the user agent
// and OCSF (version.String()).
func TestVersionCommand(t *testing.T) {
	r := runCLI(t, "version", "--format", "json")
	var in version.Info
	if r.code != ExitOK || json.Unmarshal([]byte(r.stdout), &in) != nil {
		t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if in.Version != version.String() || in.GoVersion == "" || in.Platform == "" {
		t.Errorf("version %+v, want version %q and the Go version", in, version.String())
	}
	r = runCLI(t, "version")
	if r.code != ExitOK || !strings.HasPrefix(r.stdout, "portcullis  "+version.String()+"\n") || !strings.Contains(r.stdout, "go  ") {
		t.Errorf("text: exit %d:\n%s", r.code, r.stdout)
	}
	if r := runCLI(t, "version", "--format", "yaml"); r.code != ExitError {
		t.Errorf("--format yaml: exit %d", r.code)
	}
}
