//go:build unix

package watch

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) this process has used: with
// the wall time it says how much of the machine a benchmark had, a figure
// that holds when other jobs load the machine and wall times do not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
