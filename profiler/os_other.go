//go:build !linux

package profiler

// newOSStats: outside Linux the probe does not read resident memory. RSS and
// peak RSS stay 0 (not measured); /memory/classes/total:bytes, recorded as
// Sample.GoTotalBytes, is an upper bound on the memory the Go runtime has
// mapped, which is what most of a Go program's RSS is made of. CPU time is
// read where getrusage exists.
func newOSStats() osStats { return &cpuStats{} }
