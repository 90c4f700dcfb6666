// Package profiler is gcprobe's in-process probe: a program embeds it to
// record what its own garbage collector does, and mounts its HTTP agent so
// that gcprobe attach and Prometheus can read it.
//
// A [Probe] reads runtime/metrics on an interval (Options.Interval, 250ms by
// default) and produces run-record events (package record):
//
//  1. a Sample per tick: heap live and goal, heap objects, all memory the Go
//     runtime mapped, cumulative allocation, GC cycles, goroutines, GC and
//     available CPU time (/cpu/classes), the process's CPU time, and on
//     Linux its own RSS and peak RSS; the 13 leaf /memory/classes metrics
//     (record.GoMemory), read in the same metrics.Read; and on Linux the
//     kernel's split of the RSS from /proc/self/smaps_rollup
//     (record.ProcMemory), within a budget of 1% of one CPU
//     (host.SmapsBudget: the kernel walks every page table for it), so not
//     at every tick of a large process;
//  2. a GC event per cycle that ended since the previous tick, told from
//     /gc/cycles/total:gc-cycles;
//  3. a Pauses event with the change of the stop-the-world pause histogram
//     (/sched/pauses/total/gc:seconds), non-empty buckets only, when it
//     changed.
//
// Events are kept in memory (the last Options.Keep of them) for
// [Probe.EventsSince] and the agent, and written to Options.Record as they
// are produced when it is set.
//
// # What a GC event holds
//
// runtime/metrics says that cycles ended, not when. A GC event's N is the
// cycle's number; Forced comes from /gc/cycles/forced (runtime.GC and
// debug.FreeOSMemory: the periodic two-minute GC counts as automatic and
// cannot be told apart here, so Periodic is never set). StartSeconds and
// EndSeconds are absent: the event's T is the tick that saw the cycle end.
// Its figures:
//
//   - PauseSeconds is the sum of the pauses in the histogram's change since
//     the previous tick at which a cycle had ended, each counted at its
//     bucket's midpoint (an estimate within about 12%: the runtime's
//     buckets are 14-25% wide), and PauseMaxSeconds is the upper bound of the
//     highest non-empty bucket of that change (a bound, not a measurement).
//     A cycle has two pauses (sweep termination, mark termination); if the
//     next cycle has already started at the tick, its first pause is counted
//     with this one. Every pause lands in exactly one GC event, but those
//     after the last cycle ended; the Pauses events hold them all.
//   - GCCPUSeconds and IntervalCPUSeconds are the changes of
//     /cpu/classes/gc/total and /cpu/classes/total:cpu-seconds since that
//     same tick. The runtime updates those only at the end of a cycle (and
//     the GC's at its pauses), so the change is the change between the end
//     of the previous cycle and the end of this one: their ratio is the
//     GC's CPU share over an interval bounded by GC cycles. One exception,
//     as with the pauses: if the next cycle had already started at the
//     tick, its first pause (with the wait for the world to stop, which on
//     a contended machine can be long) is in GCCPUSeconds but not in
//     IntervalCPUSeconds, which moves only at a cycle's end; the next
//     event is lower by as much. A short interval can then show a share
//     above 100% (docs/figures.md; the report's caption says so).
//     IdleCPUSeconds is the change of /cpu/classes/gc/mark/idle, the part
//     of GCCPUSeconds that idle-priority mark workers used.
//   - HeapLiveBytes is /gc/heap/live:bytes after the cycle, and HeapGoalBytes
//     the goal read at the previous tick, the one the cycle was paced
//     against.
//
// When several cycles end within one tick, the shared figures are attached
// to the last of them and the earlier ones carry only N and Forced (the
// first ones of the tick are marked forced; the order is unknown); the heap
// goal is then left out, since the last cycle's goal was set by a cycle the
// probe did not see end. A Note event says so the first time it happens. A
// shorter Interval separates cycles.
//
// # Cost
//
// The names are resolved and the []metrics.Sample is built once, in [New];
// every tick reads into it. On Linux the probe keeps /proc/self/statm and
// /proc/self/status open and re-reads them from offset 0 into one buffer. A
// tick allocates nothing unless Options.Record is set (encoding JSON does);
// a test asserts it, and BenchmarkSample measures it. The probe never calls
// runtime.ReadMemStats, which stops the world, nor runtime.GC.
//
// Outside Linux, RSS and peak RSS are not read and stay 0 (not measured);
// Sample.GoTotalBytes (/memory/classes/total:bytes) is then the best figure:
// all memory the Go runtime has mapped, an upper bound on the resident memory
// it manages (it counts pages released to the OS too), though memory outside
// the Go runtime (cgo, the binary itself) is not in it. CPU time comes from
// getrusage on Unix systems.
//
// # The agent
//
// [Probe.Handler] serves the probe over HTTP, mounted like net/http/pprof:
//
//	mux.Handle("/debug/gcprobe/", p.Handler())
//
// GET /debug/gcprobe/ answers a [Status] (header, latest sample, next
// cursor); GET /debug/gcprobe/events?since=N an [EventPage] with every event
// from cursor N on; GET /debug/gcprobe/metrics the Prometheus text format,
// under client_golang's names where the figure is the same (go_*,
// process_*), so that a fleet already scraped by Prometheus needs nothing
// else; what client_golang has no name for keeps a gcprobe_ prefix. Bind what serves it to 127.0.0.1 unless it must be
// reached from elsewhere.
//
// A program started by `gcprobe run` can stream its events to gcprobe: see
// [StreamFromEnv].
package profiler
