//go:build unix

package collect

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/idc"
)

// TestLoadPipe: a spec that is not a regular file (a named pipe, process
// substitution) is read once, not decoded then read again: a snapshot the
// fast decoder hands over (here for a key it does not know) is still read.
func TestLoadPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	var buf bytes.Buffer
	if err := idc.Synthetic(2, 5, 2, 3, 2, 6).Write(&buf); err != nil {
		t.Fatal(err)
	}
	doc := append([]byte(`{"note":"edited by hand",`), buf.Bytes()[1:]...)
	// One writer, once, as a shell's process substitution: a second open
	// of the pipe would wait for a writer that never comes (go test's
	// -timeout then reports the hang).
	go func() {
		fh, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer fh.Close()
		_, _ = fh.Write(doc)
	}()
	m, err := Load(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Assignments) != 6 {
		t.Errorf("%d assignments, want 6", len(m.Assignments))
	}
}
