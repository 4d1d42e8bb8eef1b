//go:build cgo

package athena_test

import (
	"os"
	"testing"
)

var tmpRoot string

func tempDir() (string, error) { return os.MkdirTemp(tmpRoot, "trail") }

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "athena-test")
	if err != nil {
		panic(err)
	}
	tmpRoot = d
	code := m.Run()
	if shared.db != nil {
		shared.db.Close()
	}
	os.RemoveAll(d)
	os.Exit(code)
}
