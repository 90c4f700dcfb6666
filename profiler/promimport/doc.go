// Package promimport reads the GC and memory of a fleet of Go programs back
// from a Prometheus server's query API (or any server that speaks it:
// Thanos, Mimir, VictoriaMetrics) and makes one run record per instance.
//
// The programs are the ones Prometheus already scrapes: client_golang's
// default Go and process collectors are enough for cycles, pauses, heap, RSS
// and CPU; the opt-in runtime/metrics collection
// (collectors.WithGoCollectorRuntimeMetrics) adds the live heap, the GC's
// CPU share and single-pause percentiles. An import goes through these steps:
//
//  1. Find the targets: last_over_time(up{SELECTOR}[RANGE]) at the end of the
//     range lists every target that was scraped in it. None means a selector
//     that matches nothing, or a range beyond the server's retention (told
//     apart by asking for up{SELECTOR} now).
//  2. Read each target's settings at the end of the range: go_info (Go
//     version), go_gc_gogc_percent, go_gc_gomemlimit_bytes,
//     go_sched_gomaxprocs_threads. A target without go_gc_duration_seconds
//     is not a Go program instrumented with client_golang and is skipped.
//  3. Range-query every metric at --step, all on one grid of times, so that
//     step k of every series is the same instant: Prometheus answers each
//     step with the last scrape within its lookback.
//  4. Per instance, turn each step into one record.Sample. Counters are
//     made continuous across restarts: when one goes back (the process
//     restarted and its counters began again from zero) the value before the
//     reset is added to every later one, so that last minus first is still
//     everything counted in the range, and the restart becomes a note.
//
// Pauses: go_gc_duration_seconds_count and _sum are runtime/debug's NumGC
// and PauseTotal, exact; quantile="1" is the longest per-cycle pause among
// the last 256 cycles at each scrape, kept as Sample.PauseMaxRecentSeconds
// and never averaged. The opt-in histogram go_sched_pauses_total_gc_seconds
// gives single pauses, written as record.Pauses deltas between steps.
package promimport
