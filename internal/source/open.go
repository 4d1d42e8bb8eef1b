package source

import (
	"fmt"
	"os"
)

// openRegular opens a file for reading (openFile: never blocking on a FIFO
// where the platform allows) and refuses anything but a regular file.
func openRegular(name string) (*os.File, error) {
	f, err := openFile(name)
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
