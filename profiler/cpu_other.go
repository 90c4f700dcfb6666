//go:build !unix

package profiler

// cpuClock: no getrusage on this system; CPU time is not measured (0).
type cpuClock struct{}

func (c *cpuClock) seconds() float64 { return 0 }
