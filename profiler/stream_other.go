//go:build !unix

package profiler

import (
	"errors"
	"os"
)

// openEventsFD: inheriting a descriptor by number is a Unix arrangement.
func openEventsFD(fd int) (*os.File, error) {
	return nil, errors.New("streaming events to gcprobe is supported on Unix systems only")
}
