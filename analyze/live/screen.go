package live

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/units"
)

// Screen is a snapshot laid out as text, for a terminal view to style.
type Screen struct {
	// Title names what is watched and for how long.
	Title    string
	Sections []Section
	// Verdict is summary's verdict on the window, in one sentence.
	Verdict string
}

// Section is a titled group of rows.
type Section struct {
	Name string
	Rows []Row
}

// Row is one figure: a label, its value, and a sparkline of its recent
// history ("" when it has none, and the value may take the whole line).
type Row struct {
	Label, Value, Spark string
}

// dash stands for a figure the record does not give (yet).
const dash = "-"

// Lay lays out s. sparkWidth is the number of cells a sparkline may take
// (0: none).
func Lay(s Snapshot, sparkWidth int) Screen {
	sum := s.Summary
	scr := Screen{Title: title(s)}
	if !s.Started {
		scr.Verdict = "waiting for the first reading"
		return scr
	}
	win := "last " + clock(s.WindowSeconds)

	gc := Section{Name: "GC (" + win + ")"}
	gc.Rows = append(gc.Rows,
		Row{Label: "cycles", Value: cyclesValue(s)},
		Row{Label: "GC CPU share", Value: cpuValue(s)},
		Row{Label: "pause p50 / p99", Value: pausesValue(sum.Pauses)},
		Row{Label: "longest pause", Value: pauseFigure(sum.Pauses, sum.Pauses.Longest)},
		Row{Label: "settings", Value: summary.SettingsLine(sum)},
	)

	mem := Section{Name: "memory"}
	mem.Rows = append(mem.Rows,
		Row{Label: "heap live", Value: last(s.HeapLive, units.Bytes), Spark: Spark(s.HeapLive, sparkWidth)},
		Row{Label: "heap goal", Value: last(s.HeapGoal, units.Bytes), Spark: Spark(s.HeapGoal, sparkWidth)},
		Row{Label: "RSS", Value: rssValue(s), Spark: Spark(s.RSS, sparkWidth)},
		Row{Label: "allocation rate", Value: allocValue(sum.Alloc)},
	)
	scr.Sections = []Section{gc, mem}
	if l := sum.Latency; l != nil && l.Requests > 0 {
		scr.Sections = append(scr.Sections, latencySection(l, win))
	}
	scr.Verdict = verdict(s)
	return scr
}

func title(s Snapshot) string {
	what := summary.What(s.Summary) // the program's command line where the source names it
	if s.Header.PID != 0 && s.Header.Scenario == "" {
		what += fmt.Sprintf(" (pid %d)", s.Header.PID)
	}
	if a := s.Header.Attach; a != nil && a.Via != "" {
		what += " via " + a.Via
	}
	t := fmt.Sprintf("gcprobe · %s · %s", what, clock(s.Elapsed))
	if s.End != nil {
		t += " · ended (" + s.End.Reason + ")"
	}
	return t
}

// clock formats a run's elapsed time as 1h02m03s, 2m03s or 3s.
func clock(sec float64) string {
	n := int(sec)
	h, m, x := n/3600, n/60%60, n%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, x)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, x)
	}
	return fmt.Sprintf("%ds", x)
}

// cyclesCounted reports whether some source counts GC cycles: with --pid
// alone nothing does, and 0 would read as a program that ran no GC.
func cyclesCounted(s Snapshot) bool { return s.Summary.Cycles.From != "" || s.Cycles > 0 }

func cyclesValue(s Snapshot) string {
	c := s.Summary.Cycles
	if !cyclesCounted(s) {
		return dash
	}
	v := fmt.Sprintf("%d total", s.Cycles)
	if s.WindowSeconds > 0 {
		v += fmt.Sprintf(" · %s/s", units.Number(float64(c.Total)/s.WindowSeconds))
	}
	return v
}

// cpuShare is the GC's share of available CPU over the window.
func cpuShare(s Snapshot) string {
	g := s.Summary.GCCPU
	if g.Method == "" || g.Method == summary.CPUNoCycle {
		return dash
	}
	return units.Percent(g.Share)
}

func cpuValue(s Snapshot) string {
	v := cpuShare(s)
	if v != dash && s.AssistKnown {
		v += " (assists " + units.Percent(s.AssistShare) + ")"
	}
	if v != dash && s.Summary.GCCPU.IdleKnown {
		// Apart, as summary shows it: idle marking runs on Ps that had
		// nothing else to do.
		v += " + " + units.Percent(s.Summary.GCCPU.IdleShare) + " idle marking"
	}
	return v
}

func pausesValue(p summary.Pauses) string {
	if p.Method == "" || p.Count == 0 {
		return dash
	}
	if !p.HasQuantiles() {
		// The source counts and sums pauses but has no single ones.
		return dash
	}
	// The longest pause is its own row, as in summary: the percentiles
	// come from the pause histogram (bucket bounds), the longest pause
	// from the most exact source, so one may pass the other.
	return fmt.Sprintf("%s / %s", units.Seconds(p.P50), units.Seconds(p.P99))
}

func rssValue(s Snapshot) string {
	v := last(s.RSS, units.Bytes)
	if v != dash && s.Summary.RSSPeak > 0 {
		v += " (peak " + units.Bytes(s.Summary.RSSPeak) + ")"
	}
	return v
}

func allocValue(a summary.Alloc) string {
	if a.Method == "" {
		return dash
	}
	return units.Bytes(a.BytesPerSecond) + "/s"
}

func latencySection(l *summary.Latency, win string) Section {
	sec := Section{Name: "latency (" + win + ")"}
	sec.Rows = append(sec.Rows,
		Row{Label: "requests", Value: fmt.Sprintf("%d · %s/s", l.Requests, units.Number(l.Throughput))},
		Row{Label: "p50 / p99 / max", Value: fmt.Sprintf("%s / %s / %s", units.Seconds(l.P50), units.Seconds(l.P99), units.Seconds(l.Max))},
	)
	part := func(p summary.Part) string {
		if !l.Split || p.Requests == 0 {
			return dash
		}
		return fmt.Sprintf("%s (%d intervals)", units.Seconds(p.P99), p.Intervals)
	}
	sec.Rows = append(sec.Rows,
		Row{Label: "p99 inside GC", Value: part(l.InGC)},
		Row{Label: "p99 outside GC", Value: part(l.OutGC)},
	)
	slow := dash
	if l.Slow.Listed > 0 {
		slow = fmt.Sprintf("%s of %d above p99", units.Percent(l.Slow.Share), l.Slow.Listed)
	}
	sec.Rows = append(sec.Rows, Row{Label: "slow requests in GC", Value: slow})
	return sec
}

// verdict is summary's verdict on the window, as one sentence.
func verdict(s Snapshot) string {
	v := s.Summary.Verdict()
	if len(v) == 0 {
		return ""
	}
	line := strings.Join(v, "; ")
	return strings.ToUpper(line[:1]) + line[1:] + "."
}

func last(ps []Point, format func(float64) string) string {
	if len(ps) == 0 {
		return dash
	}
	return format(ps[len(ps)-1].V)
}

// minSparkSpan is the smallest range a sparkline spans, as a share of its
// largest value: changes smaller than that are drawn flat.
const minSparkSpan = 0.05

// sparkBars are the eight heights of a sparkline cell.
var sparkBars = []rune("▁▂▃▄▅▆▇█")

// Spark draws ps as a sparkline of at most width cells spread over the time
// they span, each cell the largest value in its slice of time (so a peak is
// never hidden), scaled from the minimum to the maximum, but over no less
// than minSparkSpan of the maximum: a flat series, or one that moves by a
// few KiB of a 60 MiB RSS, is drawn at the lowest height, not as a jump from
// the lowest to the highest. Cells with no point repeat the one before.
func Spark(ps []Point, width int) string {
	if width <= 0 || len(ps) == 0 {
		return ""
	}
	// Points come in the record's arrival order, which is not always time
	// order: the span is from the earliest to the latest.
	t0, t1 := ps[0].T, ps[0].T
	for _, p := range ps {
		t0, t1 = min(t0, p.T), max(t1, p.T)
	}
	n := min(width, len(ps))
	cells := make([]float64, n)
	seen := make([]bool, n)
	for _, p := range ps {
		i := n - 1
		if t1 > t0 {
			i = min(n-1, max(0, int((p.T-t0)/(t1-t0)*float64(n))))
		}
		if !seen[i] || p.V > cells[i] {
			cells[i], seen[i] = p.V, true
		}
	}
	for i := 1; i < n; i++ {
		if !seen[i] {
			cells[i] = cells[i-1]
		}
	}
	lo, hi := slices.Min(cells), slices.Max(cells)
	span := max(hi-lo, minSparkSpan*math.Abs(hi))
	var b strings.Builder
	for _, x := range cells {
		i := 0
		if span > 0 {
			i = int((x - lo) / span * float64(len(sparkBars)-1))
		}
		b.WriteRune(sparkBars[i])
	}
	return b.String()
}

// Line is the snapshot as one plain line of key=value pairs (logfmt), for
// output that is not a terminal: elapsed time, cycles, GC CPU, pauses, heap,
// RSS, allocation rate and, under load, latency inside and outside GC.
// A figure not measured (yet) is "-".
func Line(s Snapshot) string {
	if !s.Started {
		return "waiting for the first reading"
	}
	sum := s.Summary
	assist := dash
	if s.AssistKnown {
		assist = units.Percent(s.AssistShare)
	}
	kv := [][2]string{
		{"t", clock(s.Elapsed)},
		{"cycles", cyclesLine(s)},
		{"gc_cpu", cpuShare(s)},
		{"assist_cpu", assist},
		{"idle_mark_cpu", idleShare(s)},
		{"pause_p99", pauseP99(sum.Pauses)},
		{"pause_longest", pauseFigure(sum.Pauses, sum.Pauses.Longest)},
		{"heap_live", last(s.HeapLive, units.Bytes)},
		{"heap_goal", last(s.HeapGoal, units.Bytes)},
		{"rss", last(s.RSS, units.Bytes)},
		{"alloc", allocValue(sum.Alloc)},
	}
	if l := sum.Latency; l != nil && l.Requests > 0 {
		kv = append(kv, [2]string{"p99", units.Seconds(l.P99)})
		if l.Split && l.InGC.Requests > 0 && l.OutGC.Requests > 0 {
			kv = append(kv, [2]string{"p99_in_gc", units.Seconds(l.InGC.P99)}, [2]string{"p99_out_gc", units.Seconds(l.OutGC.P99)})
		}
	}
	var b strings.Builder
	for i, p := range kv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p[0] + "=" + strings.ReplaceAll(p[1], " ", ""))
	}
	return b.String()
}

func cyclesLine(s Snapshot) string {
	if !cyclesCounted(s) {
		return dash
	}
	return fmt.Sprint(s.Cycles)
}

func idleShare(s Snapshot) string {
	if cpuShare(s) == dash || !s.Summary.GCCPU.IdleKnown {
		return dash
	}
	return units.Percent(s.Summary.GCCPU.IdleShare)
}

func pauseP99(p summary.Pauses) string {
	if !p.HasQuantiles() {
		return dash
	}
	return pauseFigure(p, p.P99)
}

func pauseFigure(p summary.Pauses, v float64) string {
	if p.Method == "" || p.Count == 0 || v <= 0 {
		return dash
	}
	return units.Seconds(v)
}
