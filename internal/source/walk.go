package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// StdinName is the Object name of standard input ("-" on the command line).
const StdinName = "<stdin>"

// WalkStats counts what a walk found and what it left alone.
type WalkStats struct {
	Objects    int
	Bytes      int64          // sum of the objects' sizes, where known
	Skipped    map[string]int // files not handed out, by reason
	PrunedDirs map[string]int // directories not entered, by reason
}

// Walk hands fn every object under paths, in a deterministic order: paths
// as given, directory entries sorted by name. A path is a file, a directory
// or "-" for stdin. Directories are walked; folders of the org-trail layout
// whose account, region or days the filter rules out are never entered, and
// digest and insight objects, dot-files and files that are not .json,
// .jsonl or .gz are skipped (counted by reason). A file named explicitly is
// read whatever its name, if the filter keeps it. Paths that cannot be read
// do not stop the walk: they are returned, joined, at the end. An error from
// fn or ctx stops the walk at once.
func Walk(ctx context.Context, paths []string, f Filter, fn func(Object) error) (WalkStats, error) {
	w := walker{fsys: osFS{}, stdin: os.Stdin, filter: f, fn: fn}
	return w.walk(ctx, paths)
}

// fileSystem is what the walker needs from the OS; tests wrap it to prove
// which directories were read and which files were opened.
type fileSystem interface {
	Stat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Open(name string) (io.ReadCloser, error)
}

type osFS struct{}

func (osFS) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (osFS) Open(name string) (io.ReadCloser, error) {
	f, err := openRegular(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ErrNotRegular: a path names a named pipe, device or socket.
var ErrNotRegular = errors.New("not a regular file")

func notRegular(m fs.FileMode) error {
	kind := "a special file"
	switch {
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	}
	return fmt.Errorf("%w (%s); pipe a stream in on stdin with '-' instead", ErrNotRegular, kind)
}

type walker struct {
	fsys   fileSystem
	stdin  io.Reader
	filter Filter
	fn     func(Object) error
	stats  WalkStats
	errs   []error
}

// errStop marks errors that end the walk (fn's or the context's).
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }

func (w *walker) walk(ctx context.Context, paths []string) (WalkStats, error) {
	w.stats = WalkStats{Skipped: map[string]int{}, PrunedDirs: map[string]int{}}
	seen := make(map[string]bool, len(paths))
	for _, p := range paths {
		if p != "-" {
			p = filepath.Clean(p)
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		if err := w.root(ctx, p); err != nil {
			var stop errStop
			if errors.As(err, &stop) {
				return w.stats, stop.err
			}
			w.errs = append(w.errs, err)
		}
	}
	return w.stats, errors.Join(w.errs...)
}

func (w *walker) root(ctx context.Context, p string) error {
	if p == "-" {
		in := w.stdin
		return w.emit(Object{Name: StdinName, Size: -1, Open: func(ctx context.Context) (io.ReadCloser, error) {
			return io.NopCloser(ContextReader(ctx, in)), nil
		}})
	}
	info, err := w.fsys.Stat(p)
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	if !info.IsDir() && !info.Mode().IsRegular() {
		// Opening a named pipe blocks until a writer comes, and a device
		// or socket is no trail file: only stdin may be a stream.
		return fmt.Errorf("read %s: %w", p, notRegular(info.Mode()))
	}
	if !info.IsDir() {
		key, _ := ParseKey(p)
		if ok, reason := w.filter.Keep(key); !ok {
			w.stats.Skipped[reason]++
			return nil
		}
		return w.emit(w.fileObject(p, info.Size(), key))
	}
	if l, ok := parseLayout(filepath.ToSlash(p)); ok {
		if keep, reason := w.filter.keepLayout(l); !keep {
			w.stats.PrunedDirs[reason]++
			return nil
		}
	}
	return w.dir(ctx, p)
}

func (w *walker) dir(ctx context.Context, dir string) error {
	if err := ctx.Err(); err != nil {
		return errStop{err}
	}
	entries, err := w.fsys.ReadDir(dir)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("read %s: %w", dir, err))
		return nil
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		var size int64 = -1
		if e.Type()&fs.ModeSymlink != 0 {
			info, err := w.fsys.Stat(p)
			if err != nil {
				w.errs = append(w.errs, fmt.Errorf("read %s: %w", p, err))
				continue
			}
			if info.IsDir() { // not followed: links can loop
				w.stats.PrunedDirs["symlink"]++
				continue
			}
			if !info.Mode().IsRegular() { // a link to a pipe would block in open
				w.stats.Skipped["not-a-file"]++
				continue
			}
			isDir, size = false, info.Size()
		}
		if isDir {
			if strings.HasPrefix(e.Name(), ".") {
				w.stats.PrunedDirs["dot-dir"]++
				continue
			}
			if l, ok := parseLayout(filepath.ToSlash(p)); ok {
				if keep, reason := w.filter.keepLayout(l); !keep {
					w.stats.PrunedDirs[reason]++
					continue
				}
			}
			if err := w.dir(ctx, p); err != nil {
				return err
			}
			continue
		}
		if !e.Type().IsRegular() && e.Type()&fs.ModeSymlink == 0 {
			w.stats.Skipped["not-a-file"]++
			continue
		}
		if reason := skipName(e.Name()); reason != "" {
			w.stats.Skipped[reason]++
			continue
		}
		key, _ := ParseKey(p)
		switch {
		case key.Digest:
			w.stats.Skipped["digest"]++
			continue
		case key.Insight:
			w.stats.Skipped["insight"]++
			continue
		}
		if ok, reason := w.filter.Keep(key); !ok {
			w.stats.Skipped[reason]++
			continue
		}
		if size < 0 {
			if info, err := e.Info(); err == nil {
				size = info.Size()
			}
		}
		if err := w.emit(w.fileObject(p, size, key)); err != nil {
			return err
		}
	}
	return nil
}

// skipName says why a file found in a directory is not CloudTrail ("" if
// it may be).
func skipName(name string) string {
	if strings.HasPrefix(name, ".") {
		return "dot-file"
	}
	lower := strings.ToLower(name)
	for _, ext := range []string{".json", ".jsonl", ".gz"} {
		if strings.HasSuffix(lower, ext) {
			return ""
		}
	}
	return "extension"
}

func (w *walker) fileObject(p string, size int64, key Key) Object {
	fsys := w.fsys
	return Object{Name: p, Size: size, Key: key, Open: func(context.Context) (io.ReadCloser, error) {
		return fsys.Open(p)
	}}
}

func (w *walker) emit(o Object) error {
	w.stats.Objects++
	if o.Size > 0 {
		w.stats.Bytes += o.Size
	}
	if err := w.fn(o); err != nil {
		return errStop{err}
	}
	return nil
}
