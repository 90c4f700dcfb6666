package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/chart"
	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
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

// cycles is how a time chart shows a run's GC cycles.
type cycles struct {
	spans []chart.Span // bounded GC cycles
	marks []float64    // cycles known only by when they were noticed
	until float64
	since string // what the time axis counts from, when not the record's start
	// When the timeline aggregated the cycles by column: the shading per
	// column, the cycles that ended in each, and how many had bounds.
	shade, ends []float64
	nSpans      int
	grid        chart.Grid // the timeline's columns
}

func cyclesOf(tl summary.Timeline) cycles {
	c := cycles{marks: tl.Marks, until: tl.End, nSpans: tl.NCycles,
		grid: chart.Grid{Lo: 0, Hi: tl.End, N: tl.Columns}}
	for _, sp := range tl.Cycles {
		c.spans = append(c.spans, chart.Span{Lo: sp.Lo, Hi: sp.Hi})
	}
	if tl.Coverage != nil {
		// As chart.Time shades cycles it holds: a column as deep as its
		// share of time in GC, or its count of cycles without bounds
		// against the busiest column's.
		c.shade, c.ends = slices.Clone(tl.Coverage), tl.CycleEnds
		if top := slices.Max(tl.MarkCounts); tl.NMarks > 0 && top > 0 {
			for i, n := range tl.MarkCounts {
				c.shade[i] = max(c.shade[i], n/top)
			}
		}
	}
	return c
}

// timeChart is a time chart of series with the run's cycles.
func (c cycles) timeChart(title, y string, unit chart.Unit, series []chart.Series) chart.Time {
	return chart.Time{Title: title, Y: y, Unit: unit, Series: series, Cycles: c.spans, Marks: c.marks, Until: c.until, Since: c.since, Shade: c.shade, Bins: c.grid.N}
}

// caption says how GC cycles and series are drawn in the time chart t:
// one by one while readable, or aggregated by column (see chart.Density).
func (c cycles) caption(t chart.Time) string {
	d := t.Density()
	if d.Cycles {
		g := d.Grid
		n, peak, bounded := 0.0, 0.0, len(c.spans) > 0
		if c.shade != nil {
			// Aggregated while read: the cycles that ended in each column.
			for _, k := range c.ends {
				n, peak = n+k, max(peak, k/g.Width())
			}
			bounded = c.nSpans > 0
		} else {
			ends := make([]float64, 0, len(c.spans)+len(c.marks))
			for _, s := range c.spans {
				ends = append(ends, s.Hi)
			}
			ends = append(ends, c.marks...)
			for _, r := range g.Rate(ends) {
				peak = max(peak, r)
			}
			n = float64(len(ends))
		}
		s := fmt.Sprintf("GC: %d cycles, %s a second on average and up to %s a second in the busiest %s; too many to draw one by one, so each %s column is shaded as deep as ",
			int(n), units.Number(n/g.Hi), units.Number(peak), units.Seconds(g.Width()), units.Seconds(g.Width()))
		if bounded {
			s += "the share of its time spent in GC cycles."
		} else {
			s += "its number of cycles against the busiest column's."
		}
		return s + bandsCaption(d, t)
	}
	var s string
	switch {
	case len(c.spans) > 0 && len(c.marks) > 0:
		s = "Shaded: GC cycles from start to end; dashed lines: cycles whose bounds the source did not record, where they were noticed."
	case len(c.spans) > 0:
		s = "Shaded: GC cycles, from start to end."
	case len(c.marks) > 0:
		s = "Dashed lines: GC cycles where they were noticed (the source does not record when a cycle starts and ends)."
	default:
		s = "No GC cycle was recorded."
	}
	return s + bandsCaption(d, t)
}

// bandsCaption names the series drawn as bands, and says where their
// medians are estimates.
func bandsCaption(d chart.Density, t chart.Time) string {
	if len(d.Series) == 0 {
		return ""
	}
	s := fmt.Sprintf(" %s: too many values to draw one by one, so each %s column shows their median as a line and their range as a band.",
		strings.Join(d.Series, ", "), units.Seconds(d.Grid.Width()))
	for _, sr := range t.Series {
		if sr.Band != nil && sr.Band.Estimated {
			return s + " " + summary.BandSketchNote
		}
	}
	return s
}

// runFigures draws the charts of one run from its summary's timeline;
// prefix makes names unique. The timeline is aggregated into the charts'
// columns as it is read, so a record of any length draws in the same
// memory.
func runFigures(s summary.Summary, prefix string) ([]Figure, error) {
	tl, over, err := s.Charts(chart.DefaultBins)
	if err != nil {
		return nil, err
	}
	c := cyclesOf(tl)
	if s.Source == record.SourceImport {
		// An imported gctrace log counts from the traced program's
		// start, which it does not date.
		c.since = "the traced program's start"
	}
	var figs []Figure
	add := func(name, title, caption string, ch chart.Chart, ok bool) {
		if ok {
			figs = append(figs, Figure{Name: prefix + name, Title: title, Caption: caption, Chart: ch})
		}
	}
	// Latency first: when there is any, it is what the report is about.
	lat := withLogY(c.timeChart("Request latency", "latency", chart.Seconds, []chart.Series{c.series("p99", tl.LatencyP99), c.series("max", tl.LatencyMax)}))
	add("latency", "Request latency per interval", "p99 and maximum latency of each latency interval (log scale). "+c.caption(lat),
		lat, tl.LatencyP99.N > 0)
	mem := c.timeChart("Memory", "memory", chart.Bytes, nonEmpty(c.series("RSS", tl.RSS), c.heapLive(tl), dashed(c.series("heap goal", tl.HeapGoal))))
	add("memory", "Memory over time", "RSS, live heap and heap goal. "+c.caption(mem), mem, len(mem.Series) > 0)
	parts, ok := rssPartsChart(over, c.until)
	add("rss-parts", "Where the RSS goes", "The RSS (dashed) split into the parts the runtime's memory classes and /proc/PID/smaps_rollup tell apart, at each sample that has them; a part the source does not expose is left out, and the residual, when positive, is the top band."+
		partsStart(s, parts), parts, ok)
	cpu := gcCPUChart(c, tl)
	add("gc-cpu", "GC CPU share per cycle", "The GC's share of available CPU over each interval between the ends of two cycles, as the summary defines it (idle-priority marking left out). "+c.caption(cpu)+overShares(s, tl),
		cpu, tl.GCShare.N > 0)
	pauses := c.timeChart("GC pauses", "pause", chart.Seconds,
		nonEmpty(points(c.series("longest pause", tl.PauseLongest)), dashed(points(c.series("stop-the-world time of the cycle", tl.PauseTotal)))))
	add("pauses", "GC pauses over time", "The longest stop-the-world pause of each GC cycle, and all of its stop-the-world time. "+c.caption(pauses),
		pauses, len(pauses.Series) > 0)
	var bins []chart.Bin
	for _, b := range tl.PauseBuckets {
		bins = append(bins, chart.Bin{Lo: b.Lo, Hi: b.Hi, Count: float64(b.Count)})
	}
	add("pause-histogram", "GC pause histogram", "Stop-the-world pauses by length, on 1-2-5 steps.",
		chart.Histogram{Title: "GC pause histogram", X: "stop-the-world pause", Bins: bins}, len(bins) > 0 || len(pauses.Series) > 0)
	return figs, nil
}

// gcCPUChart is the GC CPU share per cycle; when there are too many cycles
// to draw one by one, also the share of each column (its cycles' GC CPU
// over their available CPU), the figure the run's share is made of.
func gcCPUChart(c cycles, tl summary.Timeline) chart.Time {
	name := "GC CPU share of the cycle"
	if tl.GCShareSinceStart {
		name = "GC CPU share since start (gctrace)"
	}
	t := c.timeChart("GC CPU share", "share of available CPU", chart.Ratio, []chart.Series{points(c.series(name, tl.GCShare))})
	d := t.Density()
	switch {
	case !slices.Contains(d.Series, name) || tl.GCShareSinceStart:
	case tl.GCShare.Band != nil && len(tl.GCCPU) == c.grid.N:
		// Summed by column while read.
		col := chart.Series{Name: "GC CPU share of the column"}
		for i := range tl.GCCPU {
			if tl.AvailableCPU[i] > 0 {
				col.X, col.Y = append(col.X, c.grid.Mid(i)), append(col.Y, tl.GCCPU[i]/tl.AvailableCPU[i])
			}
		}
		t.Series = append(t.Series, col)
	case len(tl.GCCPU) == len(tl.GCShare.T):
		t.Series = append(t.Series, d.Grid.Ratio("GC CPU share of the column", tl.GCShare.T, tl.GCCPU, tl.AvailableCPU))
	}
	return t
}

// overShares explains per-cycle shares above 100% of the runtime's own
// account (the probe's and the agent's GC events). The runtime adds a
// cycle's first pause, with the wait for the world to stop, to its GC CPU
// when that pause ends (runtime/mgc.go, accumulateGCPauseTime), but moves
// the available CPU only at cycle ends (cpuStats.accumulate): a read that
// saw a cycle end after the next one had begun counts the next cycle's
// first pause in this cycle's interval. Measured with runtime/metrics read
// every 10 ms at GOGC=5 beside CPU hogs: up to 613% that way, every time
// with the next cycle begun, while windows between reads with no cycle in
// progress stayed under 81% (docs/figures.md). The next interval is lower
// by as much, so the run's share moves by one pause at most at either end.
func overShares(s summary.Summary, tl summary.Timeline) string {
	if s.GCCPU.Method != summary.CPURuntimeCycles || tl.GCShareSinceStart {
		return ""
	}
	n, top := tl.GCShareAbove1, tl.GCShareTop
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" %d of %d cycles show more than 100%% (up to %.0f%%): the runtime adds a cycle's first pause, with the wait for the world to stop, to its GC CPU when the pause ends, "+
		"but the available CPU only when a cycle ends, so a read that saw a cycle end after the next one had begun counts the next one's first pause in this cycle's interval, "+
		"and the next interval is lower by as much; the run's GC CPU share, a sum over its cycles, moves by at most one such pause at either end.", n, tl.GCShare.N, top*100)
}

// series is a time chart's series of p: its points, or its band by
// column when the timeline aggregated it.
func (c cycles) series(name string, p summary.Points) chart.Series {
	s := chart.Series{Name: name, X: p.T, Y: p.V}
	if b := p.Band; b != nil {
		cb := &chart.Band{Estimated: b.Sketched}
		for i, col := range b.Col {
			cb.X = append(cb.X, c.grid.Mid(col))
			cb.Min, cb.Median, cb.Max = append(cb.Min, b.Min[i]), append(cb.Median, b.Median[i]), append(cb.Max, b.Max[i])
		}
		s.X, s.Y, s.Band = nil, nil, cb
	}
	return s
}

func points(s chart.Series) chart.Series { s.Points = true; return s }
func dashed(s chart.Series) chart.Series { s.Dashed = true; return s }

func withLogY(t chart.Time) chart.Time { t.LogY = true; return t }

// heapLive is the live heap's series: a line per sample, or a point per
// cycle when only the cycles know it.
func (c cycles) heapLive(tl summary.Timeline) chart.Series {
	s := c.series("heap live", tl.HeapLive)
	s.Points = tl.HeapLivePerCycle
	return s
}

// nonEmpty keeps the series that have values.
func nonEmpty(ss ...chart.Series) []chart.Series {
	var out []chart.Series
	for _, s := range ss {
		if len(s.X) > 0 || s.Band != nil && len(s.Band.X) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// partsStart says why the parts of the RSS start later than the memory
// chart above them, on the same time axis: they are of the measured load
// (summary.MeasuredFrom), as the summary's memory figures are, and the
// memory chart shows the warmup too.
func partsStart(s summary.Summary, parts chart.Stacked) string {
	if s.MeasuredFrom <= 0 || len(parts.X) == 0 {
		return ""
	}
	first := ""
	if at := parts.X[0]; at > s.MeasuredFrom+1e-9 {
		first = fmt.Sprintf(" (the first sample that has them is at %s)", units.Seconds(at))
	}
	return fmt.Sprintf(" It starts at the end of the warmup, t=%s%s: the parts are of the measured load, as the summary's; the memory chart above starts at 0 and shows the warmup too.",
		units.Seconds(s.MeasuredFrom), first)
}

// rssPartsChart stacks the parts of the RSS over time.
func rssPartsChart(over []summary.Breakdown, until float64) (chart.Stacked, bool) {
	if len(over) < 2 {
		return chart.Stacked{}, false
	}
	c := chart.Stacked{Title: "Where the RSS goes", Y: "memory", Unit: chart.Bytes, TotalName: "RSS", Until: until}
	for _, b := range over {
		c.X = append(c.X, b.T)
		c.Total = append(c.Total, b.RSSBytes)
	}
	for _, name := range append(summary.PartNames(), summary.PartResidual) {
		l := chart.Layer{Name: name}
		shown := false
		for _, b := range over {
			v := b.Part(name).Bytes
			if name == summary.PartResidual {
				v = b.ResidualBytes
			}
			l.Y = append(l.Y, v)
			shown = shown || v > 0.005*b.RSSBytes // a band too thin to see only crowds the legend
		}
		if shown {
			c.Layers = append(c.Layers, l)
		}
	}
	return c, len(c.Layers) > 0
}
