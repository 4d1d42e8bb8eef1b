package simulate

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/wildcard"
)

// trailObject is one CloudTrail log object read back with encoding/json,
// independently of how simulate wrote it.
type trailObject struct {
	key     string // slash path below Out
	raw     []byte // uncompressed
	records []map[string]any
	texts   []string // each record's own JSON text
}

type corpus struct {
	dir     string
	sum     Summary
	objects []trailObject
	byID    map[string]map[string]any
	digests []string
}

func run(t testing.TB, opt Options) (Summary, string) {
	t.Helper()
	if opt.Out == "" {
		opt.Out = t.TempDir()
	}
	sum, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sum, opt.Out
}

func gunzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not gzip: %w", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: bad gzip stream: %w", path, err)
	}
	return b, nil
}

// readCorpus walks dir like a trail reader would: dot-files skipped, digest
// objects set aside, every log object decoded with encoding/json.
func readCorpus(dir string, sum Summary) (*corpus, error) {
	c := &corpus{dir: dir, sum: sum, byID: map[string]map[string]any{}}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || !strings.HasSuffix(path, ".json.gz") {
			return err
		}
		key := filepath.ToSlash(strings.TrimPrefix(path, dir+string(filepath.Separator)))
		if strings.Contains(key, "/CloudTrail-Digest/") {
			c.digests = append(c.digests, key)
			return nil
		}
		raw, err := gunzip(path)
		if err != nil {
			return err
		}
		var body struct {
			Records []json.RawMessage `json:"Records"`
		}
		if err := json.Unmarshal(raw, &body); err != nil {
			return fmt.Errorf("%s: not JSON: %w", key, err)
		}
		obj := trailObject{key: key, raw: raw}
		for i, rm := range body.Records {
			var r map[string]any
			if err := json.Unmarshal(rm, &r); err != nil {
				return fmt.Errorf("%s record %d: %w", key, i, err)
			}
			obj.records = append(obj.records, r)
			obj.texts = append(obj.texts, string(rm))
		}
		c.objects = append(c.objects, obj)
		for i, r := range obj.records {
			id, _ := r["eventID"].(string)
			if _, dup := c.byID[id]; dup {
				return fmt.Errorf("%s record %d: duplicate eventID %q", key, i, id)
			}
			c.byID[id] = r
		}
		return nil
	})
	return c, err
}

func mustRead(t testing.TB, dir string, sum Summary) *corpus {
	t.Helper()
	c, err := readCorpus(dir, sum)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sharedCorpus is one mid-sized run with every scenario that the read-only
// tests share, to keep the package's test time low.
var sharedCorpus = sync.OnceValues(func() (*corpus, error) {
	dir, err := os.MkdirTemp("", "simulate-test-")
	if err != nil {
		return nil, err
	}
	sum, err := Run(context.Background(), Options{Out: dir, Events: 6_000, Days: 2, Seed: 42, Scenarios: []string{"all"}})
	if err != nil {
		return nil, err
	}
	return readCorpus(dir, sum)
})

func shared(t *testing.T) *corpus {
	t.Helper()
	c, err := sharedCorpus()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMain(m *testing.M) {
	code := m.Run()
	if c, err := sharedCorpus(); err == nil && c != nil {
		os.RemoveAll(c.dir)
	}
	os.Exit(code)
}

// str digs a string out of a decoded record by dotted path.
func str(r map[string]any, path string) string {
	var v any = r
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// actorMatches says whether a record's actor is one of the config's admins:
// by ARN pattern, or by Identity Center user name or id.
func actorMatches(patterns []string, r map[string]any) bool {
	cands := []string{str(r, "userIdentity.arn"), str(r, "userIdentity.userName"), str(r, "userIdentity.onBehalfOf.userId")}
	for _, p := range patterns {
		for _, c := range cands {
			if c != "" && wildcard.Match(p, c) {
				return true
			}
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
