//go:build unix

package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHuntFIFOAndCancel: a named pipe on the command line is refused at
// once (named; exit 1 as the only input, as any unreadable path); a hunt reading stdin from a pipe nobody writes to
// stops as soon as its context ends (what SIGINT/SIGTERM do in main).
func TestHuntFIFOAndCancel(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "trail.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	app, _, errb := session{}.app()
	done := make(chan int, 1)
	go func() { done <- app.Run(context.Background(), []string{"hunt", "--quiet", fifo}) }()
	select {
	case code := <-done:
		if code != ExitError || !strings.Contains(errb.String(), fifo) || !strings.Contains(errb.String(), "named pipe") {
			t.Errorf("exit %d, stderr %q: want 1 (nothing else to read) and the pipe named", code, errb)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hunt blocked opening a named pipe")
	}

	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	app, _, errb = session{}.app()
	app.Stdin = pr
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- app.Run(ctx, []string{"hunt", "--quiet", "-"}) }()
	time.Sleep(200 * time.Millisecond) // the hunt is now blocked reading stdin
	cancel()
	select {
	case code := <-done:
		if code == ExitOK {
			t.Errorf("a cancelled hunt exited 0; stderr %q", errb)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("hunt kept waiting on stdin after its context ended")
	}
}
