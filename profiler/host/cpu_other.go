//go:build !linux

package host

import "time"

// threadCPU returns the wall time f took: outside Linux there is no
// smaps_rollup to budget, and no thread CPU clock is used.
func threadCPU(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}
