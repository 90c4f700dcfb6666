package profiler

import (
	"math"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// Bounds of the Prometheus pause histogram: powers of two nanoseconds from
// 2^13ns (8.192µs) to 2^32ns (4.29s), written in seconds. Every power of two
// of nanoseconds is an edge of the runtime's time histograms, so coarsening
// the runtime's buckets to these bounds is exact: no bucket straddles one.
const (
	pauseLeMinExp = 13
	pauseLeMaxExp = 32
	numPauseLe    = pauseLeMaxExp - pauseLeMinExp + 1
)

// pauseLe returns the bounds, computed as the runtime computes its edges so
// that equal edges compare equal.
func pauseLe() [numPauseLe]float64 {
	var le [numPauseLe]float64
	for i := range le {
		le[i] = float64(uint64(1)<<(pauseLeMinExp+i)) / 1e9
	}
	return le
}

// serveMetrics writes the probe's latest reading in the Prometheus text
// exposition format 0.0.4.
func (p *Probe) serveMetrics(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(p.appendMetrics(make([]byte, 0, 4096)))
}

// appendMetrics appends the exposition of the latest reading to b.
func (p *Probe) appendMetrics(b []byte) []byte {
	bounds := pauseLe()
	p.mu.Lock()
	s, r, mem := p.latest, p.prev, p.latestMem
	var le [numPauseLe + 1]uint64 // cumulative; the last is +Inf
	var sum float64
	for i, c := range p.pauseCounts {
		if c == 0 {
			continue
		}
		lo, hi := p.pauseBounds[i], p.pauseBounds[i+1]
		sum += float64(c) * midpoint(lo, hi)
		// Count the bucket under the first bound at or above its upper
		// edge (were a bucket to straddle a bound, it would be counted
		// above it).
		j := 0
		for j < numPauseLe && bounds[j] < hi {
			j++
		}
		le[j] += c
	}
	p.mu.Unlock()
	for j := 1; j < len(le); j++ {
		le[j] += le[j-1]
	}

	// Names are client_golang's where the figure is the same (its default
	// Go and process collectors, and the runtime/metrics names of
	// collectors.WithGoCollectorRuntimeMetrics), so that dashboards, alerts
	// and gcprobe import prometheus read the agent as any Go service.
	if s.RSSBytes > 0 {
		b = gauge(b, "process_resident_memory_bytes", "Resident memory size in bytes.", float64(s.RSSBytes))
		b = gauge(b, "gcprobe_rss_peak_bytes", "Peak resident set size of the process (VmHWM).", float64(s.RSSPeakBytes))
	}
	b = gauge(b, "go_gc_heap_live_bytes", "Heap marked live by the last GC cycle (/gc/heap/live:bytes).", float64(s.HeapLiveBytes))
	b = gauge(b, "go_gc_heap_goal_bytes", "Heap size the current GC cycle aims to finish under (/gc/heap/goal:bytes).", float64(s.HeapGoalBytes))
	b = gauge(b, "go_memstats_next_gc_bytes", "Heap size the current GC cycle aims to finish under (/gc/heap/goal:bytes, MemStats NextGC).", float64(s.HeapGoalBytes))
	b = gauge(b, "go_memstats_heap_alloc_bytes", "Memory in live and not yet swept heap objects (/memory/classes/heap/objects:bytes, MemStats HeapAlloc).", float64(s.HeapObjectsBytes))
	b = gauge(b, "go_memstats_sys_bytes", "All memory mapped by the Go runtime (/memory/classes/total:bytes, MemStats Sys).", float64(s.GoTotalBytes))
	b = gauge(b, "go_goroutines", "Live goroutines.", float64(s.Goroutines))
	b = counter(b, "go_memstats_alloc_bytes_total", "Bytes allocated on the heap (/gc/heap/allocs:bytes, MemStats TotalAlloc).", float64(s.AllocBytesTotal))
	b = counter(b, "go_gc_cycles_total_gc_cycles_total", "Completed GC cycles (/gc/cycles/total:gc-cycles).", float64(r.cycles))
	b = counter(b, "go_gc_cycles_forced_gc_cycles_total", "Completed GC cycles forced by runtime.GC or debug.FreeOSMemory (/gc/cycles/forced:gc-cycles).", float64(r.forced))
	b = counter(b, "go_cpu_classes_gc_total_cpu_seconds_total", "CPU time spent by the GC, updated at the end of each cycle (/cpu/classes/gc/total:cpu-seconds).", r.gcCPU)
	b = counter(b, "go_cpu_classes_total_cpu_seconds_total", "CPU time available to Go (GOMAXPROCS x wall time), updated at the end of each GC cycle (/cpu/classes/total:cpu-seconds); the GC's CPU share is the ratio of go_cpu_classes_gc_total_cpu_seconds_total to it.", r.totalCPU)
	// The memory classes, under client_golang's runtime/metrics names
	// (collectors.WithGoCollectorRuntimeMetrics), with their total.
	fields := mem.goMem.Fields()
	for i, name := range record.GoMemoryClasses() {
		b = gauge(b, record.PrometheusName(name), "Memory class "+name+" of runtime/metrics.", float64(*fields[i]))
	}
	b = gauge(b, "go_memory_classes_total_bytes", "All memory mapped by the Go runtime (/memory/classes/total:bytes).", float64(mem.goMem.TotalBytes()))
	if s.CPUSecondsTotal > 0 {
		b = counter(b, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", s.CPUSecondsTotal)
	}
	b = appendSettings(b)
	b = appendGCDuration(b)

	const pause = "go_sched_pauses_total_gc_seconds"
	b = header(b, pause, "histogram", "Stop-the-world GC pauses since the process started (/sched/pauses/total/gc:seconds), coarsened exactly from the runtime's buckets to powers of two nanoseconds; the sum is a bucket-midpoint estimate.")
	for j, c := range le {
		b = append(b, pause+`_bucket{le="`...)
		if j < numPauseLe {
			b = strconv.AppendFloat(b, bounds[j], 'g', -1, 64)
		} else {
			b = append(b, "+Inf"...)
		}
		b = append(b, `"} `...)
		b = strconv.AppendUint(b, c, 10)
		b = append(b, '\n')
	}
	b = sample(b, pause+"_sum", sum)
	b = sample(b, pause+"_count", float64(le[len(le)-1]))
	return b
}

// appendSettings writes go_info and the GC settings as client_golang's
// default Go collector does, read from runtime/metrics at the scrape.
func appendSettings(b []byte) []byte {
	ms := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}, {Name: "/sched/gomaxprocs:threads"}}
	metrics.Read(ms)
	b = header(b, "go_info", "gauge", "Information about the Go environment.")
	b = append(b, `go_info{version="`...)
	b = append(b, runtime.Version()...)
	b = append(b, "\"} 1\n"...)
	for i, m := range []struct{ name, help string }{
		{"go_gc_gogc_percent", "Heap size target percentage configured by GOGC or debug.SetGCPercent; -1 is off (/gc/gogc:percent)."},
		{"go_gc_gomemlimit_bytes", "Go runtime memory limit configured by GOMEMLIMIT or debug.SetMemoryLimit (/gc/gomemlimit:bytes)."},
		{"go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting (/sched/gomaxprocs:threads)."},
	} {
		if ms[i].Value.Kind() == metrics.KindUint64 {
			b = gauge(b, m.name, m.help, float64(ms[i].Value.Uint64()))
		}
	}
	return b
}

// appendGCDuration writes go_gc_duration_seconds as client_golang does:
// runtime/debug.ReadGCStats, whose count is every GC cycle, whose sum is
// the exact total stop-the-world time, and whose quantiles are over the
// per-cycle pauses of the last 256 cycles (quantile 1 is their maximum).
// ReadGCStats does not stop the world; it is read at the scrape only.
func appendGCDuration(b []byte) []byte {
	st := debug.GCStats{PauseQuantiles: make([]time.Duration, 5)}
	debug.ReadGCStats(&st)
	const name = "go_gc_duration_seconds"
	b = header(b, name, "summary", "Stop-the-world GC pause per cycle: count is every cycle, sum all pause time (runtime/debug GCStats NumGC and PauseTotal), quantiles over the last 256 cycles.")
	for i, q := range []string{"0", "0.25", "0.5", "0.75", "1"} {
		b = append(b, name+`{quantile="`...)
		b = append(b, q...)
		b = append(b, `"} `...)
		b = strconv.AppendFloat(b, st.PauseQuantiles[i].Seconds(), 'g', -1, 64)
		b = append(b, '\n')
	}
	b = sample(b, name+"_sum", st.PauseTotal.Seconds())
	return sample(b, name+"_count", float64(st.NumGC))
}

func header(b []byte, name, typ, help string) []byte {
	b = append(b, "# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, help...) // help texts contain no backslash or newline
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, typ...)
	return append(b, '\n')
}

func sample(b []byte, name string, v float64) []byte {
	b = append(b, name...)
	b = append(b, ' ')
	switch {
	case math.IsInf(v, 1):
		b = append(b, "+Inf"...)
	case math.IsInf(v, -1):
		b = append(b, "-Inf"...)
	case math.IsNaN(v):
		b = append(b, "NaN"...)
	case v == math.Trunc(v) && math.Abs(v) < 1<<53:
		b = strconv.AppendInt(b, int64(v), 10) // byte counts read better whole
	default:
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	return append(b, '\n')
}

func gauge(b []byte, name, help string, v float64) []byte {
	return sample(header(b, name, "gauge", help), name, v)
}

func counter(b []byte, name, help string, v float64) []byte {
	return sample(header(b, name, "counter", help), name, v)
}
