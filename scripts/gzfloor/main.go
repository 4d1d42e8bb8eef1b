// Command gzfloor is the benchmark floor: it decompresses every .gz file
// under the given directories with the same gzip library portcullis uses
// and discards the output. A hunt cannot be faster than this on one core.
package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
)

func main() {
	var total int64
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
			n, err := io.Copy(io.Discard, zr)
			total += n
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "gzfloor:", err)
			os.Exit(1)
		}
	}
	fmt.Println(total)
}
