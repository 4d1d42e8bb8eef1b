package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigDiscovery: --config wins, else ./portcullis.yaml, else the user
// config folder's portcullis/portcullis.yaml, else the defaults; stderr
// names a discovered file (not with -q).
func TestConfigDiscovery(t *testing.T) {
	snap, err := filepath.Abs(modelDir.file("org.snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	events, _ := filepath.Abs(modelDir.file("events.json"))
	cfg, err := os.ReadFile(modelDir.file("portcullis.yaml")) // sensitive_accounts set
	if err != nil {
		t.Fatal(err)
	}
	write := func(path string, b []byte) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	home := t.TempDir()
	xdg := filepath.Join(home, "xdg")
	userCfg := write(filepath.Join(xdg, "portcullis", "portcullis.yaml"), cfg)
	work := t.TempDir()
	t.Chdir(work)
	sensitive := []string{"access", "--snapshot", snap, "--admin-paths-sensitive", "--format", "json"}

	// No file anywhere: the defaults, and the question needs a config.
	r := session{env: map[string]string{"HOME": home}}.run(t, sensitive...)
	if r.code != ExitError || !strings.Contains(r.stderr, "needs sensitive_accounts from a config") {
		t.Errorf("no config: exit %d: %s", r.code, r.stderr)
	}
	// The user config folder.
	r = session{env: map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdg}}.run(t, sensitive...)
	if r.code != ExitOK || !strings.Contains(r.stderr, "portcullis: config "+userCfg+" (--config overrides)") {
		t.Errorf("user config folder: exit %d: %s", r.code, r.stderr)
	}
	// ./portcullis.yaml before the user config folder: this one is broken,
	// so the error proves which was read.
	write(filepath.Join(work, "portcullis.yaml"), []byte("admins: [x]\nsensitive_acounts: [\"1\"]\n"))
	r = session{env: map[string]string{"XDG_CONFIG_HOME": xdg}}.run(t, sensitive...)
	if r.code != ExitError || !strings.Contains(r.stderr, "portcullis.yaml") || !strings.Contains(r.stderr, "sensitive_acounts") {
		t.Errorf("./portcullis.yaml: exit %d: %s", r.code, r.stderr)
	}
	// --config wins, and is not announced.
	r = session{env: map[string]string{"XDG_CONFIG_HOME": xdg}}.run(t, append(sensitive, "--config", userCfg)...)
	if r.code != ExitOK || strings.Contains(r.stderr, "portcullis: config") {
		t.Errorf("--config: exit %d: %s", r.code, r.stderr)
	}
	// -q keeps hunt quiet about it.
	write(filepath.Join(work, "portcullis.yaml"), cfg)
	r = runCLI(t, "hunt", "-q", "--format", "jsonl", events)
	if r.code != ExitOK || strings.Contains(r.stderr, "portcullis: config") {
		t.Errorf("hunt -q: exit %d: %s", r.code, r.stderr)
	}
	r = runCLI(t, "hunt", "--format", "jsonl", events)
	if !strings.Contains(r.stderr, "portcullis: config portcullis.yaml (--config overrides)") {
		t.Errorf("hunt: stderr does not name the config: %s", r.stderr)
	}
}
