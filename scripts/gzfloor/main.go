// Command gzfloor is the benchmark floor: it decompresses every .json.gz
// file under the given directories with the same gzip library portcullis
// uses (klauspost/compress) and discards the output, -workers files at a
// time, each worker reusing its reader as portcullis does. A hunt with the
// same number of workers cannot be faster than this. It prints the total
// decompressed bytes.
//
//	go run ./scripts/gzfloor -workers 2 /tmp/trail/AWSLogs
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
)

func main() {
	workers := flag.Int("workers", 1, "files decompressed at once")
	flag.Parse()
	var files []string
	for _, root := range flag.Args() {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json.gz") && !strings.Contains(p, "CloudTrail-Digest") {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			fail(err)
		}
	}
	var total atomic.Int64
	var next atomic.Int64
	errs := make([]error, *workers)
	var wg sync.WaitGroup
	for w := range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var zr gzip.Reader
			br := bufio.NewReaderSize(nil, 256<<10)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				n, err := decompress(files[i], &zr, br)
				total.Add(n)
				if err != nil {
					errs[w] = fmt.Errorf("%s: %w", files[i], err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		fail(err)
	}
	fmt.Println(total.Load())
}

func decompress(path string, zr *gzip.Reader, br *bufio.Reader) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	br.Reset(f)
	if err := zr.Reset(br); err != nil {
		return 0, err
	}
	return io.Copy(io.Discard, zr)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gzfloor:", err)
	os.Exit(1)
}
