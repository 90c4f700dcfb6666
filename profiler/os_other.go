//go:build !linux

package profiler

// newOSStats: outside Linux the probe does not read resident memory. RSS and
// peak RSS stay 0 (not measured); /memory/classes/total:bytes, recorded as
// Sample.GoTotalBytes, is all memory the Go runtime has mapped: an upper
// bound on the resident memory it manages, which is most of a Go program's
// RSS. CPU time is read where getrusage exists.
func newOSStats() osStats { return &cpuStats{} }
