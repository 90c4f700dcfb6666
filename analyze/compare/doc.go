// Package compare compares GC settings the way benchstat compares
// benchmarks: it groups runs by configuration, summarizes every metric with
// its median and a confidence interval, and tests each configuration against
// a baseline with the Mann–Whitney U test (golang.org/x/perf/benchmath).
//
// The steps, in order:
//
//  1. Each run is a [Run]: its [Config] (GOGC, GOMEMLIMIT and GOMAXPROCS
//     from the record's environment, absent ones at Go's defaults; the
//     workload; the scenario's parameters; the Go release and GC
//     implementation the recorder read from the binary's build info) and
//     its metrics.
//  2. [Compute] groups runs with equal configurations. Labels name gogc and
//     memlimit, and any other dimension (gomaxprocs, workload, a scenario
//     parameter such as a data layout) whose value differs between runs.
//  3. Each group is compared with its baseline: the configuration that
//     [Options.Baseline] selects (GOGC=100 with no limit by default) and that
//     agrees with it on every dimension the selector leaves free. A change
//     is shown as a percentage with its p-value, or "~" when it is not
//     significant. Statistical doubts are footnotes, not errors.
//     When the runs come from several builds, the default baseline is the
//     oldest release with the classic GC, and each other build gets a
//     [BuildVerdict] against it at the same settings.
//  4. The Pareto frontier over memory, latency and GC CPU, and with budgets,
//     a [Recommendation] in one sentence.
//  5. A renderer writes the [Comparison]: [WriteText], [WriteMarkdown],
//     [WriteJSON], or [WriteBench] (Go benchmark format, for benchstat).
//
// [Check] is the CI gate built on the same statistics.
package compare
