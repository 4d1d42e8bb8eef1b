package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portcullis-sec/portcullis/internal/finding"
)

// TestHuntCaps: a file over --max-object-size or --max-record-size is bad
// input named with the cap and the flag; the other files are hunted.
func TestHuntCaps(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"good.json.gz": gz(t, records(0, 2)),
		"bomb.json.gz": gz(t, records(10, 1)+strings.Repeat(" ", 3<<20)),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct{ flag, value, want string }{
		{"--max-object-size", "2MiB", "object too large: decompresses to more than 2MiB"},
		{"--max-object-size", "2000000B", "object too large: decompresses to more than 2000000 bytes"},
	}
	for _, tc := range cases {
		app, out, errb := session{}.app()
		code := app.Run(context.Background(), []string{"hunt", "--format", "jsonl", tc.flag, tc.value, dir})
		if code != ExitBadInput {
			t.Fatalf("%s %s: exit %d, want %d; stderr:\n%s", tc.flag, tc.value, code, ExitBadInput, errb)
		}
		if s := errb.String(); !strings.Contains(s, "bomb.json.gz") || !strings.Contains(s, tc.want) || !strings.Contains(s, "raise the cap with "+tc.flag) {
			t.Errorf("stderr does not name the file, %q and the flag:\n%s", tc.want, s)
		}
		fs, err := finding.Read(strings.NewReader(out.String()), "stdout")
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 3 { // two from the good file, one before the cut
			t.Errorf("%d findings, want 3", len(fs))
		}
	}
	app, _, errb := session{}.app()
	if code := app.Run(context.Background(), []string{"hunt", "--max-record-size", "lots", dir}); code != ExitError || !strings.Contains(errb.String(), "512MiB") {
		t.Errorf("bad size: exit %d, %s", code, errb)
	}
}
