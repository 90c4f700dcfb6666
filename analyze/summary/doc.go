// Package summary reduces a run record to the numbers a person asks for
// first: GC cycles and their kinds, GC CPU share, stop-the-world pauses, live
// heap and heap goal, allocation rate, RSS and, for scenario runs, request
// latency inside and outside GC cycles.
//
// Processing goes in two steps, as everywhere in gcprobe: [Compute] builds a
// [Summary] from a record.Run, or [ReadRunFile] from a record file read as a
// stream in the same memory whatever its length, then [WriteText] or
// [WriteJSON] render one or more summaries; [Summary.Charts] gives what a
// report draws over time, aggregated into a chart's columns. [Summary.Metrics] exposes the figures under stable names
// (gc.cpu, pause.p99, latency.p99_in_gc, ...) for comparisons and checks, and
// [Summary.Verdict] says in plain words what the figures mean.
//
// Where a figure can be measured in more than one way, the summary says which
// way it took, because sources differ in what they know:
//
//   - GC CPU share, as the runtime defines it (see [GCCPU] and
//     docs/figures.md): GC CPU time without idle-priority marking over
//     GOMAXPROCS × wall time, between two GC cycle ends, with idle marking
//     apart. In order of preference: the runtime's own /cpu/classes per
//     cycle (probe, agent), or between the first and last sample (also
//     expvar's GCCPUFraction turned into that account at two cycle ends);
//     else gctrace, whose pause CPU is bounded and narrowed by its
//     cumulative share; else gctrace's cumulative share alone. A window in
//     which no cycle ended has no GC CPU figure.
//   - Pauses: percentiles of single stop-the-world pauses from the pause
//     histograms (record.Pauses) when the record has them; else, for a
//     source that only counts and sums pauses (Prometheus), the exact count
//     and total and the source's labelled maximum, with no percentiles
//     (PauseCounts); else percentiles of each cycle's total stop-the-world
//     time from its GC event. A histogram's
//     maximum is its top bucket's upper bound. The longest single pause is
//     the largest PauseMaxSeconds of the GC events when they have one (exact
//     for gctrace), else that maximum. Total stop-the-world time is estimated
//     from histogram bucket midpoints when there are histograms (they hold
//     every pause), else it sums the GC events' PauseSeconds.
//   - Live heap and heap goal: per cycle from GC events, else from samples.
//   - Allocation rate: from AllocBytesTotal between the first and last
//     samples; else estimated from gctrace's heap sizes, cycle by cycle
//     (heap at the end of a cycle minus the live heap of the one before).
//   - RSS over live heap is median RSS over median live heap.
//   - Where the RSS goes ([Memory]): at the sample of highest RSS among those
//     with the most sources, the RSS is split into the live heap
//     (/gc/heap/live, else gctrace's), the GOGC headroom (heap objects minus
//     live), free space in partly used spans (heap/unused), free heap not
//     returned (heap/free), released pages still resident (smaps_rollup's
//     LazyFree, at most heap/released), stacks, metadata, profiling buckets,
//     other runtime memory, file-backed pages (Rss - Anonymous) and what the
//     anonymous memory holds beyond the runtime's resident share (total -
//     released): memory outside the Go runtime. The residual is the RSS
//     minus the parts a source exposed; a part no source exposes says so.
//   - The live heap's trend ([Trend]): the Theil–Sen slope of the live heap
//     at each GC cycle over the measured window, with Sen's 95% interval.
//
// Latency inside and outside GC: a latency interval [T-IntervalSeconds, T]
// counts as inside GC when it overlaps a GC cycle [StartSeconds, EndSeconds];
// cycles whose bounds the source did not record (runtime/metrics only sees
// that a cycle ended) cannot be used, and the summary then says so instead of
// guessing. A slow request is one above the overall p99; it overlaps GC when
// [start, start+latency] overlaps a cycle. Slow requests come from the
// intervals' Slowest lists, which are bounded, so the summary also reports
// how many of the estimated slow requests were listed.
package summary
