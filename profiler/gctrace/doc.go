// Package gctrace reads the lines a Go program prints to standard error when
// it runs with GODEBUG=gctrace=1, one line at a time, into record.GC values.
//
// A [Parser] classifies each line ([Kind]): a GC cycle, the "GC forced"
// notice of the periodic two-minute GC, a scavenger line, a pacer line
// (GODEBUG=gcpacertrace=1), or anything else, which the caller passes through
// as program output. The gctrace text may sit anywhere in a line, after a
// time stamp, a journald tag or a "[pod-abc] " prefix. A line that is not
// understood is [Other]: never an error, never a panic.
//
// # Formats
//
// The cycle line changed over the years; the parser reads all of these:
//
//	Go 1.5       gc #1 @0.042s 4%: 0.051+1.1+0.026+16+0.43 ms clock, 0.10+1.1+0+2.0/6.7/0+0.86 ms cpu, 4->32->10 MB, 4 MB goal, 4 P
//	Go 1.6       gc 1 @0.009s 1%: 0.059+0.17+0.005+0.24+0.12 ms clock, 0.17+0.17+0+0/0.36/0.067+0.38 ms cpu, 5->5->3 MB, 4 MB goal, 8 P
//	Go 1.7-1.17  gc 1 @0.017s 0%: 0.031+0.42+0.014 ms clock, 0.12+0.10/0.38/0.26+0.056 ms cpu, 4->4->0 MB, 5 MB goal, 4 P
//	Go 1.18+     gc 1 @0.017s 0%: 0.031+0.42+0.014 ms clock, 0.12+0.10/0.38/0.26+0.056 ms cpu, 4->4->0 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 4 P
//	Go 1.26      gc 7 @2.101s 3% (checking for goroutine leaks): ... (as Go 1.18)
//
// Any of them may end in " (forced)": a cycle started by runtime.GC or
// debug.FreeOSMemory.
//
// The clock phases of Go 1.5 and 1.6 are stop-the-world sweep termination,
// concurrent scan, "synchronize Ps" (installing the write barrier with a
// ragged barrier, not a stop), concurrent mark, and stop-the-world mark
// termination; the cpu values are those five with the mark phase split into
// assist/background/idle time. From Go 1.7 on there are three clock phases:
// stop-the-world sweep termination, concurrent mark and scan, stop-the-world
// mark termination. So a cycle's pause is always the first clock phase plus
// the last, with one exception: up to Go 1.8, a runtime.GC cycle stopped the
// world for its whole length, and the runtime printed its concurrent phases
// as 0; a "(forced)" cycle whose concurrent phases are all 0 is therefore
// one pause as long as the whole cycle.
//
// Heap sizes are printed in whole MB (2^20 bytes, rounded down), so every
// byte count the parser returns is a multiple of 1 MiB: their precision is
// 1 MiB. Times are printed in milliseconds with at most three decimals; the
// parser adds them up (a cycle's end, its pause, its CPU time) in whole
// nanoseconds, so that a sum is the float64 nearest to its exact decimal
// value: 0.012+0.008 ms gives 20 µs, not 19.999999999999998.
//
// Go 1.4 and older printed a different line ("gc12(4): 1+2+3+4 us, 8 -> 4
// MB, ..."), which has no time stamp: it cannot be placed on a run record's
// clock. Parse does not read it (it is [Other]); [Legacy] recognises it so
// that a caller can say why a log gave no cycles.
//
// # State
//
// A Parser remembers two things between lines: a "GC forced" notice, which
// marks the next cycle Periodic, and the previous cycle, so that a cycle
// numbered one more than it gets IntervalCPUSeconds (its wall time since the
// previous cycle ended times its P count). Cycle 1 gets the wall time since
// the program started times its P count, so that the intervals of a stream
// read from its first cycle add up to the available CPU time since the
// program started, the denominator of the cumulative share gctrace prints.
// One Parser reads one stream.
//
// The runtime prints "GC forced" when its two-minute timer fires, before it
// tries to start the cycle; if a cycle is already running, no new one
// starts, and the running cycle is the one marked Periodic. The log cannot
// tell the two apart.
package gctrace
