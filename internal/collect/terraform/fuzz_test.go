package terraform

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadResult feeds arbitrary bytes to the reader: it must return a
// model or an error, never panic, and a model it returns must be writable.
func FuzzReadResult(f *testing.F) {
	for _, name := range []string{"raw-v4.tfstate", "show-state.json", "show-plan.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ReadResult(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := res.Current.Write(&buf); err != nil {
			t.Fatalf("read a model it cannot write: %v", err)
		}
		if res.Planned != nil {
			if err := res.Planned.Write(&buf); err != nil {
				t.Fatalf("planned model not writable: %v", err)
			}
		}
	})
}
