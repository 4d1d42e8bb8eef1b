package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/collect/terraform"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// readProbing is how Read told a snapshot from Terraform before it
// decoded snapshots once: probe the top-level keys with encoding/json,
// then read. Read must keep its answers and its errors (a syntax error
// now with its line and column, in both).
func readProbing(b []byte, name string) (*idc.Model, error) {
	var probe struct {
		Schema           string          `json:"schema"`
		TerraformVersion json.RawMessage `json:"terraform_version"`
		FormatVersion    json.RawMessage `json:"format_version"`
		Resources        json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object (want %s): %w", name, SpecHelp, syntaxAt(b, err))
	}
	switch {
	case probe.Schema != "":
		return idc.Read(bytes.NewReader(b), name)
	case probe.TerraformVersion != nil || probe.FormatVersion != nil || probe.Resources != nil:
		return terraform.Read(bytes.NewReader(b), name)
	}
	return nil, fmt.Errorf("%s: neither a portcullis snapshot (no \"schema\") nor Terraform state (no \"terraform_version\" or \"format_version\")", name)
}

func sameAsProbing(t *testing.T, b []byte, name string) {
	t.Helper()
	got, gotErr := Read(b, name)
	want, wantErr := readProbing(b, name)
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Errorf("%s: error %v, probing gives %v", name, gotErr, wantErr)
		return
	}
	if gotErr != nil {
		return
	}
	var g, w bytes.Buffer
	if err := got.Write(&g); err != nil {
		t.Fatal(err)
	}
	if err := want.Write(&w); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g.Bytes(), w.Bytes()) {
		t.Errorf("%s: models differ\nread:    %.1000s\nprobing: %.1000s", name, g.Bytes(), w.Bytes())
	}
}

// sniffDocs are the documents Read must tell apart as it always has: every
// JSON file of the repository, and shapes at the edge of the sniffing.
func sniffDocs(t testing.TB) map[string][]byte {
	docs := map[string][]byte{
		"schema and terraform keys":   []byte(`{"schema":"portcullis.snapshot/v1","terraform_version":"1.9.0"}`),
		"schema then empty schema":    []byte(`{"schema":"portcullis.snapshot/v1","Schema":""}`),
		"schema not a string":         []byte(`{"schema":1}`),
		"schema empty, terraform":     []byte(`{"schema":"","format_version":"1.0"}`),
		"schema null":                 []byte(`{"schema":null}`),
		"other schema":                []byte(`{"schema":"portcullis.snapshot/v9"}`),
		"trailing data":               []byte(`{"schema":"portcullis.snapshot/v1"} {}`),
		"truncated snapshot":          []byte(`{"schema":"portcullis.snapshot/v1","users":{"u":{`),
		"resources only":              []byte(`{"resources":[]}`),
		"neither":                     []byte(`{"version":4}`),
		"not an object":               []byte(`[]`),
		"empty":                       nil,
		"snapshot with unknown key":   []byte(`{"schema":"portcullis.snapshot/v1","note":"x"}`),
		"snapshot, key in other case": []byte(`{"SCHEMA":"portcullis.snapshot/v1"}`),
	}
	err := filepath.WalkDir(filepath.Join("..", ".."), func(path string, e fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case e.IsDir() && (e.Name() == ".git" || e.Name() == "node_modules"):
			return filepath.SkipDir
		case e.IsDir() || !strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".tfstate"):
			return nil
		}
		docs[path], err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func TestReadTellsSourcesApartAsProbingDid(t *testing.T) {
	for name, b := range sniffDocs(t) {
		sameAsProbing(t, b, name)
	}
}

// FuzzReadMatchesProbing: for any bytes, Read and the probing it replaced
// agree on the model or the error.
func FuzzReadMatchesProbing(f *testing.F) {
	for _, b := range sniffDocs(f) {
		if len(b) < 16<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sameAsProbing(t, b, "fuzz.json")
	})
}

// BenchmarkReadSnapshot: reading a large snapshot through Read costs what
// decoding it does (idc.ReadBytes), not that plus a probe of the whole
// document.
func BenchmarkReadSnapshot(b *testing.B) {
	var buf bytes.Buffer
	if err := idc.Synthetic(1, 10000, 2000, 500, 300, 100000).Write(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	for _, c := range []struct {
		name string
		read func([]byte, string) (*idc.Model, error)
	}{{"collect.Read", Read}, {"idc.ReadBytes", idc.ReadBytes}, {"probing", readProbing}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := c.read(data, "big.json"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLoadFileAsRead: a file Load decodes as it reads it gives the model
// or the error Read gives on its bytes.
func TestLoadFileAsRead(t *testing.T) {
	dir := t.TempDir()
	i := 0
	for name, b := range sniffDocs(t) {
		i++
		path := filepath.Join(dir, fmt.Sprintf("doc%d.json", i))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		got, gotErr := Load(context.Background(), path, Options{})
		want, wantErr := Read(b, path)
		if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("%s: Load: error %v, Read gives %v", name, gotErr, wantErr)
			continue
		}
		if gotErr == nil && !sameModel(t, got, want) {
			t.Errorf("%s: Load and Read give different models", name)
		}
	}
}

func sameModel(t *testing.T, a, b *idc.Model) bool {
	t.Helper()
	var x, y bytes.Buffer
	if err := a.Write(&x); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(&y); err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x.Bytes(), y.Bytes())
}
