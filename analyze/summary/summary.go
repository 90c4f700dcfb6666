package summary

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/units"

	"github.com/gcprobe/gcprobe/record"
)

// Summary is what one run record says about the GC. Figures that the record
// could not give are zero with an empty Method (or a zero N for a Dist);
// renderers show them as "-".
type Summary struct {
	File    string   `json:"file"`
	Source  string   `json:"source"`
	Command []string `json:"command,omitempty"`
	// Program names the observed program as the source saw it (an attached
	// process's command line, an imported log's file name).
	Program  *record.Program   `json:"program,omitempty"`
	Scenario string            `json:"scenario,omitempty"`
	Params   map[string]string `json:"params,omitempty"`
	// Labels identify an instance of a fleet (record.Header.Labels).
	Labels   map[string]string `json:"labels,omitempty"`
	Settings Settings          `json:"settings"`
	// GoVersion and GCImpl ("greentea", "classic") of the observed program.
	GoVersion string      `json:"go_version,omitempty"`
	GCImpl    string      `json:"gc_impl,omitempty"`
	Host      record.Host `json:"host"`
	Start     time.Time   `json:"start"`

	// DurationSeconds is the time covered by the record: its last event.
	DurationSeconds float64 `json:"duration_seconds"`
	// Ended says in words how the run ended; CutShort is set when the record
	// has no end event or its last line was cut (the writer was killed).
	Ended    string      `json:"ended"`
	CutShort bool        `json:"cut_short,omitempty"`
	End      *record.End `json:"end,omitempty"`

	Cycles Cycles `json:"cycles"`
	GCCPU  GCCPU  `json:"gc_cpu"`
	Pauses Pauses `json:"pauses"`

	// MeasuredFrom is, for runs with latency events (scenarios), when the
	// measured load began on the record's clock: the end of the warmup and
	// of any fill before it. GC CPU share, heap live and goal, allocation
	// rate and median RSS are then over the events from there on, so that a
	// fill or warmup phase (a cache that grows from empty, say) does not
	// pull them toward figures the load never had. 0 means the whole run.
	MeasuredFrom float64 `json:"measured_from_seconds,omitempty"`

	// HeapLive and HeapGoal in bytes; HeapFrom says where they came from
	// ("gc events" or "samples").
	HeapLive Dist   `json:"heap_live_bytes"`
	HeapGoal Dist   `json:"heap_goal_bytes"`
	HeapFrom string `json:"heap_from,omitempty"`
	// HeapResolutionBytes is the step of the heap figures where the source
	// rounds them: 1 MiB for gctrace, which prints whole MB rounded down
	// (so a 0 is a heap under 1 MiB, kept as 0); 0 for exact figures.
	HeapResolutionBytes float64 `json:"heap_resolution_bytes,omitempty"`

	Alloc Alloc `json:"alloc"`

	// RSS in bytes over the samples; RSSPeak is the high-water mark (the
	// larger of VmHWM and the largest sample). RSSOverLive is median RSS
	// over median live heap (0 when either is unknown).
	RSS         Dist    `json:"rss_bytes"`
	RSSPeak     float64 `json:"rss_peak_bytes,omitempty"`
	RSSOverLive float64 `json:"rss_over_live,omitempty"`

	// Memory reconciles the RSS with the runtime's memory classes and the
	// kernel's split (memory.go); LiveTrend is the live heap's slope over
	// the measured window (trend.go). Absent when the record cannot give
	// them.
	Memory    *Memory `json:"memory,omitempty"`
	LiveTrend *Trend  `json:"live_heap_trend,omitempty"`

	// Latency is set for runs with latency events (scenarios).
	Latency *Latency `json:"latency,omitempty"`

	Profiles []record.Profile `json:"profiles,omitempty"`
	// Notes are the record's own notes ("warning: lost 3 pauses").
	Notes []string `json:"notes,omitempty"`
	// Warnings are doubts about the figures found while summarising; they
	// render as footnotes (JSON: their messages, see WriteJSON).
	Warnings []error `json:"-"`

	// ev are the record's events by kind, kept for the charts (Timeline,
	// Charts, MemoryOver) of a summary from Compute.
	ev events
	// held says ev holds the record's events (Compute); path is the file a
	// streamed summary was read from, read again for its charts.
	held bool
	path string
	// memBest is the most sources of the RSS's split a sample of the
	// measured window has (MemoryOver draws those samples).
	memBest int
	// traces are the record's execution-trace events (Traces).
	traces []record.Event
	// alpha places each gctrace cycle's GC CPU between its bounds in the
	// timeline (see pauseWeight).
	alpha float64
}

// Settings are the GC-relevant environment variables; "" means not set.
type Settings struct {
	GOGC         string `json:"GOGC,omitempty"`
	GOMEMLIMIT   string `json:"GOMEMLIMIT,omitempty"`
	GOMAXPROCS   string `json:"GOMAXPROCS,omitempty"`
	GODEBUG      string `json:"GODEBUG,omitempty"`
	GOEXPERIMENT string `json:"GOEXPERIMENT,omitempty"`
}

// Dist is the minimum, median and maximum of N values; N is 0 when nothing
// was measured.
type Dist struct {
	N      int     `json:"n"`
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
	// Sketched says the median is an estimate within sketchRelErr
	// (0.01%): past exactValues values a summary folds them into a sketch,
	// to read a record of any length in the same memory. N, Min and Max
	// stay exact.
	Sketched bool `json:"sketched,omitempty"`
}

// Cycles counts GC cycles. Automatic follows the runtime's own counting
// (/gc/cycles/automatic): it includes the Periodic cycles, the forced GC
// after two minutes without one. Forced cycles are runtime.GC calls.
type Cycles struct {
	Total     int     `json:"total"`
	Automatic int     `json:"automatic"`
	Periodic  int     `json:"periodic"`
	Forced    int     `json:"forced"`
	PerMinute float64 `json:"per_minute"`
	// From is "gc events", or "samples" when only the samples' cycle
	// counter was available (the kinds are then unknown).
	From string `json:"from,omitempty"`
	// Bounded counts cycles whose start and end are known.
	Bounded int `json:"bounded"`
}

// Methods of Pauses and Alloc.
const (
	PauseHist   = "single pauses, from pause histograms"
	PauseCycles = "per-cycle stop-the-world time, from GC events"
	// PauseCounts is a source that gives the count and total of the
	// cycles' stop-the-world times exactly but no single pause
	// (client_golang's go_gc_duration_seconds): no percentiles, and a
	// longest pause only where the source names one (Pauses.MaxNote).
	PauseCounts = "count and total of the cycles' stop-the-world times, exact; no single pauses"
	// PauseSamples is a source that gives no single pause and no pause
	// events, only samples of its exact cumulative pause total and of the
	// longest pause of its recent history (client_golang's
	// go_gc_duration_seconds sum and quantile="1", read from Prometheus).
	PauseSamples = "stop-the-world total from the source's cumulative counter; longest pause over its recent pause history"
	AllocSamples = "heap allocation counter between first and last sample"
	AllocGCTrace = "estimated from gctrace heap sizes"
)

// Pauses summarises stop-the-world pauses, in seconds.
type Pauses struct {
	// Count is the number of pauses (Method PauseHist) or cycles
	// (PauseCycles) that P50, P99 and Max are over.
	Count  int     `json:"count"`
	P50    float64 `json:"p50_seconds"`
	P99    float64 `json:"p99_seconds"`
	Max    float64 `json:"max_seconds"`
	Method string  `json:"method,omitempty"`
	// Longest is the longest single pause: the GC events' largest
	// PauseMaxSeconds when they have one, else Max.
	Longest float64 `json:"longest_seconds"`
	// Total is all stop-the-world time of the run.
	Total float64 `json:"total_seconds"`
	// MaxNote says what Longest is over where the source does not see
	// every pause (Method PauseCounts).
	MaxNote string `json:"max_note,omitempty"`
	// LongestIs says in words what Longest is, for the source at hand.
	LongestIs string `json:"longest_is,omitempty"`
}

// What Pauses.Longest is, by source.
const (
	LongestHist    = "the longest single stop-the-world pause, to the resolution of the runtime's pause histogram (the upper bound of its highest non-empty bucket)"
	LongestGCTrace = "the longest single stop-the-world phase (sweep termination or mark termination), from gctrace, to the microsecond"
	LongestCycle   = "the longest stop-the-world time of one cycle (its two pauses together: the source does not split them)"
	LongestRecent  = `the largest of the source's go_gc_duration_seconds{quantile="1"} over the window: each is the longest stop-the-world time of the last 256 cycles before its scrape, which may reach back before the window`
)

// HasQuantiles reports whether P50 and P99 were measured: not for a source
// that only counts and sums pauses (PauseCounts).
func (p Pauses) HasQuantiles() bool {
	return p.Method != "" && p.Method != PauseCounts && p.Method != PauseSamples
}

// Alloc is the heap allocation rate.
type Alloc struct {
	BytesPerSecond float64 `json:"bytes_per_second"`
	Method         string  `json:"method,omitempty"`
}

// Compute summarises run. It never fails: what the record lacks is left
// unknown and, where a reader would wonder, explained in Warnings.
func Compute(run *record.Run) Summary {
	ev := split(run.Events)
	from, _ := latencyStart(ev.latency)
	// Samples and cycles in order need no waiting for late ones.
	reorder, latest := 0.0, 0.0
	for _, e := range run.Events {
		if e.Sample != nil || e.GC != nil {
			if e.T < latest {
				reorder = math.Inf(1)
				break
			}
			latest = e.T
		}
	}
	b := newBuilder(run.Header.Source, from, math.Inf(1), reorder)
	for _, e := range run.Events {
		b.add(e)
	}
	s := b.summary(run.File, run.Header, run.Truncated)
	s.ev, s.held = ev, true
	return s
}

// latencyStart returns when the first latency interval began, and whether
// there is one.
func latencyStart(ls []timed[record.Latency]) (float64, bool) {
	if len(ls) == 0 {
		return 0, false
	}
	from := ls[0].T - ls[0].V.IntervalSeconds
	for _, l := range ls {
		from = math.Min(from, l.T-l.V.IntervalSeconds)
	}
	return from, true
}

// summary computes the Summary from what the builder gathered.
func (b *builder) summary(file string, h record.Header, truncated bool) Summary {
	b.flush()
	s := Summary{
		File: file, Source: h.Source, Command: h.Command, Program: h.Program, Scenario: h.Scenario, Params: h.Params, Labels: h.Labels,
		Settings: Settings{
			GOGC: h.Env["GOGC"], GOMEMLIMIT: h.Env["GOMEMLIMIT"], GOMAXPROCS: h.Env["GOMAXPROCS"],
			GODEBUG: h.Env["GODEBUG"], GOEXPERIMENT: h.Env["GOEXPERIMENT"],
		},
		GoVersion: h.GoVersion, GCImpl: h.GC, Host: h.Host, Start: h.Start,
	}
	s.DurationSeconds = b.last
	s.ending(b.end, truncated)
	s.cycles(b)
	s.pauses(b)
	load, from := b.load()
	s.MeasuredFrom = from
	s.gcCPU(load, b)
	if s.GCCPU.Method == "" && s.MeasuredFrom > 0 && load.gcs == 0 && b.nGCs > 0 {
		s.GCCPU = GCCPU{Method: CPUNoCycle}
	}
	s.heap(load)
	s.alloc(load)
	s.rss(load)
	s.memory(&load.mem)
	s.memBest = load.mem.best()
	s.LiveTrend = liveTrend(load)
	if s.RSS.N > 0 || s.RSSPeak > 0 {
		s.RSSPeak = math.Max(s.RSSPeak, math.Max(b.peak.peak, b.maxRSS))
	}
	s.Latency = b.lat.latency(s.Pauses, b.nGCs)
	if s.Latency != nil {
		s.Warnings = append(s.Warnings, s.Latency.warnings...)
	}
	for _, n := range b.notes {
		s.Notes = append(s.Notes, n.Level+": "+n.Message)
	}
	s.Profiles = b.profiles
	s.traces = b.traces
	s.alpha = pauseWeight(load.gt, s.GCCPU)
	s.warn(b)
	s.cpuWarnings()
	s.sketchWarnings(b)
	return s
}

// events holds the events of a record held whole that its charts are drawn
// from, by kind, each with its time; samples and cycles in time order.
type events struct {
	samples []timed[record.Sample]
	gcs     []timed[record.GC]
	pauses  []record.Pauses
	latency []timed[record.Latency]
}

type timed[T any] struct {
	T float64
	V T
}

func split(es []record.Event) events {
	var ev events
	for _, e := range es {
		switch {
		case e.Sample != nil:
			ev.samples = append(ev.samples, timed[record.Sample]{e.T, *e.Sample})
		case e.GC != nil:
			ev.gcs = append(ev.gcs, timed[record.GC]{e.T, *e.GC})
		case e.Pauses != nil:
			ev.pauses = append(ev.pauses, *e.Pauses)
		case e.Latency != nil:
			ev.latency = append(ev.latency, timed[record.Latency]{e.T, *e.Latency})
		}
	}
	sort.SliceStable(ev.samples, func(i, j int) bool { return ev.samples[i].T < ev.samples[j].T })
	sort.SliceStable(ev.gcs, func(i, j int) bool { return ev.gcs[i].T < ev.gcs[j].T })
	return ev
}

// Traces returns the record's execution-trace events, in record order:
// what a report analyses, without holding the record's other events.
func (s Summary) Traces() []record.Event { return s.traces }

func (s *Summary) ending(end *record.End, truncated bool) {
	s.End = end
	switch {
	case end == nil || truncated:
		s.CutShort = true
		s.Ended = "cut short (the record has no end event: gcprobe or the machine stopped mid-run)"
		if truncated {
			s.Ended = "cut short (the last line was incomplete: the writer was killed mid-run)"
		}
	default:
		s.Ended = endWords(end)
		if end.Reason == record.EndImported && s.Source == record.SourcePrometheus {
			s.Ended = "the imported range ends here (the program may still be running)"
		}
	}
}

// Incomplete says how a run that did not end as planned ended: "cut short:
// no end event", or the end's reason ("interrupted", "lost", "error: ...")
// when gcprobe or the user stopped it early or the process went away. It is
// "" for a run that ended normally (exited, was killed by a signal, stopped
// after --duration, or is an imported log), whose figures cover the run.
func (s Summary) Incomplete() string {
	switch e := s.End; {
	case e == nil:
		return "cut short: no end event"
	case e.Reason == record.EndInterrupted, e.Reason == record.EndError, e.Reason == record.EndLost:
		if e.Error != "" {
			return e.Reason + ": " + e.Error
		}
		return e.Reason
	}
	return ""
}

func endWords(e *record.End) string {
	switch e.Reason {
	case record.EndExit:
		return "exited with status " + itoa(e.ExitCode)
	case record.EndSignal:
		if e.Signal != "" {
			return "killed by " + e.Signal
		}
		return "killed by a signal"
	case record.EndDuration:
		return "stopped after --duration"
	case record.EndInterrupted:
		return "interrupted by the user"
	case record.EndLost:
		return "the observed process went away"
	case record.EndError:
		return "gcprobe failed: " + e.Error
	case record.EndImported:
		return "the imported log ends here (how the program ended is not known)"
	}
	return e.Reason
}

func (s *Summary) cycles(b *builder) {
	c := &s.Cycles
	if b.nGCs > 0 {
		c.From = "gc events"
		c.Total, c.Automatic, c.Periodic, c.Forced, c.Bounded = b.cyc.total, b.cyc.automatic, b.cyc.periodic, b.cyc.forced, b.cyc.bounded
	} else if sp := b.cycSamples; sp.ok() {
		c.From = "samples"
		c.Total = int(sp.last.V.GCCyclesTotal - sp.first.V.GCCyclesTotal)
		c.Automatic = c.Total
	}
	if s.DurationSeconds > 0 {
		c.PerMinute = float64(c.Total) / (s.DurationSeconds / 60)
	}
}

func (s *Summary) pauses(b *builder) {
	p := &s.Pauses
	pz := &b.pz
	h, agg := &pz.h, pz.agg
	switch {
	case h.n > 0:
		p.Method, p.Count = PauseHist, int(h.n)
		p.Max, p.Total = h.max(), h.sum()
		p.P50, p.P99 = math.Min(h.quantile(0.5), p.Max), math.Min(h.quantile(0.99), p.Max)
	case agg.n > 0:
		// No single pause is known, and none is made up.
		p.Method, p.Count, p.Total = PauseCounts, int(agg.n), agg.sum
		p.Max, p.Longest, p.MaxNote = agg.max, agg.max, agg.note
		p.LongestIs = agg.note
		return
	case pz.perCycle.n > 0:
		p.Method, p.Count = PauseCycles, pz.perCycle.n
		p.P50, p.P99 = pz.perCycle.quantile(0.5), pz.perCycle.quantile(0.99)
		p.Max = pz.perCycle.max
	case pz.samplePauses:
		p.Method = PauseSamples
	default:
		return
	}
	// A cumulative pause counter (Prometheus) is exact: it wins over
	// bucket midpoints. The longest pause is then the largest of the
	// source's recent maxima, each over the cycles before its scrape.
	if pz.samplePauses {
		p.Total = pz.top - pz.firstTotal
		if p.Method == PauseSamples {
			p.Max = pz.recent
		}
		p.Longest = math.Max(pz.recent, pz.maxPause)
		if p.Longest == 0 {
			p.Longest = p.Max
		}
		p.LongestIs = LongestRecent
		return
	}
	// The histograms hold every pause; GC events may miss those after the
	// last cycle (the probe's) but sum them exactly when they come from
	// gctrace, which has no histograms.
	if pz.total > 0 && h.n == 0 {
		p.Total = pz.total
	}
	p.Longest, p.LongestIs = p.Max, LongestCycle
	if h.n > 0 {
		p.LongestIs = LongestHist
	}
	if pz.maxPause > 0 {
		p.Longest, p.LongestIs = pz.maxPause, LongestHist // the probe's bucket bound
		if pz.gctrace {
			p.LongestIs = LongestGCTrace
		}
		if h.n > 0 {
			// Single pauses from histograms (a scenario has gctrace's
			// exact longest pause beside them): a percentile read off a
			// bucket's bound cannot pass the longest pause.
			p.P50, p.P99 = math.Min(p.P50, p.Longest), math.Min(p.P99, p.Longest)
		}
	}
}

func (s *Summary) heap(w *window) {
	live, goal := &w.gcLive, &w.gcGoal
	s.HeapFrom = "gc events"
	if w.traced {
		s.HeapResolutionBytes = 1 << 20
	}
	if live.n == 0 && goal.n == 0 {
		s.HeapFrom, s.HeapResolutionBytes = "samples", 0
		live, goal = &w.smpLive, &w.smpGoal
	}
	if live.n == 0 && goal.n == 0 {
		s.HeapFrom = ""
	}
	s.HeapLive, s.HeapGoal = live.dist(), goal.dist()
}

func (s *Summary) alloc(w *window) {
	sp := w.allocs
	if dt := sp.last.T - sp.first.T; sp.ok() && dt > 0 {
		s.Alloc = Alloc{float64(sp.last.V.AllocBytesTotal-sp.first.V.AllocBytesTotal) / dt, AllocSamples}
		return
	}
	if w.allocSecs > 0 {
		s.Alloc = Alloc{w.allocBytes / w.allocSecs, AllocGCTrace}
	}
}

func (s *Summary) rss(w *window) {
	s.RSSPeak = math.Max(s.RSSPeak, w.hwm.peak)
	if w.rss.n == 1 && (s.Source == record.SourceRun || s.Source == record.SourceScenario) {
		// The one sample of a run shorter than the sampling interval
		// is taken at exec, before the program's runtime started: its
		// RSS says nothing about the program.
		s.RSS, s.RSSPeak = Dist{}, 0
		s.Warnings = append(s.Warnings, errors.New("only one RSS sample, taken when the program started (the run was shorter than the sampling --interval): no RSS figures"))
		return
	}
	s.RSS = w.rss.dist()
	s.RSSPeak = math.Max(s.RSSPeak, s.RSS.Max)
	if s.RSS.N > 0 && s.HeapLive.N > 0 && s.HeapLive.Median > 0 {
		s.RSSOverLive = s.RSS.Median / s.HeapLive.Median
	}
}

// sketchWarnings says which medians and percentiles are estimates: those
// over more values than a summary keeps (exactValues).
func (s *Summary) sketchWarnings(b *builder) {
	var what []string
	for _, d := range []struct {
		name string
		d    Dist
	}{{"live heap", s.HeapLive}, {"heap goal", s.HeapGoal}, {"RSS", s.RSS}} {
		if d.d.Sketched {
			what = append(what, "the median "+d.name+" (over "+itoa(d.d.N)+" values)")
		}
	}
	if s.Pauses.Method == PauseCycles && b.pz.perCycle.sketched() {
		what = append(what, "pause p50 and p99 (over "+itoa(s.Pauses.Count)+" cycles)")
	}
	if len(what) > 0 {
		s.Warnings = append(s.Warnings, fmt.Errorf("%s: estimated within %s, from a sketch: a summary keeps at most %s values of a figure exactly, so that a record of any length is read in the same memory",
			strings.Join(what, ", "), units.Percent(sketchRelErr), units.Number(exactValues)))
	}
}

func (s *Summary) warn(b *builder) {
	c := s.Cycles
	switch {
	case c.Total == 0 && c.From == "" && b.nSamples == 0:
		s.Warnings = append(s.Warnings, errors.New("the record has no samples and no GC events: nothing was measured"))
	case c.Total == 0:
		s.Warnings = append(s.Warnings, errors.New("no GC cycles observed"))
	case c.Periodic == c.Total:
		s.Warnings = append(s.Warnings, errors.New("all cycles were periodic 2-minute GCs — the heap is not growing fast enough to trigger the pacer"))
	}
	if s.Pauses.Method == PauseCycles && s.Pauses.Count < 100 && s.Pauses.Count > 1 {
		s.Warnings = append(s.Warnings, errors.New("pause p99 is over only "+itoa(s.Pauses.Count)+" cycles: it is close to the maximum"))
	}
	if s.Pauses.Method == PauseHist && s.Pauses.Count < 100 && s.Pauses.Count > 1 {
		s.Warnings = append(s.Warnings, errors.New("pause p99 is over only "+itoa(s.Pauses.Count)+" pauses: it is close to the maximum"))
	}
}
