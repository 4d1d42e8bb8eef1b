//go:build unix

package source

import (
	"fmt"
	"os"
	"syscall"
)

// openRegular opens a file for reading without blocking on a named pipe
// that appeared after the walk looked (O_NONBLOCK makes such an open
// return at once; on a regular file it changes nothing), and refuses
// anything but a regular file.
func openRegular(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", name, notRegular(info.Mode()))
	}
	return f, nil
}
