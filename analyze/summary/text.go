package summary

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/analyze/table"
	"github.com/gcprobe/gcprobe/analyze/texttab"
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// WriteText renders summaries as one table, a column per run, followed by
// numbered footnotes (how figures were measured), each run's warnings and
// notes, and its verdict. Several runs get numbered columns, named above the
// table with what every run shares.
func WriteText(w io.Writer, sums []Summary) error {
	if len(sums) > MaxSideBySide {
		return writePivot(w, sums)
	}
	t := Table(sums)
	var b strings.Builder
	tb := texttab.Table{}
	groups := t.Groups()
	if len(sums) == 1 {
		tb.Row("", sums[0].File)
	} else {
		groups = sideBySide(&b, sums, groups)
		head := []string{""}
		for i := range sums {
			head = append(head, fmt.Sprintf("#%d", i+1))
		}
		tb.Row(head...)
	}
	for _, g := range groups {
		tb.Title("")
		tb.Title(g.Title)
		for _, r := range g.Rows {
			tb.Row(append([]string{"  " + r[0]}, r[1:]...)...)
		}
	}
	tb.WriteTo(&b)
	for i, f := range t.Footnotes {
		fmt.Fprintf(&b, "[%d] %s\n", i+1, f)
	}
	for i, s := range sums {
		label := ""
		if len(sums) > 1 {
			label = fmt.Sprintf("#%d ", i+1)
		}
		b.WriteString("\n")
		for _, x := range s.Warnings {
			fmt.Fprintf(&b, "%swarning: %s\n", label, x)
		}
		for _, x := range s.Notes {
			fmt.Fprintf(&b, "%snote from the record: %s\n", label, x)
		}
		if v := s.Verdict(); len(v) > 0 {
			fmt.Fprintf(&b, "%sverdict: %s.\n", label, strings.Join(v, "; "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writePivot writes many runs' summaries one row each (Pivot), then each
// run's warnings and verdict, as WriteText does for a few.
func writePivot(w io.Writer, sums []Summary) error {
	var b strings.Builder
	if err := table.WriteText(&b, Pivot(sums), table.TextOptions{Indent: "  "}); err != nil {
		return err
	}
	for _, s := range sums {
		for _, x := range s.Warnings {
			fmt.Fprintf(&b, "%s: warning: %s\n", s.File, x)
		}
		if v := s.Verdict(); len(v) > 0 {
			fmt.Fprintf(&b, "%s: verdict: %s.\n", s.File, strings.Join(v, "; "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sideBySide prepares several runs' text: it names each run's column
// (#1 file: what) and prints rows of the run section that every run shares
// once, above the table; it returns the groups left for the table.
func sideBySide(b *strings.Builder, sums []Summary, groups []table.Group) []table.Group {
	for i, s := range sums {
		fmt.Fprintf(b, "#%d %s: %s\n", i+1, s.File, What(s))
	}
	var out []table.Group
	for _, g := range groups {
		if g.Title != "run" {
			out = append(out, g)
			continue
		}
		kept := table.Group{Title: g.Title}
		for _, r := range g.Rows {
			switch {
			case r[0] == "what":
			case allSame(r[1:]):
				fmt.Fprintf(b, "%s: %s\n", r[0], r[1])
			default:
				kept.Rows = append(kept.Rows, r)
			}
		}
		if len(kept.Rows) > 0 {
			out = append(out, kept)
		}
	}
	return out
}

func allSame(cells []string) bool {
	for _, c := range cells {
		if c != cells[0] {
			return false
		}
	}
	return true
}

// Table lays out summaries side by side, as every renderer shows them (text
// here; HTML and Markdown in reports): a head of the runs' files, a section
// per topic (run, GC, memory, latency), a row per figure with its name and a
// formatted cell per summary, and the footnotes that say how figures were
// measured. A cell may end in a footnote mark " [n]", n counting from 1 in
// the table's Footnotes.
//
// A new figure is a row in sections below; a new topic a section there.
func Table(sums []Summary) *table.Table {
	t := &table.Table{Head: []string{""}}
	for _, s := range sums {
		t.Head = append(t.Head, s.File)
	}
	fn := footnoter{&t.Footnotes}
	for _, sec := range sections(sums) {
		t.Section(sec.title)
		for _, r := range sec.rows {
			row := []string{r.name}
			for _, s := range sums {
				row = append(row, r.cell(s, &fn))
			}
			t.Row(row...)
		}
	}
	return t
}

// footnoter cites footnotes as " [n]" marks.
type footnoter struct{ notes *table.Footnotes }

func (f *footnoter) cite(text string) string {
	return fmt.Sprintf(" [%d]", f.notes.Cite(text))
}

type section struct {
	title string
	rows  []textRow
}

type textRow struct {
	name string
	cell func(Summary, *footnoter) string
}

func sections(sums []Summary) []section {
	secs := []section{
		{"run", []textRow{
			{"what", func(s Summary, _ *footnoter) string { return What(s) }},
			{"source", func(s Summary, _ *footnoter) string { return s.Source }},
			{"Go", func(s Summary, _ *footnoter) string { return GoLine(s) }},
			{"settings", func(s Summary, _ *footnoter) string { return SettingsLine(s) }},
			{"host", func(s Summary, _ *footnoter) string { return HostLine(s) }},
			{"started", func(s Summary, _ *footnoter) string { return StartedLine(s) }},
			{"duration", func(s Summary, _ *footnoter) string { return units.Seconds(s.DurationSeconds) }},
			{"ended", func(s Summary, _ *footnoter) string { return s.Ended }},
		}},
		{"GC", []textRow{
			{"cycles", func(s Summary, _ *footnoter) string { return CyclesLine(s.Cycles) }},
			{"cycles per minute", func(s Summary, _ *footnoter) string {
				return known(s.Cycles.From != "" && s.DurationSeconds > 0, units.Number(s.Cycles.PerMinute))
			}},
			{"GC CPU share", func(s Summary, f *footnoter) string { return cpuShareCell(s, f) }},
			{"idle-priority marking", func(s Summary, f *footnoter) string {
				c := s.GCCPU
				if c.Method == "" || c.Method == CPUNoCycle || !c.IdleKnown {
					return "-"
				}
				return units.Percent(c.IdleShare) + f.cite("idle-priority marking: mark work on Ps that had nothing else to run, over the same available CPU; not in the GC CPU share")
			}},
			{"GC CPU / process CPU", func(s Summary, f *footnoter) string {
				c := s.GCCPU
				if c.GCSeconds <= 0 || c.ProcessSeconds <= 0 {
					return "-"
				}
				return units.Seconds(c.GCSeconds) + " / " + units.Seconds(c.ProcessSeconds) +
					f.cite("GC CPU / process CPU: the GC CPU time of the share (idle marking left out) against the process's own user+system CPU time over the same samples (/proc)")
			}},
			{"pause p50 / p99", func(s Summary, f *footnoter) string {
				p := s.Pauses
				switch {
				case p.Method == "":
					return "-"
				case !p.HasQuantiles():
					return "-" + f.cite("pauses: "+p.Method)
				}
				return fmt.Sprintf("%s / %s", units.Seconds(p.P50), units.Seconds(p.P99)) + f.cite("pauses: "+p.Method)
			}},
			{"longest pause", func(s Summary, f *footnoter) string {
				p := s.Pauses
				if p.Method == "" || p.Longest <= 0 {
					return "-"
				}
				return units.Seconds(p.Longest) + f.cite("longest pause: "+p.LongestIs)
			}},
			{"stop-the-world total", func(s Summary, _ *footnoter) string {
				return known(s.Pauses.Method != "", units.Seconds(s.Pauses.Total))
			}},
		}},
		{"memory", []textRow{
			{"heap live min / median / max", func(s Summary, f *footnoter) string {
				return bytesDist(s.HeapLive) + heapResolution(s, s.HeapLive, f) + measuredIf(s.HeapLive.N > 0, s, f)
			}},
			{"live heap trend", func(s Summary, f *footnoter) string {
				if s.LiveTrend == nil {
					return "-"
				}
				note := "live heap trend: Theil–Sen slope of the live heap (one point a GC cycle, from " + s.LiveTrend.From +
					") with Sen's 95% interval; a growth is claimed when the interval excludes 0 and the window's growth is at least 5% of the median live heap"
				if s.LiveTrend.Verdict == TrendUnclear {
					note += "; unclear when the interval holds 0 but also a change of 5% or more over the window: record longer"
				}
				return s.LiveTrend.Words() + f.cite(note) + measured(s, f)
			}},
			{"heap goal min / median / max", func(s Summary, f *footnoter) string {
				return bytesDist(s.HeapGoal) + heapResolution(s, s.HeapGoal, f) + measuredIf(s.HeapGoal.N > 0, s, f)
			}},
			{"allocation rate", func(s Summary, f *footnoter) string {
				if s.Alloc.Method == "" {
					return "-"
				}
				return units.Bytes(s.Alloc.BytesPerSecond) + "/s" + f.cite("allocation rate: "+s.Alloc.Method) + measured(s, f)
			}},
			{"RSS median / peak", func(s Summary, f *footnoter) string {
				if s.RSS.N == 0 && s.RSSPeak == 0 {
					return "-"
				}
				med := "-"
				if s.RSS.N > 0 {
					med = units.Bytes(s.RSS.Median)
				}
				return med + " / " + units.Bytes(s.RSSPeak) + measuredIf(s.RSS.N > 0, s, f)
			}},
			{"RSS / live heap", func(s Summary, f *footnoter) string {
				if s.RSSOverLive == 0 {
					return "-"
				}
				return times(s.RSSOverLive) + f.cite("RSS / live heap: median RSS over median live heap") + measured(s, f)
			}},
		}},
	}
	hasLatency := false
	for _, s := range sums {
		hasLatency = hasLatency || s.Latency != nil
	}
	if hasLatency {
		secs = append(secs, latencySection(sums))
	}
	hasMemory := false
	for _, s := range sums {
		hasMemory = hasMemory || s.Memory != nil
	}
	if hasMemory {
		secs = append(secs, memorySection())
	}
	return secs
}

// memorySection is the reconciliation at the peak: every part of the RSS,
// the residual, and the live heap's trend.
func memorySection() section {
	mem := func(f func(*Memory, *footnoter) string) func(Summary, *footnoter) string {
		return func(s Summary, fn *footnoter) string {
			if s.Memory == nil {
				return "-"
			}
			return f(s.Memory, fn)
		}
	}
	share := func(v, of float64) string {
		if of <= 0 {
			return units.Bytes(v)
		}
		return units.Bytes(v) + " (" + units.Percent(v/of) + ")"
	}
	rows := []textRow{
		{"RSS at its peak", mem(func(m *Memory, f *footnoter) string {
			return units.Bytes(m.AtPeak.RSSBytes) + " at t=" + units.Seconds(m.AtPeak.T) +
				f.cite("where the RSS goes: the RSS split with the runtime's memory classes and /proc/PID/smaps_rollup at the sample of highest RSS; the parts and the residual add up to the RSS")
		})},
		{"sources", mem(func(m *Memory, _ *footnoter) string { return strings.Join(m.AtPeak.Sources(), ", ") })},
	}
	for _, name := range PartNames() {
		rows = append(rows, textRow{"  " + name, mem(func(m *Memory, f *footnoter) string {
			p := m.AtPeak.Part(name)
			if !p.Exposed {
				return "not exposed by this source" + f.cite(p.Note)
			}
			c := share(p.Bytes, m.AtPeak.RSSBytes)
			if p.Note != "" {
				c += f.cite(p.Note)
			}
			return c
		})})
	}
	rows = append(rows,
		textRow{"  residual", mem(func(m *Memory, f *footnoter) string {
			return share(m.AtPeak.ResidualBytes, m.AtPeak.RSSBytes) + f.cite("residual: "+m.AtPeak.Residual)
		})},
		textRow{"dominant part", mem(func(m *Memory, _ *footnoter) string {
			if m.Dominant == PartLive && m.AtPeak.Part(PartLive).WithGarbage {
				return "heap objects, live and garbage (the source does not tell them apart)"
			}
			return m.Dominant
		})},
	)
	return section{"where the RSS goes", rows}
}

// cpuShareCell shows the GC CPU share, its bounds where it is estimated, and
// the footnotes that define it and say how it was measured.
func cpuShareCell(s Summary, f *footnoter) string {
	c := s.GCCPU
	switch c.Method {
	case "":
		return "-"
	case CPUNoCycle:
		return "-" + f.cite("GC CPU share: "+CPUNoCycle)
	}
	cell := units.Percent(c.Share)
	if c.High > c.Low {
		cell += " (" + units.Percent(c.Low) + " to " + units.Percent(c.High) + ")"
	}
	return cell + f.cite(CPUDefinition) + f.cite("GC CPU share from "+c.Method) + measured(s, f)
}

// heapResolution cites, for heap figures that the source rounds (gctrace),
// the footnote that says how.
func heapResolution(s Summary, d Dist, f *footnoter) string {
	if d.N == 0 || s.HeapResolutionBytes == 0 {
		return ""
	}
	return f.cite("heap from gctrace: whole MB (MiB) rounded down, so to 1 MiB; a live heap under 1 MiB shows as 0")
}

// measured cites, for a figure taken over the measured load only, the
// footnote that says so.
func measured(s Summary, f *footnoter) string {
	if s.MeasuredFrom <= 0 {
		return ""
	}
	return f.cite("over the measured load only, from t=" + units.Seconds(s.MeasuredFrom) +
		" (after the warmup and any fill); RSS peak and the GC section's other rows cover the whole run")
}

func measuredIf(ok bool, s Summary, f *footnoter) string {
	if !ok {
		return ""
	}
	return measured(s, f)
}

func latencySection(sums []Summary) section {
	lat := func(f func(*Latency, *footnoter) string) func(Summary, *footnoter) string {
		return func(s Summary, fn *footnoter) string {
			if s.Latency == nil || s.Latency.Requests == 0 {
				return "-"
			}
			return f(s.Latency, fn)
		}
	}
	split := func(f func(*Latency, *footnoter) string) func(Summary, *footnoter) string {
		return lat(func(l *Latency, fn *footnoter) string {
			if !l.Split {
				return "-"
			}
			return f(l, fn)
		})
	}
	part := func(p Part) string {
		if p.Requests == 0 {
			return "-"
		}
		return fmt.Sprintf("%s / %s / %s (%d intervals)", units.Seconds(p.P50), units.Seconds(p.P99), units.Seconds(p.Max), p.Intervals)
	}
	const inside = "inside GC: a latency interval [T-interval, T] that overlaps a GC cycle [start, end]"
	sec := section{"latency", []textRow{
		{"requests", lat(func(l *Latency, _ *footnoter) string {
			s := units.Number(float64(l.Requests))
			if l.Dropped > 0 {
				s += fmt.Sprintf(" (%s started late)", units.Number(float64(l.Dropped)))
			}
			return s
		})},
		{"throughput", lat(func(l *Latency, _ *footnoter) string { return units.Number(l.Throughput) + "/s" })},
		{"responses", lat(func(l *Latency, _ *footnoter) string { return responsesLine(l) })},
		{"p50 / p99 / p99.9 / max", lat(func(l *Latency, _ *footnoter) string {
			return fmt.Sprintf("%s / %s / %s / %s", units.Seconds(l.P50), units.Seconds(l.P99), units.Seconds(l.P999), units.Seconds(l.Max))
		})},
		{"inside GC p50 / p99 / max", split(func(l *Latency, f *footnoter) string { return part(l.InGC) + f.cite(inside) })},
		{"outside GC p50 / p99 / max", split(func(l *Latency, _ *footnoter) string { return part(l.OutGC) })},
		{"slow requests in GC", split(func(l *Latency, f *footnoter) string {
			if l.Slow.Listed == 0 {
				return "-"
			}
			return fmt.Sprintf("%s of %d above p99 (%s)", units.Percent(l.Slow.Share), l.Slow.Listed, units.Seconds(l.Slow.Threshold)) +
				f.cite("slow requests in GC: requests above the overall p99 whose [start, start+latency] overlaps a GC cycle, from the slowest-request lists")
		})},
		{"longest pause / p99 in GC", split(func(l *Latency, _ *footnoter) string {
			if l.InGC.Requests == 0 || l.LongestPause == 0 {
				return "-"
			}
			return units.Seconds(l.LongestPause) + " / " + units.Seconds(l.InGC.P99)
		})},
	}}
	for _, s := range sums {
		if s.Latency != nil && s.Latency.HTTP {
			return sec
		}
	}
	// No HTTP load: no responses row.
	sec.rows = slices.DeleteFunc(sec.rows, func(r textRow) bool { return r.name == "responses" })
	return sec
}

// responsesLine is an HTTP load's outcomes: "2xx 1,200 · 5xx 3 · no response 4 · timeouts 0 (error rate 0.58%)".
func responsesLine(l *Latency) string {
	if l.ErrorRate == nil {
		return "-"
	}
	var parts []string
	for _, c := range []string{"1xx", "2xx", "3xx", "4xx", "5xx", "other"} {
		if n := l.Status[c]; n > 0 {
			parts = append(parts, c+" "+units.Number(float64(n)))
		}
	}
	parts = append(parts, "no response "+units.Number(float64(l.Errors)), "timeouts "+units.Number(float64(l.Timeouts)))
	return strings.Join(parts, " · ") + " (error rate " + units.Percent(*l.ErrorRate) + ")"
}

func known(ok bool, s string) string {
	if !ok {
		return "-"
	}
	return s
}

func bytesDist(d Dist) string {
	if d.N == 0 {
		return "-"
	}
	return fmt.Sprintf("%s / %s / %s", units.Bytes(d.Min), units.Bytes(d.Median), units.Bytes(d.Max))
}

// What names what was run: the scenario and its parameters, the command, or
// the source.
func What(s Summary) string {
	switch {
	case s.Scenario != "":
		keys := make([]string, 0, len(s.Params))
		for k := range s.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := []string{"scenario " + s.Scenario}
		for _, k := range keys {
			parts = append(parts, k+"="+s.Params[k])
		}
		return strings.Join(parts, " ")
	case len(s.Command) > 0:
		return strings.Join(s.Command, " ")
	case s.Program != nil && len(s.Program.Args) > 0:
		return strings.Join(s.Program.Args, " ")
	case s.Program != nil && s.Program.From == record.ProgramFromLogFile:
		return "gctrace log " + s.Program.Name
	case s.Program != nil && s.Program.Name != "":
		return s.Program.Name
	case len(s.Labels) > 0: // an instance of a fleet
		keys := make([]string, 0, len(s.Labels))
		for k := range s.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+"="+s.Labels[k])
		}
		return strings.Join(parts, " ")
	}
	return s.Source
}

// StartedLine says when the run started, or for an imported log that its
// times count from the traced program's start, which the log does not
// date (the header's Start is then when it was imported).
func StartedLine(s Summary) string {
	if s.Source == record.SourceImport {
		return "not in the log: times count from the traced program's start (imported " + s.Start.UTC().Format(time.RFC3339) + ")"
	}
	return s.Start.UTC().Format(time.RFC3339)
}

// GoLine is the Go version and GC implementation.
func GoLine(s Summary) string {
	v := s.GoVersion
	if v == "" {
		v = "Go version unknown"
	}
	if s.GCImpl != "" {
		v += ", " + s.GCImpl + " GC"
	}
	return v
}

// SettingsLine shows GOGC, GOMEMLIMIT and GOMAXPROCS, and GODEBUG and
// GOEXPERIMENT when they are set.
func SettingsLine(s Summary) string {
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	x := s.Settings
	if s.Source == record.SourceImport && x == (Settings{}) {
		// Not "default": a log does not say what the program ran with.
		return "unknown (a gctrace log does not record them)"
	}
	parts := []string{
		"GOGC=" + or(x.GOGC, "default"),
		"GOMEMLIMIT=" + or(x.GOMEMLIMIT, "default"),
		"GOMAXPROCS=" + or(x.GOMAXPROCS, "default"),
	}
	if x.GODEBUG != "" {
		parts = append(parts, "GODEBUG="+x.GODEBUG)
	}
	if x.GOEXPERIMENT != "" {
		parts = append(parts, "GOEXPERIMENT="+x.GOEXPERIMENT)
	}
	return strings.Join(parts, " ")
}

// HostLine describes the machine.
func HostLine(s Summary) string {
	h := s.Host
	var parts []string
	if h.OS != "" {
		parts = append(parts, h.OS+"/"+h.Arch)
	}
	if h.CPUs > 0 {
		parts = append(parts, fmt.Sprintf("%d CPUs", h.CPUs))
	}
	if h.MemoryBytes > 0 {
		parts = append(parts, units.Bytes(float64(h.MemoryBytes))+" memory")
	}
	if h.CgroupMemoryLimitBytes > 0 {
		parts = append(parts, "container limit "+units.Bytes(float64(h.CgroupMemoryLimitBytes)))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// CyclesLine counts cycles by kind.
func CyclesLine(c Cycles) string {
	switch c.From {
	case "":
		return "-"
	case "samples":
		return fmt.Sprintf("%d (kinds unknown: counted from samples)", c.Total)
	}
	s := fmt.Sprintf("%d: %d automatic", c.Total, c.Automatic)
	if c.Periodic > 0 {
		s += fmt.Sprintf(" (%d periodic 2-minute)", c.Periodic)
	}
	return s + fmt.Sprintf(", %d forced", c.Forced)
}
