// Command naivejson is a benchmark baseline: the obvious way to hunt a
// trail in Go — gunzip each object, encoding/json it into maps, filter on
// eventSource — on one core. portcullis hunt is compared against it.
package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
)

func main() {
	matched := 0
	for _, root := range os.Args[1:] {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json.gz") || strings.Contains(p, "CloudTrail-Digest") {
				return err
			}
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			var obj struct{ Records []map[string]any }
			if err := json.NewDecoder(zr).Decode(&obj); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			for _, r := range obj.Records {
				if src, _ := r["eventSource"].(string); src == "sso.amazonaws.com" {
					matched++
				}
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "naivejson:", err)
			os.Exit(1)
		}
	}
	fmt.Println(matched)
}
