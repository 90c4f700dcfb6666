// Package attach observes a Go program that is already running: its RSS,
// peak RSS and CPU from the operating system, and its GC and heap from what
// the program exposes over HTTP, written as a run record.
//
// An attach session goes through these steps:
//
//  1. Open the process (--pid): check it exists, that it is a Go program
//     (its build info, read from /proc/PID/exe) and that it may be read;
//     create one gopsutil process handle for the whole session.
//  2. Find a runtime data source at the URL (--url), in this order unless
//     one is named: the gcprobe agent (/debug/gcprobe/), expvar
//     (/debug/vars), Prometheus text exposition (/metrics). The first that
//     answers with the right kind of body is used for the whole session and
//     named in the header (Header.Attach.Via).
//  3. Write the header, capture the start profiles (/debug/pprof/), and
//     start the CPU profile if asked.
//  4. Poll every interval. The first poll of a source is its baseline; each
//     later poll yields one GC event per cycle completed since the previous
//     poll, with its pause as precisely as the source allows:
//     - agent: the agent's own events, loss-free between polls while its
//     buffer holds them;
//     - expvar: the MemStats PauseNs/PauseEnd ring of 256, exact per cycle
//     while fewer than 257 cycles pass between two polls (a note counts
//     the cycles lost when more do);
//     - prometheus: go_gc_duration_seconds count and sum (exact pause total;
//     one cycle per poll gets its exact pause, several share the sum), and
//     the go_sched_pauses_total_gc_seconds histogram when it is exported.
//  5. Stop after the duration, on cancellation (interrupted), or when the
//     target goes away (lost, with a note saying when and how), capture the
//     end profiles when the target is still there, and write the end event.
//
// Every fetch is bounded in time (Options.Timeout) and in size, and every
// fault is reported as one line naming the URL or PID.
package attach
