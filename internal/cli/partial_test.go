package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// runUntil runs a long-running command line (watch, serve) until its
// stderr holds ready, then stops it as Ctrl-C would.
func (s session) runUntil(t *testing.T, ready string, args ...string) result {
	t.Helper()
	app, out, errb := s.app()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- app.Run(ctx, args) }()
	deadline := time.After(20 * time.Second)
	for !strings.Contains(errb.String(), ready) {
		select {
		case code := <-done:
			return result{code, out.String(), errb.String()}
		case <-deadline:
			t.Fatalf("%v never said %q: %s", args, ready, errb)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	return result{<-done, out.String(), errb.String()}
}

// partialCopy writes a copy of a snapshot marked partial.
func partialCopy(t *testing.T, path string) string {
	t.Helper()
	m, err := idc.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	m.Partial, m.Missing = true, []string{"identitystore:ListGroups: AccessDeniedException"}
	out := filepath.Join(t.TempDir(), "partial.json")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := m.Write(f); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPartialSnapshotEveryCommand: every command that reads a partial
// snapshot warns on stderr naming what is missing, does its work, and
// exits 2 (the README's contract).
func TestPartialSnapshotEveryCommand(t *testing.T) {
	p := modelDir.file("partial.snapshot.json")
	contained := partialCopy(t, containDir.file("snapshot.json"))
	secret := session{env: map[string]string{"PORTCULLIS_WATCH_SECRET": "s3cret-value-0123456789"}}
	tests := []struct {
		name   string
		run    func(t *testing.T) result
		output bool // the command writes its result on stdout
	}{
		{"hunt", func(t *testing.T) result { return runCLI(t, "hunt", "--snapshot", p, modelDir.file("events.json")) }, true},
		{"access", func(t *testing.T) result { return runCLI(t, "access", "--snapshot", p, "--format", "csv") }, true},
		{"diff", func(t *testing.T) result { return runCLI(t, "diff", p, modelDir.file("org.snapshot.json")) }, true},
		{"reconcile", func(t *testing.T) result { return runCLI(t, "reconcile", "--baseline", p, "--current", p) }, true},
		{"posture", func(t *testing.T) result { return runCLI(t, "posture", "--snapshot", p) }, true},
		{"contain", func(t *testing.T) result {
			return session{now: driftNow}.run(t, "contain", "--findings", containDir.file("findings.jsonl"), "--finding", findingAssign,
				"--snapshot", contained, "--config", containDir.file("portcullis.yaml"), "--region", "eu-west-1")
		}, true},
		{"watch", func(t *testing.T) result {
			return secret.runUntil(t, "watching", "watch", "--store", filepath.Join(t.TempDir(), "p.db"), "--snapshot", p, "--listen", freeAddr(t))
		}, false},
		{"serve", func(t *testing.T) result {
			return session{}.runUntil(t, "serving on", "serve", "--snapshot", p, "--listen", "127.0.0.1:0")
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.run(t)
			if r.code != ExitBadInput {
				t.Errorf("exit %d, want %d", r.code, ExitBadInput)
			}
			if !strings.Contains(r.stderr, "partial") || !strings.Contains(r.stderr, "identitystore:ListGroups") {
				t.Errorf("stderr does not warn that the snapshot is partial and what is missing:\n%s", r.stderr)
			}
			if tt.output && r.stdout == "" {
				t.Error("no output: a partial snapshot must not stop the work")
			}
		})
	}
}

// TestSnapshotSpecEverywhere: every command that reads a state takes the
// same specs (a snapshot file, Terraform by content or terraform:FILE, -
// for stdin); none refuses one another accepts.
func TestSnapshotSpecEverywhere(t *testing.T) {
	snap, err := os.ReadFile(modelDir.file("org.snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	tf := modelDir.file("sso.tfstate")
	specs := []struct{ name, spec, stdin string }{
		{"terraform by content", tf, ""},
		{"terraform forced", "terraform:" + tf, ""},
		{"stdin", "-", string(snap)},
	}
	secret := map[string]string{"PORTCULLIS_WATCH_SECRET": "s3cret-value-0123456789"}
	commands := []struct {
		name string
		run  func(t *testing.T, s session, spec string) result
	}{
		{"hunt", func(t *testing.T, s session, spec string) result {
			return s.run(t, "hunt", "--snapshot", spec, modelDir.file("events.json"))
		}},
		{"access", func(t *testing.T, s session, spec string) result {
			return s.run(t, "access", "--snapshot", spec, "--format", "csv")
		}},
		{"diff", func(t *testing.T, s session, spec string) result {
			return s.run(t, "diff", spec, modelDir.file("org.snapshot.json"))
		}},
		{"reconcile", func(t *testing.T, s session, spec string) result {
			return s.run(t, "reconcile", "--baseline", spec, "--current", modelDir.file("org.snapshot.json"))
		}},
		{"posture", func(t *testing.T, s session, spec string) result {
			return s.run(t, "posture", "--snapshot", spec)
		}},
		{"contain", func(t *testing.T, s session, spec string) result {
			return s.run(t, "contain", "--principal", "erin", "--snapshot", spec, "--region", "us-east-1")
		}},
		{"watch", func(t *testing.T, s session, spec string) result {
			s.env = secret
			return s.runUntil(t, "watching", "watch", "--store", filepath.Join(t.TempDir(), "p.db"), "--snapshot", spec, "--listen", freeAddr(t))
		}},
		{"serve", func(t *testing.T, s session, spec string) result {
			return s.runUntil(t, "serving on", "serve", "--snapshot", spec, "--listen", "127.0.0.1:0")
		}},
	}
	for _, c := range commands {
		for _, sp := range specs {
			t.Run(c.name+"/"+sp.name, func(t *testing.T) {
				r := c.run(t, session{stdin: sp.stdin}, sp.spec)
				// contain reads every spec, then refuses ids the
				// fixtures make up (it builds commands from them).
				planned := c.name == "contain" && strings.Contains(r.stderr, "portcullis: contain:")
				if (r.code == ExitError && !planned) || strings.Contains(r.stderr, "snapshot:") {
					t.Errorf("exit %d: %s", r.code, r.stderr)
				}
			})
		}
	}
}
