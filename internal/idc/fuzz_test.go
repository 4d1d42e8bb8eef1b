package idc

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
)

// FuzzRead: any bytes give a model or an error, never a panic; a model read
// is writable and validates without panicking.
func FuzzRead(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "replay.golden.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Read(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		m.Validate()
		if err := m.Write(&bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzApply: a record of any shape is applied or refused, never a panic.
func FuzzApply(f *testing.F) {
	fh, err := os.Open(filepath.Join("testdata", "replay.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f.Add(bytes.Clone(sc.Bytes()))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := cloudtrail.Decode(data, cloudtrail.Origin{File: "fuzz"})
		if err != nil {
			return
		}
		m := Synthetic(1, 5, 2, 2, 2, 4)
		_, _ = m.Apply(ev)
		if _, err := m.Apply(ev); err != nil {
			return
		}
		m.Validate()
	})
}
