//go:build unix

package source

import (
	"os"
	"syscall"
)

// openFile opens name without blocking on a FIFO that appeared after the
// walk looked (O_NONBLOCK makes such an open return at once; on a regular
// file it changes nothing).
func openFile(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
