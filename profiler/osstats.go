package profiler

import "github.com/gcprobe/gcprobe/record"

// osStats reads what runtime/metrics does not know: the process's resident
// memory and CPU time. It is the probe's only access to the operating system,
// so that tests can replace it (see newProcStats, which reads any files).
type osStats interface {
	// read returns the resident set size, its peak, and the user+system
	// CPU time so far, each 0 where it cannot be measured. It must not
	// allocate.
	read() (rss, peak uint64, cpu float64)
	// smaps fills m from smaps_rollup and reports whether it did: not
	// where there is none, nor when the read budget (host.SmapsBudget)
	// says to skip this sample. It must not allocate.
	smaps(m *record.ProcMemory) bool
	close() error
}

// cpuStats measures CPU time only; RSS stays 0 (not measured).
type cpuStats struct{ cpu cpuClock }

func (c *cpuStats) read() (rss, peak uint64, cpu float64) { return 0, 0, c.cpu.seconds() }
func (c *cpuStats) smaps(*record.ProcMemory) bool         { return false }
func (c *cpuStats) close() error                          { return nil }
