//go:build unix

package source

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// within fails the test if fn has not returned after d (a hang).
func within(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { fn(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s still blocked after %v", what, d)
	}
}

// TestWalkRefusesSpecialFiles: a named pipe given on the command line is
// refused at once with an error naming it and stdin as the way to stream;
// one met in a directory (or through a symlink) is skipped, never opened.
func TestWalkRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "trail.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	os.Symlink(fifo, filepath.Join(sub, "link.json"))
	os.WriteFile(filepath.Join(sub, "good.json"), []byte("{}"), 0o644)

	within(t, 5*time.Second, "walk of a named pipe", func() {
		var opened []string
		_, err := Walk(context.Background(), []string{fifo}, Filter{}, func(o Object) error {
			rc, err := o.Open(context.Background())
			if err == nil {
				rc.Close()
			}
			opened = append(opened, o.Name)
			return nil
		})
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "named pipe") || !strings.Contains(err.Error(), "'-'") {
			t.Errorf("err = %v, want a refusal naming %s", err, fifo)
		}
		if len(opened) != 0 {
			t.Errorf("handed out %v", opened)
		}
	})
	within(t, 5*time.Second, "walk of a folder with a pipe", func() {
		var names []string
		st, err := Walk(context.Background(), []string{dir}, Filter{}, func(o Object) error {
			names = append(names, filepath.Base(o.Name))
			return nil
		})
		if err != nil || strings.Join(names, ",") != "good.json" || st.Skipped["not-a-file"] != 2 {
			t.Errorf("names %v skipped %v err %v: want good.json only, pipe and link skipped", names, st.Skipped, err)
		}
	})
	// A pipe swapped in after the walk looked is refused by the open itself.
	within(t, 5*time.Second, "open of a named pipe", func() {
		if _, err := (osFS{}).Open(fifo); !errors.Is(err, ErrNotRegular) {
			t.Errorf("open: %v", err)
		}
	})
}

// TestContextReaderGivesWayToCancel: a read blocked on a pipe with no
// writer returns ctx's error as soon as ctx ends; data already there is
// read normally.
func TestContextReaderGivesWayToCancel(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	r := ContextReader(ctx, pr)
	pw.Write([]byte("hello"))
	buf := make([]byte, 3)
	if n, err := io.ReadFull(r, buf); n != 3 || err != nil || string(buf) != "hel" {
		t.Fatalf("read %q %v", buf[:n], err)
	}
	if n, err := r.Read(buf); n != 2 || err != nil || string(buf[:n]) != "lo" {
		t.Fatalf("rest %q %v", buf[:n], err)
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	within(t, 5*time.Second, "a read from an idle pipe", func() {
		if _, err := r.Read(buf); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}
