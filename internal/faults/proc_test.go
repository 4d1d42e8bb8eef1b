//go:build linux

package faults

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// bin is the portcullis binary TestMain built.
var bin string

// full is set by PORTCULLIS_FAULTS=full: the sizes the README quotes.
var full = os.Getenv("PORTCULLIS_FAULTS") == "full"

// size picks the CI size or the full one.
func size(ci, big int) int {
	if full {
		return big
	}
	return ci
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "portcullis-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "portcullis")
	// The go command that runs this test is on PATH (go test puts its
	// GOROOT/bin there).
	goBin, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintln(os.Stderr, "find the go command:", err)
		os.Exit(1)
	}
	build := exec.Command(goBin, "build", "-o", bin, "github.com/portcullis-sec/portcullis/cmd/portcullis")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build portcullis: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuf collects a child's output while it runs.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// proc is a running portcullis.
type proc struct {
	cmd    *exec.Cmd
	stderr *syncBuf
	done   chan struct{}
	err    error
	hwmKB  atomic.Int64 // peak resident set seen in /proc/PID/status
}

// hermeticEnv is an environment with test credentials and no AWS files.
func hermeticEnv(t *testing.T, extra ...string) []string {
	dir := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"AWS_ACCESS_KEY_ID=AKIDFAULTS", "AWS_SECRET_ACCESS_KEY=faults-secret", "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=" + filepath.Join(dir, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"),
	}
	return append(env, extra...)
}

// start runs portcullis with args.
func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), stderr: &syncBuf{}, done: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout = p.stderr
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go p.watchMemory()
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	return p
}

// watchMemory samples the child's VmHWM (its own peak RSS, which rusage's
// ru_maxrss is not: that one inherits the test process's at fork) until it
// exits.
func (p *proc) watchMemory() {
	path := fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid)
	for {
		b, err := os.ReadFile(path)
		if err != nil {
			return
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				if kb > p.hwmKB.Load() {
					p.hwmKB.Store(kb)
				}
			}
		}
		select {
		case <-p.done:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("process survived SIGKILL")
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		p.kill(t)
		t.Fatalf("no exit within 60s of SIGTERM; output:\n%s", p.stderr)
	}
}

// wait waits for the process to exit on its own.
func (p *proc) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		p.kill(t)
		t.Fatalf("still running after %v; output:\n%s", d, p.stderr)
	}
}

// exitCode is the code of an exited process (-1 for a signal).
func (p *proc) exitCode() int { return p.cmd.ProcessState.ExitCode() }

// peakRSSMB is the child's peak resident set as last sampled.
func (p *proc) peakRSSMB() float64 { return float64(p.hwmKB.Load()) / 1024 }

// waitOutput waits until the child's output contains s.
func (p *proc) waitOutput(t *testing.T, s string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(p.stderr.String(), s) {
		select {
		case <-p.done:
			t.Fatalf("exited (%v) before printing %q; output:\n%s", p.err, s, p.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %v; output:\n%s", s, d, p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// report logs a figure line the README quotes.
func report(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Logf("FIGURE "+format, args...)
}
