// Command promfleet writes a synthetic fleet's client_golang metrics in the
// OpenMetrics text format, for promtool tsdb create-blocks-from openmetrics:
// the data scripts/bench-promimport.sh backfills into a local Prometheus to
// time gcprobe import prometheus. Every instance exports what client_golang's
// default Go and process collectors do, with the target labels Prometheus
// would attach (job, instance, version) and go_info's own version renamed
// exported_version, as Prometheus renames a scraped label that clashes.
//
//	promfleet [-instances 100] [-hours 6] [-step 15s] [-end UNIX] > fleet.om
//
// Instance api-7 runs with GOMEMLIMIT=64MiB below its live heap (a GC death
// spiral: hundreds of cycles a second, 75% of the CPU in the GC); api-3
// restarts half way. Every instance also exports the opt-in runtime metrics
// for the live heap and the GC's CPU.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"time"
)

func main() {
	instances := flag.Int("instances", 100, "number of instances")
	hours := flag.Float64("hours", 6, "length of the range")
	step := flag.Duration("step", 15*time.Second, "scrape interval")
	end := flag.Int64("end", time.Now().Add(-time.Minute).Unix(), "last sample, Unix seconds")
	flag.Parse()
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	n := int(time.Duration(*hours*float64(time.Hour)) / *step)
	start := *end - int64(n)*int64(*step/time.Second)
	writeFleet(w, *instances, n, start, int64(*step/time.Second))
}

// instance is one simulated program.
type instance struct {
	name, version string
	gcPerSec      float64
	memLimit      float64 // bytes; 0 is no limit
	live          float64
	restartAt     int // step of a restart, -1 for none
}

func fleet(count int) []instance {
	var out []instance
	for i := range count {
		in := instance{name: fmt.Sprintf("api-%d", i), version: []string{"v1", "v2"}[i%2],
			gcPerSec: 2 + float64(i%5)*0.3, live: float64(40+i%7) * (1 << 20), restartAt: -1}
		switch i {
		case 7:
			in.gcPerSec, in.memLimit, in.live = 374, 64<<20, 80<<20
		case 3:
			in.restartAt = -2 // half way, set by writeFleet
		}
		out = append(out, in)
	}
	return out
}

// families are written one after the other, as OpenMetrics wants.
var families = []struct {
	name, typ string
}{
	{"up", "gauge"}, {"go_info", "gauge"}, {"go_gc_gogc_percent", "gauge"}, {"go_gc_gomemlimit_bytes", "gauge"},
	{"go_sched_gomaxprocs_threads", "gauge"}, {"go_gc_duration_seconds", "summary"},
	{"go_memstats_heap_alloc_bytes", "gauge"}, {"go_memstats_next_gc_bytes", "gauge"}, {"go_memstats_sys_bytes", "gauge"},
	{"go_memstats_alloc_bytes", "counter"}, {"go_goroutines", "gauge"}, {"process_resident_memory_bytes", "gauge"},
	{"process_cpu_seconds", "counter"}, {"process_start_time_seconds", "gauge"},
	// The opt-in runtime metrics (collectors.WithGoCollectorRuntimeMetrics).
	{"go_gc_heap_live_bytes", "gauge"}, {"go_cpu_classes_gc_total_cpu_seconds", "counter"}, {"go_cpu_classes_total_cpu_seconds", "counter"},
}

func writeFleet(w *bufio.Writer, count, n int, start, step int64) {
	insts := fleet(count)
	for i := range insts {
		if insts[i].restartAt == -2 {
			insts[i].restartAt = n / 2
		}
	}
	for _, f := range families {
		fmt.Fprintf(w, "# TYPE %s %s\n", f.name, f.typ)
		for _, in := range insts {
			labels := fmt.Sprintf(`job="api",instance="%s",version="%s"`, in.name, in.version)
			for k := 0; k <= n; k++ {
				ts := start + int64(k)*step
				writeSamples(w, f.name, labels, in, k, ts, float64(int64(k)*step), float64(step))
			}
		}
	}
	fmt.Fprintln(w, "# EOF")
}

// writeSamples writes one family's samples of one instance at step k.
func writeSamples(w *bufio.Writer, family, labels string, in instance, k int, ts int64, t, step float64) {
	up := t // seconds since the process started
	startTime := float64(ts) - t - 60
	if in.restartAt >= 0 && k >= in.restartAt {
		up = t - float64(in.restartAt)*step
		startTime = float64(ts) - up
	}
	cycles := math.Floor(in.gcPerSec * up)
	live := in.live * (1 + 0.05*math.Sin(t/600))
	line := func(name, extra string, v float64) {
		l := labels
		if extra != "" {
			l += "," + extra
		}
		fmt.Fprintf(w, "%s{%s} %s %d\n", name, l, format(v), ts)
	}
	switch family {
	case "up":
		line("up", "", 1)
	case "go_info":
		// Prometheus renames the scraped version label, which clashes with
		// the target's.
		line("go_info", `exported_version="go1.26.8"`, 1)
	case "go_gc_gogc_percent":
		line(family, "", 100)
	case "go_gc_gomemlimit_bytes":
		limit := float64(math.MaxInt64)
		if in.memLimit > 0 {
			limit = in.memLimit
		}
		line(family, "", limit)
	case "go_sched_gomaxprocs_threads":
		line(family, "", 4)
	case "go_gc_duration_seconds":
		line(family, `quantile="1"`, 0.0008+0.0002*math.Sin(t/300))
		line(family+"_sum", "", cycles*0.0003)
		line(family+"_count", "", cycles)
	case "go_memstats_heap_alloc_bytes":
		line(family, "", live*1.5)
	case "go_memstats_next_gc_bytes":
		line(family, "", live*2)
	case "go_memstats_sys_bytes":
		line(family, "", live*2.5)
	case "go_memstats_alloc_bytes":
		line(family+"_total", "", cycles*live)
	case "go_goroutines":
		line(family, "", 50)
	case "process_resident_memory_bytes":
		line(family, "", live*2.2)
	case "process_cpu_seconds":
		line(family+"_total", "", up*(0.5+4*gcShare(in)))
	case "process_start_time_seconds":
		line(family, "", math.Floor(startTime))
	case "go_gc_heap_live_bytes":
		line(family, "", live)
	case "go_cpu_classes_gc_total_cpu_seconds":
		line(family+"_total", "", up*4*gcShare(in))
	case "go_cpu_classes_total_cpu_seconds":
		line(family+"_total", "", up*4) // GOMAXPROCS x wall
	}
}

// gcShare is the GC's share of the available CPU.
func gcShare(in instance) float64 {
	if in.memLimit > 0 {
		return 0.75
	}
	return 0.02
}

func format(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}
