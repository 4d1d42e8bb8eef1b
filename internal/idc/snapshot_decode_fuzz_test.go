package idc

import (
	"bytes"
	"testing"
)

// FuzzSnapshotDecode is the differential fuzz target of the hand-written
// snapshot decoder: for any bytes, the fast path (in memory and as a
// stream cut at every byte) and encoding/json either both refuse them,
// with the same error from every Read entry point, or both give the same
// model; never a panic. Seeds: the repository's small snapshots, one
// synthetic snapshot, and odd but valid shapes (escapes, nulls).
func FuzzSnapshotDecode(f *testing.F) {
	files, err := repoJSON()
	if err != nil {
		f.Fatal(err)
	}
	for _, b := range files {
		if bytes.Contains(b, []byte(`"portcullis.snapshot/v1"`)) && len(b) < 16<<10 {
			f.Add(b)
		}
	}
	var buf bytes.Buffer
	if err := Synthetic(5, 6, 3, 3, 4, 8).Write(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"schema":"portcullis.snapshot/v1","from":"a\u00e9","users":{"u":null},"memberships":{"g":[{"user_id":"u"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sameAsReference(t, b, "fuzz.json")
	})
}
