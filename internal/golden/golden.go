// Package golden compares test output with files kept under testdata, and
// rewrites those files when the tests run with -update:
//
//	go test ./internal/x -run TestY -update
//
// It is imported by tests only.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files (and generated README sections) instead of comparing with them")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Check compares got with the file at path. With -update it writes got
// there instead, creating the directory. A mismatch is reported as a line
// diff, so a one-line change in a long file reads as one line.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run '%s' -update creates it)", err, rootName(t))
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -run '%s' -update accepts it):\n%s",
			path, rootName(t), Diff(string(want), string(got)))
	}
}

// CheckJSON encodes v as indented JSON, without HTML escaping so the file
// reads as written, and checks it against path.
func CheckJSON(t testing.TB, path string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	Check(t, path, buf.Bytes())
}

// Section checks the text between the begin and end markers of the file at
// path (a README table generated from a registry) against want. With
// -update it rewrites that section and leaves the rest of the file alone.
func Section(t testing.TB, path, begin, end, want string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, begin)
	j := -1
	if i >= 0 {
		j = strings.Index(s[i+len(begin):], end)
	}
	if i < 0 || j < 0 {
		t.Fatalf("%s lacks the markers %q … %q", path, begin, end)
	}
	start, stop := i+len(begin), i+len(begin)+j
	if s[start:stop] == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(s[:start]+want+s[stop:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the generated section of %s is stale (go test -run '%s' -update regenerates it):\n%s",
		path, rootName(t), Diff(s[start:stop], want))
}

// rootName is the top-level test's name, the part -run matches first.
func rootName(t testing.TB) string {
	name, _, _ := strings.Cut(t.Name(), "/")
	return "^" + name + "$"
}
