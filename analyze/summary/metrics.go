package summary

import (
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// Units of a Metric.
const (
	UnitSeconds     = "s"
	UnitBytes       = "bytes"
	UnitRatio       = "ratio" // a fraction: 0.23 is 23%
	UnitPerMinute   = "1/min"
	UnitPerSecond   = "1/s"
	UnitBytesPerSec = "bytes/s"
	UnitCount       = "count"
)

// Metric is one named figure of a summary.
type Metric struct {
	// Name is stable across versions (gc.cpu, pause.p99, ...).
	Name  string  `json:"name"`
	Unit  string  `json:"unit"`
	Value float64 `json:"value"`
	// LowerIsBetter is false for figures where more is better
	// (throughput).
	LowerIsBetter bool `json:"lower_is_better"`
}

// Format renders the value with its unit, as every gcprobe output does.
func (m Metric) Format() string {
	switch m.Unit {
	case UnitSeconds:
		return units.Seconds(m.Value)
	case UnitBytes:
		return units.Bytes(m.Value)
	case UnitRatio:
		return units.Percent(m.Value)
	case UnitBytesPerSec:
		return units.Bytes(m.Value) + "/s"
	case UnitPerMinute:
		return units.Number(m.Value) + "/min"
	case UnitPerSecond:
		return units.Number(m.Value) + "/s"
	}
	return units.Number(m.Value)
}

// MetricNames lists every metric name Metrics can return, in order.
var MetricNames = []string{
	"duration", "gc.cycles", "gc.cycles_per_min", "gc.cpu",
	"pause.p50", "pause.p99", "pause.max", "pause.longest", "pause.total",
	"heap.live", "heap.live_max", "heap.goal", "heap.goal_max", "alloc.rate",
	"rss.median", "rss.peak", "rss.over_live", "heap.live_slope", "rss.outside_go",
	"throughput", "errors.rate", "latency.p50", "latency.p99", "latency.p999", "latency.max",
	"latency.p99_in_gc", "latency.p99_out_gc", "latency.max_in_gc", "latency.slow_in_gc",
}

// Metrics returns the summary's figures under stable names, in the order of
// MetricNames, leaving out those the record could not give. Heap and RSS
// metrics without a suffix are medians over the run. pause.p50/p99/max are
// over single pauses or over cycles (see Pauses.Method); pause.longest is
// always the longest single pause.
func (s Summary) Metrics() []Metric {
	var ms []Metric
	add := func(ok bool, name, unit string, v float64, lower bool) {
		if ok {
			ms = append(ms, Metric{name, unit, record.Finite(v), lower})
		}
	}
	add(s.DurationSeconds > 0, "duration", UnitSeconds, s.DurationSeconds, true)
	c := s.Cycles
	add(c.From != "", "gc.cycles", UnitCount, float64(c.Total), true)
	add(c.From != "" && s.DurationSeconds > 0, "gc.cycles_per_min", UnitPerMinute, c.PerMinute, true)
	add(s.GCCPU.Method != "", "gc.cpu", UnitRatio, s.GCCPU.Share, true)
	p := s.Pauses
	add(p.HasQuantiles(), "pause.p50", UnitSeconds, p.P50, true)
	add(p.HasQuantiles(), "pause.p99", UnitSeconds, p.P99, true)
	add(p.Method != "" && p.Max > 0, "pause.max", UnitSeconds, p.Max, true)
	add(p.Method != "" && p.Longest > 0, "pause.longest", UnitSeconds, p.Longest, true)
	add(p.Method != "", "pause.total", UnitSeconds, p.Total, true)
	add(s.HeapLive.N > 0, "heap.live", UnitBytes, s.HeapLive.Median, true)
	add(s.HeapLive.N > 0, "heap.live_max", UnitBytes, s.HeapLive.Max, true)
	add(s.HeapGoal.N > 0, "heap.goal", UnitBytes, s.HeapGoal.Median, true)
	add(s.HeapGoal.N > 0, "heap.goal_max", UnitBytes, s.HeapGoal.Max, true)
	add(s.Alloc.Method != "", "alloc.rate", UnitBytesPerSec, s.Alloc.BytesPerSecond, true)
	add(s.RSS.N > 0, "rss.median", UnitBytes, s.RSS.Median, true)
	add(s.RSSPeak > 0, "rss.peak", UnitBytes, s.RSSPeak, true)
	add(s.RSSOverLive > 0, "rss.over_live", UnitRatio, s.RSSOverLive, true)
	// The live heap's Theil–Sen slope (a leak gate for gcprobe check), and
	// what the RSS holds outside the Go runtime at its peak.
	add(s.LiveTrend != nil, "heap.live_slope", UnitBytesPerSec, func() float64 {
		if s.LiveTrend == nil {
			return 0
		}
		return s.LiveTrend.BytesPerSecond
	}(), true)
	if m := s.Memory; m != nil {
		out := m.AtPeak.Part(PartOutsideGo)
		add(out.Exposed, "rss.outside_go", UnitBytes, out.Bytes, true)
	}
	if l := s.Latency; l != nil && l.Requests > 0 {
		add(true, "throughput", UnitPerSecond, l.Throughput, false)
		if l.ErrorRate != nil {
			add(true, "errors.rate", UnitRatio, *l.ErrorRate, true)
		}
		add(true, "latency.p50", UnitSeconds, l.P50, true)
		add(true, "latency.p99", UnitSeconds, l.P99, true)
		add(true, "latency.p999", UnitSeconds, l.P999, true)
		add(true, "latency.max", UnitSeconds, l.Max, true)
		add(l.Split && l.InGC.Requests > 0, "latency.p99_in_gc", UnitSeconds, l.InGC.P99, true)
		add(l.Split && l.OutGC.Requests > 0, "latency.p99_out_gc", UnitSeconds, l.OutGC.P99, true)
		add(l.Split && l.InGC.Requests > 0, "latency.max_in_gc", UnitSeconds, l.InGC.Max, true)
		add(l.Split && l.Slow.Listed > 0, "latency.slow_in_gc", UnitRatio, l.Slow.Share, true)
	}
	return ms
}

// Metric returns the named metric and whether the summary has it.
func (s Summary) Metric(name string) (Metric, bool) {
	for _, m := range s.Metrics() {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}
