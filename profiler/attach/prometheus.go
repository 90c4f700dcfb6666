package attach

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"time"

	"github.com/gcprobe/gcprobe/record"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Metric names read from a client_golang /metrics. The go_gc_cycles_* and
// go_sched_* ones are exported only when the service enables runtime/metrics
// collection (collectors.WithGoCollectorRuntimeMetrics).
const (
	promPauses       = "go_gc_duration_seconds" // summary: count = NumGC, sum = PauseTotal
	promCycles       = "go_gc_cycles_total_gc_cycles_total"
	promForced       = "go_gc_cycles_forced_gc_cycles_total"
	promPauseHist    = "go_sched_pauses_total_gc_seconds"
	promLastGC       = "go_memstats_last_gc_time_seconds"
	promHeapAlloc    = "go_memstats_heap_alloc_bytes"
	promNextGC       = "go_memstats_next_gc_bytes"
	promSys          = "go_memstats_sys_bytes"
	promAllocTotal   = "go_memstats_alloc_bytes_total"
	promGoroutines   = "go_goroutines"
	promHeapLive     = "go_gc_heap_live_bytes"
	promHeapGoal     = "go_gc_heap_goal_bytes"
	promGCCPU        = "go_cpu_classes_gc_total_cpu_seconds_total"
	promGCIdleCPU    = "go_cpu_classes_gc_mark_idle_cpu_seconds_total"
	promTotalCPU     = "go_cpu_classes_total_cpu_seconds_total"
	promRSS          = "process_resident_memory_bytes"
	promCPU          = "process_cpu_seconds_total"
	promStart        = "process_start_time_seconds"
	promAcceptHeader = "text/plain;version=0.0.4;q=1"
)

// maxCyclesPerPoll bounds the cycles one poll may report: 65536 cycles in
// one interval is far beyond any real program.
const maxCyclesPerPoll = 1 << 16

// promSource polls a client_golang /metrics in the text exposition format,
// parsed with the Prometheus project's own parser.
type promSource struct {
	f     *fetcher
	url   string
	start time.Time

	started    bool
	prevN      uint64
	prevSum    float64
	prevT      float64
	prevHist   []*dto.Bucket
	prevForced float64
}

func newPrometheus(f *fetcher, url string, start time.Time) *promSource {
	return &promSource{f: f, url: url, start: start}
}

func (*promSource) name() string { return SourcePrometheus }

func (p *promSource) poll(ctx context.Context, now float64) (reading, error) {
	body, err := p.f.get(ctx, p.url, promAcceptHeader, maxMetricsBody, 0)
	if err != nil {
		return reading{}, err
	}
	return p.read(body, now)
}

// read parses one /metrics body.
func (p *promSource) read(body []byte, now float64) (reading, error) {
	fams, err := parseProm(p.url, body)
	if err != nil {
		return reading{}, err
	}
	n, sum, ok := gcCount(fams)
	if !ok {
		return reading{}, fmt.Errorf("GET %s: Prometheus metrics without %s: not a Go program's client_golang /metrics", p.url, promPauses)
	}
	r := reading{sampleOK: true, sample: promSample(fams)}
	if v, ok := value(fams, promStart); ok && v > 0 && !p.started {
		r.identity = &identity{start: v}
	}
	r.sample.GCCyclesTotal = n
	hist := histBuckets(fams[promPauseHist])
	if p.started {
		r.events = p.cycles(fams, n, sum, hist, now)
	}
	p.prevForced, _ = value(fams, promForced)
	p.started, p.prevN, p.prevSum, p.prevT, p.prevHist = true, n, sum, now, hist
	return r, nil
}

// parseProm parses a text exposition body.
func parseProm(url string, body []byte) (map[string]*dto.MetricFamily, error) {
	if looksLikeHTML(body) {
		return nil, fmt.Errorf("GET %s: answered an HTML page, not Prometheus metrics (wrong URL, or a login page?)", url)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("GET %s: not Prometheus text exposition: %v", url, err)
	}
	return fams, nil
}

// gcCount reads the cycle count and pause total: go_gc_duration_seconds'
// count and sum (runtime/debug.GCStats NumGC and PauseTotal), or the
// runtime/metrics cycle counter when the summary is absent.
func gcCount(fams map[string]*dto.MetricFamily) (n uint64, sum float64, ok bool) {
	if f := fams[promPauses]; f != nil && len(f.Metric) > 0 && f.Metric[0].Summary != nil {
		s := f.Metric[0].Summary
		return s.GetSampleCount(), s.GetSampleSum(), true
	}
	if v, ok := value(fams, promCycles); ok {
		return uint64(v), math.NaN(), true
	}
	return 0, 0, false
}

// value reads the first sample of a counter, gauge or untyped family.
func value(fams map[string]*dto.MetricFamily, name string) (float64, bool) {
	f := fams[name]
	if f == nil || len(f.Metric) == 0 {
		return 0, false
	}
	m := f.Metric[0]
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue(), true
	case m.Gauge != nil:
		return m.Gauge.GetValue(), true
	case m.Untyped != nil:
		return m.Untyped.GetValue(), true
	}
	return 0, false
}

func promSample(fams map[string]*dto.MetricFamily) record.Sample {
	u := func(name string) uint64 {
		v, _ := value(fams, name)
		if v < 0 || math.IsNaN(v) {
			return 0
		}
		return uint64(v)
	}
	f := func(name string) float64 { v, _ := value(fams, name); return v }
	return record.Sample{
		GoMemory:              promMemory(fams),
		RSSBytes:              u(promRSS),
		HeapLiveBytes:         u(promHeapLive),
		HeapGoalBytes:         max(u(promHeapGoal), u(promNextGC)),
		HeapObjectsBytes:      u(promHeapAlloc),
		GoTotalBytes:          u(promSys),
		AllocBytesTotal:       u(promAllocTotal),
		Goroutines:            u(promGoroutines),
		CPUSecondsTotal:       f(promCPU),
		GCCPUSecondsTotal:     f(promGCCPU),
		GCIdleCPUSecondsTotal: f(promGCIdleCPU),
		TotalCPUSecondsTotal:  f(promTotalCPU),
	}
}

// promMemory reads the memory classes: client_golang's go_memory_classes_*
// (exported with collectors.WithGoCollectorRuntimeMetrics) when all 13 are
// there, else its go_memstats_* gauges, which every Go collector exports;
// nil when neither set is complete.
func promMemory(fams map[string]*dto.MetricFamily) *record.GoMemory {
	m := record.GoMemory{From: record.FromPrometheus}
	complete := true
	fields := m.Fields()
	for i, name := range record.GoMemoryClasses() {
		v, ok := value(fams, record.PrometheusName(name))
		if !ok || v < 0 || math.IsNaN(v) {
			complete = false
			break
		}
		*fields[i] = uint64(v)
	}
	if complete {
		return &m
	}
	var ms record.MemStats
	for _, f := range []struct {
		name string
		dst  *uint64
	}{
		{"go_memstats_heap_alloc_bytes", &ms.HeapAlloc}, {"go_memstats_heap_inuse_bytes", &ms.HeapInuse},
		{"go_memstats_heap_idle_bytes", &ms.HeapIdle}, {"go_memstats_heap_released_bytes", &ms.HeapReleased},
		{"go_memstats_stack_inuse_bytes", &ms.StackInuse}, {"go_memstats_stack_sys_bytes", &ms.StackSys},
		{"go_memstats_mspan_inuse_bytes", &ms.MSpanInuse}, {"go_memstats_mspan_sys_bytes", &ms.MSpanSys},
		{"go_memstats_mcache_inuse_bytes", &ms.MCacheInuse}, {"go_memstats_mcache_sys_bytes", &ms.MCacheSys},
		{"go_memstats_buck_hash_sys_bytes", &ms.BuckHashSys}, {"go_memstats_gc_sys_bytes", &ms.GCSys},
		{"go_memstats_other_sys_bytes", &ms.OtherSys},
	} {
		v, ok := value(fams, f.name)
		if !ok || v < 0 || math.IsNaN(v) {
			return nil
		}
		*f.dst = uint64(v)
	}
	m = record.GoMemoryFromMemStats(ms, record.FromPrometheus)
	return &m
}

func histBuckets(f *dto.MetricFamily) []*dto.Bucket {
	if f == nil || len(f.Metric) == 0 || f.Metric[0].Histogram == nil {
		return nil
	}
	return f.Metric[0].Histogram.Bucket
}

// cycles returns one GC event per cycle since the previous poll, and a
// Pauses event with what the poll says exactly about their pauses.
//
// go_gc_duration_seconds (runtime/debug.GCStats) gives the count and total
// of the cycles' stop-the-world times exactly, and its quantile="1" is the
// longest of the last 256 cycles' pauses. With one cycle in the poll its
// pause is the sum's change; with several, no cycle's own pause is known, and
// none is invented: the Pauses event carries the count, the sum and that
// maximum. The last cycle ended at go_memstats_last_gc_time_seconds. A pause
// histogram, when exported, gives the Pauses event its bucket deltas.
func (p *promSource) cycles(fams map[string]*dto.MetricFamily, n uint64, sum float64, hist []*dto.Bucket, now float64) []record.Event {
	var evs []record.Event
	if n < p.prevN {
		return []record.Event{{T: now, Note: &record.Note{Level: record.NoteWarning, Message: fmt.Sprintf(
			"prometheus: the GC count went back from %d to %d at %.3fs: a different process answers at the URL now (restarted?)", p.prevN, n, now)}}}
	}
	d := n - p.prevN
	if d > maxCyclesPerPoll {
		// No Go program completes that many cycles in one poll interval;
		// a counter this far off is not one to trust cycle by cycle.
		return []record.Event{{T: now, Note: &record.Note{Level: record.NoteWarning, Message: fmt.Sprintf(
			"prometheus: the GC count jumped from %d to %d between %.3fs and %.3fs; no cycle events for that interval", p.prevN, n, p.prevT, now)}}}
	}
	lastEnd := math.NaN()
	if v, ok := value(fams, promLastGC); ok && v > 0 {
		lastEnd = time.Unix(0, int64(v*1e9)).Sub(p.start).Seconds()
	}
	// Forced cycles are told apart only when all of the poll's are.
	forced, hasForced := value(fams, promForced)
	allForced := hasForced && d > 0 && forced-p.prevForced == float64(d)
	exactSum := !math.IsNaN(sum) && sum >= p.prevSum
	for k := uint64(1); k <= d; k++ {
		g := &record.GC{N: p.prevN + k, Forced: allForced}
		if d == 1 && exactSum {
			g.PauseSeconds = sum - p.prevSum
		}
		t := now
		if k == d && !math.IsNaN(lastEnd) {
			g.EndSeconds = lastEnd
			t = min(max(lastEnd, p.prevT), now)
		}
		evs = append(evs, record.Event{T: t, GC: g})
	}
	var pz record.Pauses
	if d > 0 && exactSum {
		pz.Count, pz.SumSeconds = d, sum-p.prevSum
		if q, ok := quantile(fams[promPauses], 1); ok && q > 0 {
			pz.MaxSeconds, pz.MaxNote = q, promMaxNote
		}
	}
	pz.Buckets = bucketDeltas(p.prevHist, hist)
	if pz.Count > 0 || len(pz.Buckets) > 0 {
		evs = append(evs, record.Event{T: now, Pauses: &pz})
	}
	return evs
}

// promMaxNote says what a Prometheus pause maximum is over.
const promMaxNote = `go_gc_duration_seconds{quantile="1"}: the longest stop-the-world time of the last 256 cycles, which may reach back before the window`

// quantile reads one quantile of a summary family.
func quantile(f *dto.MetricFamily, q float64) (float64, bool) {
	if f == nil || len(f.Metric) == 0 || f.Metric[0].Summary == nil {
		return 0, false
	}
	for _, x := range f.Metric[0].Summary.Quantile {
		if x.GetQuantile() == q && !math.IsNaN(x.GetValue()) {
			return x.GetValue(), true
		}
	}
	return 0, false
}

// bucketDeltas turns two readings of a cumulative Prometheus histogram into
// the non-empty per-bucket counts between them.
func bucketDeltas(prev, cur []*dto.Bucket) []record.Bucket {
	if len(cur) == 0 || len(prev) != len(cur) {
		return nil
	}
	var out []record.Bucket
	lo, prevCum, curCum := 0.0, uint64(0), uint64(0)
	for i, b := range cur {
		c := b.GetCumulativeCount() - curCum
		pc := prev[i].GetCumulativeCount() - prevCum
		curCum, prevCum = b.GetCumulativeCount(), prev[i].GetCumulativeCount()
		if c > pc {
			out = append(out, record.Bucket{Lo: lo, Hi: b.GetUpperBound(), Count: c - pc})
		}
		lo = b.GetUpperBound()
	}
	return out
}
