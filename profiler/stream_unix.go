//go:build unix

package profiler

import (
	"os"
	"syscall"
)

// openEventsFD wraps an inherited descriptor, checking that it is open, and
// marks it close-on-exec.
func openEventsFD(fd int) (*os.File, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, err
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), "gcprobe-events"), nil
}
