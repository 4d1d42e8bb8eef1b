package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingPathSameCodeEverywhere is the README's exit-code rule for a
// path that does not exist: 2 when the command still read its other
// inputs, 1 when nothing could be read or the path was a required input.
// Either way stderr names the path.
func TestMissingPathSameCodeEverywhere(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.json")
	events, snap, tf := modelDir.file("events.json"), modelDir.file("org.snapshot.json"), modelDir.file("sso.tfstate")
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"hunt, the only path", []string{"hunt", missing}, ExitError},
		{"hunt, beside a readable path", []string{"hunt", "--format", "jsonl", missing, events}, ExitBadInput},
		{"snapshot --from events, the only path", []string{"snapshot", "--from", "events", missing}, ExitError},
		{"snapshot --from events, beside a readable path", []string{"snapshot", "--from", "events", missing, events}, ExitBadInput},
		{"snapshot --from file", []string{"snapshot", "--from", "file", missing}, ExitError},
		{"posture --snapshot", []string{"posture", "--snapshot", missing}, ExitError},
		{"posture --events, the only path", []string{"posture", "--snapshot", snap, "--events", missing}, ExitError},
		{"posture --events, beside a readable path", []string{"posture", "--snapshot", snap, "--events", missing, "--events", events}, ExitBadInput},
		{"reconcile --baseline", []string{"reconcile", "--baseline", missing, "--current", snap}, ExitError},
		{"reconcile --events, the only path", []string{"reconcile", "--baseline", snap, "--current", snap, "--events", missing}, ExitError},
		{"reconcile --events, beside a readable path", []string{"reconcile", "--baseline", snap, "--current", snap, "--events", missing, "--events", events}, ExitBadInput},
		{"access --snapshot", []string{"access", "--snapshot", missing}, ExitError},
		{"access --terraform", []string{"access", "--terraform", missing}, ExitError},
		{"diff", []string{"diff", missing, tf}, ExitError},
		{"config", []string{"posture", "--snapshot", snap, "--config", missing}, ExitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, missing) {
				t.Errorf("exit %d (want %d), stderr must name %s:\n%s", r.code, tt.code, missing, r.stderr)
			}
		})
	}
}
