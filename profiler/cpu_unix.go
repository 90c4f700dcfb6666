//go:build unix

package profiler

import (
	"syscall"
	"time"
)

// cpuClock reads the process's user+system CPU time from getrusage. The
// Rusage is kept so that the call does not allocate.
type cpuClock struct{ ru syscall.Rusage }

// seconds returns the CPU time used so far, 0 when getrusage fails.
func (c *cpuClock) seconds() float64 {
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &c.ru); err != nil {
		return 0
	}
	return time.Duration(c.ru.Utime.Nano() + c.ru.Stime.Nano()).Seconds()
}
