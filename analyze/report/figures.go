package report

import (
	"math"

	"github.com/gcprobe/gcprobe/analyze/chart"
	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/record"
)

// Figure is one chart of a report.
type Figure struct {
	// Name is the chart's file name without extension ("memory",
	// "run2-latency"), unique within a report.
	Name    string
	Title   string
	Caption string
	Chart   chart.Chart
	// Half asks the HTML renderer for half the page's width (charts meant
	// to be read side by side, such as one metric per configuration).
	Half bool
}

// timeline is what the charts of one run need from its record.
type timeline struct {
	cycles []chart.Span // bounded GC cycles
	marks  []float64    // cycles known only by when they were noticed
	end    float64      // the time of the last event
}

func timelineOf(run *record.Run) timeline {
	var tl timeline
	for _, e := range run.Events {
		tl.end = math.Max(tl.end, e.T)
		if g := e.GC; g != nil {
			if g.Bounded() {
				tl.cycles = append(tl.cycles, chart.Span{Lo: g.StartSeconds, Hi: g.EndSeconds})
			} else {
				tl.marks = append(tl.marks, e.T)
			}
		}
	}
	return tl
}

// gcCaption says how GC cycles are drawn in a time chart.
func (tl timeline) caption() string {
	switch {
	case len(tl.cycles) > 0 && len(tl.marks) > 0:
		return "Shaded: GC cycles from start to end; dashed lines: cycles whose bounds the source did not record, where they were noticed."
	case len(tl.cycles) > 0:
		return "Shaded: GC cycles, from start to end."
	case len(tl.marks) > 0:
		return "Dashed lines: GC cycles where they were noticed (the source does not record when a cycle starts and ends)."
	}
	return "No GC cycle was recorded."
}

// runFigures builds the charts of one run; prefix makes names unique.
func runFigures(run *record.Run, prefix string) []Figure {
	tl := timelineOf(run)
	var figs []Figure
	add := func(name, title, caption string, c chart.Chart, ok bool) {
		if ok {
			figs = append(figs, Figure{Name: prefix + name, Title: title, Caption: caption, Chart: c})
		}
	}
	// Latency first: when there is any, it is what the report is about.
	lat, ok := latencyChart(run, tl)
	add("latency", "Request latency per interval", "p99 and maximum latency of each latency interval (log scale). "+tl.caption(), lat, ok)
	mem, ok := memoryChart(run, tl)
	add("memory", "Memory over time", "RSS, live heap and heap goal. "+tl.caption(), mem, ok)
	cpu, ok := cpuChart(run, tl)
	add("gc-cpu", "GC CPU share per cycle", "The GC's share of available CPU over each interval between the ends of two cycles. "+tl.caption(), cpu, ok)
	pt, ph, ok := pauseCharts(run, tl)
	add("pauses", "GC pauses over time", "The longest stop-the-world pause of each GC cycle, and all of its stop-the-world time. "+tl.caption(), pt, ok && pt.Series != nil)
	add("pause-histogram", "GC pause histogram", "Stop-the-world pauses by length, on 1-2-5 steps.", ph, ok)
	return figs
}

func memoryChart(run *record.Run, tl timeline) (chart.Time, bool) {
	var rss, live, goal chart.Series
	rss.Name, live.Name, goal.Name, goal.Dashed = "RSS", "heap live", "heap goal", true
	var gcLive, gcGoal chart.Series
	gcLive.Name, gcGoal.Name, gcGoal.Dashed = "heap live", "heap goal", true
	gcLive.Points = true
	for _, e := range run.Events {
		if s := e.Sample; s != nil {
			addPoint(&rss, e.T, float64(s.RSSBytes))
			addPoint(&live, e.T, float64(s.HeapLiveBytes))
			if s.HeapGoalBytes < gcOffGoal {
				addPoint(&goal, e.T, float64(s.HeapGoalBytes))
			}
		}
		if g := e.GC; g != nil {
			addPoint(&gcLive, e.T, float64(g.HeapLiveBytes))
			addPoint(&gcGoal, e.T, float64(g.HeapGoalBytes))
		}
	}
	// Prefer per-sample heap figures (a line over time); gctrace only
	// knows them per cycle.
	if len(live.X) == 0 {
		live = gcLive
	}
	if len(goal.X) == 0 {
		goal = gcGoal
	}
	var series []chart.Series
	for _, s := range []chart.Series{rss, live, goal} {
		if len(s.X) > 0 {
			series = append(series, s)
		}
	}
	return chart.Time{Title: "Memory", Y: "memory", Unit: chart.Bytes, Series: series, Cycles: tl.cycles, Marks: tl.marks, Until: tl.end}, len(series) > 0
}

// gcOffGoal is a heap goal no real heap reaches: the runtime reports a
// goal near the largest int64 while the GC is off (GOGC=off, or
// debug.SetGCPercent(-1)), which would flatten every other line.
const gcOffGoal = 1 << 50

// addPoint appends (t, v) when v was measured (non-zero).
func addPoint(s *chart.Series, t, v float64) {
	if v > 0 && !math.IsNaN(v) {
		s.X = append(s.X, t)
		s.Y = append(s.Y, v)
	}
}

func pauseCharts(run *record.Run, tl timeline) (chart.Time, chart.Histogram, bool) {
	longest := chart.Series{Name: "longest pause", Points: true}
	total := chart.Series{Name: "stop-the-world time of the cycle", Points: true, Dashed: true}
	var hist, fromCycles []chart.Bin
	for _, e := range run.Events {
		if g := e.GC; g != nil {
			t := g.When(e.T)
			addPoint(&longest, t, g.PauseMaxSeconds)
			addPoint(&total, t, g.PauseSeconds)
			// A gctrace cycle has two pauses: the longest, and the rest.
			if g.PauseMaxSeconds > 0 {
				fromCycles = append(fromCycles, chart.Bin{Lo: g.PauseMaxSeconds, Hi: g.PauseMaxSeconds, Count: 1})
				if rest := g.PauseSeconds - g.PauseMaxSeconds; rest > 0 {
					fromCycles = append(fromCycles, chart.Bin{Lo: rest, Hi: rest, Count: 1})
				}
			} else if g.PauseSeconds > 0 {
				fromCycles = append(fromCycles, chart.Bin{Lo: g.PauseSeconds, Hi: g.PauseSeconds, Count: 1})
			}
		}
		if p := e.Pauses; p != nil {
			for _, b := range p.Buckets {
				hist = append(hist, chart.Bin{Lo: b.Lo, Hi: b.Upper(), Count: float64(b.Count)})
			}
		}
	}
	if len(hist) == 0 {
		hist = fromCycles
	}
	var series []chart.Series
	for _, s := range []chart.Series{longest, total} {
		if len(s.X) > 0 {
			series = append(series, s)
		}
	}
	t := chart.Time{Title: "GC pauses", Y: "pause", Unit: chart.Seconds, Series: series, Cycles: tl.cycles, Marks: tl.marks, Until: tl.end}
	h := chart.Histogram{Title: "GC pause histogram", X: "stop-the-world pause", Bins: hist}
	return t, h, len(hist) > 0 || len(series) > 0
}

func cpuChart(run *record.Run, tl timeline) (chart.Time, bool) {
	share := chart.Series{Name: "GC CPU share of the cycle", Points: true}
	cum := chart.Series{Name: "GC CPU share since start (gctrace)", Points: true}
	for _, e := range run.Events {
		g := e.GC
		if g == nil {
			continue
		}
		t := g.When(e.T)
		if g.IntervalCPUSeconds > 0 {
			addPoint(&share, t, g.GCCPUSeconds/g.IntervalCPUSeconds)
		}
		addPoint(&cum, t, g.CumulativeGCCPUFraction)
	}
	s := share
	if len(s.X) == 0 {
		s = cum
	}
	return chart.Time{Title: "GC CPU share", Y: "share of available CPU", Unit: chart.Ratio, Series: []chart.Series{s}, Cycles: tl.cycles, Marks: tl.marks, Until: tl.end}, len(s.X) > 0
}

func latencyChart(run *record.Run, tl timeline) (chart.Time, bool) {
	p99 := chart.Series{Name: "p99"}
	mx := chart.Series{Name: "max"}
	var all []record.Event
	hasAll := false
	for _, e := range run.Events {
		if l := e.Latency; l != nil {
			all = append(all, e)
			hasAll = hasAll || l.Op == ""
		}
	}
	for _, e := range all {
		l := e.Latency
		if hasAll && l.Op != "" {
			continue
		}
		addPoint(&p99, e.T, summary.Quantile(l.Buckets, 0.99))
		addPoint(&mx, e.T, l.MaxSeconds)
	}
	return chart.Time{Title: "Request latency", Y: "latency", Unit: chart.Seconds, LogY: true,
		Series: []chart.Series{p99, mx}, Cycles: tl.cycles, Marks: tl.marks, Until: tl.end}, len(p99.X) > 0 && !hasOps(all, hasAll)
}

// hasOps reports latency split by operation with no all-requests series: a
// per-interval p99 of one operation would mislead, so the chart is left out
// unless every interval covers all requests.
func hasOps(es []record.Event, hasAll bool) bool {
	if hasAll {
		return false
	}
	for _, e := range es {
		if e.Latency.Op != "" {
			return true
		}
	}
	return false
}
