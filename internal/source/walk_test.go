package source

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingFS records every directory read and file opened.
type countingFS struct {
	osFS
	mu     sync.Mutex
	dirs   []string
	opened []string
}

func (c *countingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	c.mu.Lock()
	c.dirs = append(c.dirs, name)
	c.mu.Unlock()
	return c.osFS.ReadDir(name)
}

func (c *countingFS) Open(name string) (io.ReadCloser, error) {
	c.mu.Lock()
	c.opened = append(c.opened, name)
	c.mu.Unlock()
	return c.osFS.Open(name)
}

// tree writes files (path -> content) under root.
func tree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, body := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const acct = "AWSLogs/o-abcdefghij/111122223333/"

func trailTree(t *testing.T) string {
	root := t.TempDir()
	tree(t, root, map[string]string{
		acct + "CloudTrail/us-east-1/2026/05/09/early.json.gz":                                                     "x",
		acct + "CloudTrail/us-east-1/2026/05/10/b.json.gz":                                                         "b",
		acct + "CloudTrail/us-east-1/2026/05/10/a.json.gz":                                                         "a",
		acct + "CloudTrail/us-east-1/2026/05/10/.partial.json.gz":                                                  "x",
		acct + "CloudTrail/us-east-1/2026/05/10/notes.txt":                                                         "x",
		acct + "CloudTrail/us-east-1/2026/05/10/111122223333_CloudTrail-Digest_us-east-1_t_20260510T0100Z.json.gz": "x",
		acct + "CloudTrail/us-east-1/2026/05/11/c.jsonl":                                                           "c",
		acct + "CloudTrail/us-east-1/2026/05/12/late.json.gz":                                                      "x",
		acct + "CloudTrail/us-east-1/2025/12/31/old.json.gz":                                                       "x",
		acct + "CloudTrail/eu-west-1/2026/05/10/other-region.json.gz":                                              "x",
		acct + "CloudTrail-Digest/us-east-1/2026/05/10/d.json.gz":                                                  "x",
		"AWSLogs/o-abcdefghij/444455556666/CloudTrail/us-east-1/2026/05/10/o.json.gz":                              "x",
		"loose/z.json":       "z",
		"loose/y.jsonl.gz":   "y",
		"loose/.DS_Store":    "x",
		"loose/.git/config":  "x",
		"loose/readme.md":    "x",
		"explicit/weird.log": "w",
	})
	return root
}

func TestWalkPrunesBeforeOpening(t *testing.T) {
	root := trailTree(t)
	cfs := &countingFS{}
	f := Filter{
		Since:    day(2026, 5, 10),
		Until:    time.Date(2026, 5, 11, 12, 0, 0, 0, time.UTC),
		Accounts: []string{"111122223333"},
		Regions:  []string{"us-east-1"},
	}
	var got []Object
	w := walker{fsys: cfs, stdin: strings.NewReader("from stdin"), filter: f, fn: func(o Object) error {
		got = append(got, o)
		return nil
	}}
	paths := []string{
		filepath.Join(root, "AWSLogs"), filepath.Join(root, "loose"), filepath.Join(root, "explicit", "weird.log"),
		"-", filepath.Join(root, "AWSLogs"), // the same tree twice is walked once
	}
	st, err := w.walk(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfs.opened) != 0 {
		t.Errorf("walk opened %v; it must only list", cfs.opened)
	}
	var names []string
	for _, o := range got {
		names = append(names, strings.TrimPrefix(filepath.ToSlash(o.Name), filepath.ToSlash(root)+"/"))
	}
	want := []string{
		acct + "CloudTrail/us-east-1/2026/05/10/a.json.gz",
		acct + "CloudTrail/us-east-1/2026/05/10/b.json.gz",
		acct + "CloudTrail/us-east-1/2026/05/11/c.jsonl",
		"loose/y.jsonl.gz",
		"loose/z.json",
		"explicit/weird.log",
		StdinName,
	}
	if !slices.Equal(names, want) {
		t.Errorf("objects:\n got %q\nwant %q", names, want)
	}
	for _, d := range cfs.dirs {
		rel := filepath.ToSlash(strings.TrimPrefix(d, root))
		for _, pruned := range []string{"/2026/05/09", "/2026/05/12", "/2025", "444455556666", "eu-west-1", "CloudTrail-Digest", ".git"} {
			if strings.Contains(rel, pruned) {
				t.Errorf("walk read directory %s, which the filter rules out", rel)
			}
		}
	}
	wantSkipped := map[string]int{"dot-file": 2, "extension": 2, "digest": 1}
	wantPruned := map[string]int{"outside-time-window": 3, "account": 1, "region": 1, "digest": 1, "dot-dir": 1}
	if !mapsEqual(st.Skipped, wantSkipped) || !mapsEqual(st.PrunedDirs, wantPruned) {
		t.Errorf("skipped %v pruned %v; want %v and %v", st.Skipped, st.PrunedDirs, wantSkipped, wantPruned)
	}
	if st.Objects != len(want) || st.Bytes != 6 {
		t.Errorf("stats %+v, want %d objects of 6 bytes", st, len(want))
	}
	// Objects open to their contents, and know what their path says.
	for i, o := range got {
		rc, err := o.Open(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if i < 3 && (o.Key.Account != "111122223333" || o.Key.Day.IsZero() || len(b) != 1) {
			t.Errorf("%s: key %+v, content %q", o.Name, o.Key, b)
		}
		if o.Name == StdinName && string(b) != "from stdin" {
			t.Errorf("stdin read %q", b)
		}
	}
	if len(cfs.opened) != len(want)-1 {
		t.Errorf("opened %d files, want %d (stdin is not a file)", len(cfs.opened), len(want)-1)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestWalkExplicitFileIsFiltered(t *testing.T) {
	root := trailTree(t)
	early := filepath.Join(root, acct+"CloudTrail/us-east-1/2026/05/09/early.json.gz")
	n := 0
	st, err := Walk(context.Background(), []string{early}, Filter{Since: day(2026, 5, 10)}, func(Object) error { n++; return nil })
	if err != nil || n != 0 || st.Skipped["outside-time-window"] != 1 {
		t.Errorf("explicit file outside the window: %d objects, %v, %v", n, st.Skipped, err)
	}
}

func TestWalkProblemsDoNotStopIt(t *testing.T) {
	root := trailTree(t)
	var names []string
	_, err := Walk(context.Background(), []string{filepath.Join(root, "missing"), filepath.Join(root, "loose")}, Filter{}, func(o Object) error {
		names = append(names, filepath.Base(o.Name))
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("error %v, want one naming the missing path", err)
	}
	if !slices.Equal(names, []string{"y.jsonl.gz", "z.json"}) {
		t.Errorf("objects %v: the rest of the walk must go on", names)
	}
}

func TestWalkStops(t *testing.T) {
	root := trailTree(t)
	stop := errors.New("enough")
	n := 0
	_, err := Walk(context.Background(), []string{root}, Filter{}, func(Object) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("fn error: got %v after %d objects, want it at once", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Walk(ctx, []string{root}, Filter{}, func(Object) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: got %v", err)
	}
}
