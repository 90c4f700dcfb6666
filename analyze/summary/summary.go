package summary

import (
	"errors"
	"math"
	"sort"
	"time"

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

	// ev are the record's events by kind, kept for Timeline.
	ev events
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
	return compute(run.File, run.Header, ev, run.End(), run.Truncated)
}

// compute summarises a record's events, split by kind; end is its last
// end event (nil for none).
func compute(file string, h record.Header, ev events, end *record.End, truncated bool) Summary {
	s := Summary{
		File: file, Source: h.Source, Command: h.Command, Program: h.Program, Scenario: h.Scenario, Params: h.Params, Labels: h.Labels,
		Settings: Settings{
			GOGC: h.Env["GOGC"], GOMEMLIMIT: h.Env["GOMEMLIMIT"], GOMAXPROCS: h.Env["GOMAXPROCS"],
			GODEBUG: h.Env["GODEBUG"], GOEXPERIMENT: h.Env["GOEXPERIMENT"],
		},
		GoVersion: h.GoVersion, GCImpl: h.GC, Host: h.Host, Start: h.Start,
	}
	s.DurationSeconds = ev.last
	s.ending(end, truncated)
	s.cycles(ev)
	s.pauses(ev)
	load := ev
	if from, ok := measuredFrom(ev); ok {
		s.MeasuredFrom = from
		load = ev.from(from)
	}
	s.gcCPU(load, ev)
	if s.GCCPU.Method == "" && s.MeasuredFrom > 0 && len(load.gcs) == 0 && len(ev.gcs) > 0 {
		s.GCCPU = GCCPU{Method: CPUNoCycle}
	}
	s.heap(load)
	s.alloc(load)
	s.rss(load)
	s.memory(load)
	s.LiveTrend = liveTrend(load)
	if s.RSS.N > 0 || s.RSSPeak > 0 {
		s.RSSPeak = math.Max(s.RSSPeak, peakRSS(ev, s.Source))
	}
	if len(ev.latency) > 0 {
		s.Latency = computeLatency(ev, s.Pauses)
		s.Warnings = append(s.Warnings, s.Latency.warnings...)
	}
	for _, n := range ev.notes {
		s.Notes = append(s.Notes, n.Level+": "+n.Message)
	}
	s.Profiles = ev.profiles
	s.ev = ev
	s.warn(ev)
	s.cpuWarnings()
	return s
}

// events holds a record's events by kind, each with its time.
type events struct {
	samples  []timed[record.Sample]
	gcs      []timed[record.GC]
	pauses   []record.Pauses
	latency  []timed[record.Latency]
	notes    []record.Note
	profiles []record.Profile
	// traces are the execution-trace events, for the report to analyse.
	traces []record.Event
	last   float64 // the latest time of any event
}

type timed[T any] struct {
	T float64
	V T
}

func split(es []record.Event) events {
	var ev events
	for _, e := range es {
		ev.add(e)
	}
	ev.sort()
	return ev
}

// add files one event under its kind.
func (ev *events) add(e record.Event) {
	ev.last = math.Max(ev.last, e.T)
	switch {
	case e.Sample != nil:
		ev.samples = append(ev.samples, timed[record.Sample]{e.T, *e.Sample})
	case e.GC != nil:
		ev.gcs = append(ev.gcs, timed[record.GC]{e.T, *e.GC})
		ev.last = math.Max(ev.last, e.GC.EndSeconds)
	case e.Pauses != nil:
		ev.pauses = append(ev.pauses, *e.Pauses)
	case e.Latency != nil:
		ev.latency = append(ev.latency, timed[record.Latency]{e.T, *e.Latency})
	case e.Note != nil:
		ev.notes = append(ev.notes, *e.Note)
	case e.Profile != nil:
		ev.profiles = append(ev.profiles, *e.Profile)
	case e.Trace != nil:
		ev.traces = append(ev.traces, e)
	}
}

// Traces returns the record's execution-trace events, in record order:
// what a report analyses, without holding the record's other events.
func (s Summary) Traces() []record.Event { return s.ev.traces }

// sort orders samples and cycles by time, once all are added.
func (ev *events) sort() {
	sort.SliceStable(ev.samples, func(i, j int) bool { return ev.samples[i].T < ev.samples[j].T })
	sort.SliceStable(ev.gcs, func(i, j int) bool { return ev.gcs[i].T < ev.gcs[j].T })
}

// measuredFrom returns when the first latency interval began, if the run
// has latency events and at least one GC cycle or two samples after it.
func measuredFrom(ev events) (float64, bool) {
	if len(ev.latency) == 0 {
		return 0, false
	}
	from := ev.latency[0].T - ev.latency[0].V.IntervalSeconds
	for _, l := range ev.latency {
		from = math.Min(from, l.T-l.V.IntervalSeconds)
	}
	// Latency from (about) the start leaves nothing worth setting apart;
	// binarytrees, for one, times its trees from its first millisecond.
	if from <= 0.02*ev.last {
		return 0, false
	}
	after := ev.from(from)
	return from, len(after.gcs) > 0 || len(after.samples) >= 2
}

// from returns the samples taken and the GC cycles started at or after t
// (a cycle without a known start counts by when it was noticed).
func (ev events) from(t float64) events {
	out := ev
	out.samples, out.gcs = nil, nil
	for _, x := range ev.samples {
		if x.T >= t {
			out.samples = append(out.samples, x)
		}
	}
	for _, g := range ev.gcs {
		start := g.T
		if g.V.Bounded() {
			start = g.V.StartSeconds
		}
		if start >= t {
			out.gcs = append(out.gcs, g)
		}
	}
	return out
}

// peakRSS is the high-water mark over every sample of the run.
func peakRSS(ev events, source string) float64 {
	peak := hwm(ev.samples, source)
	for _, x := range ev.samples {
		peak = math.Max(peak, float64(x.V.RSSBytes))
	}
	return peak
}

// hwm is the highest RSS high-water mark (VmHWM) of the samples that is
// the record's own. gcprobe run and the scenarios sample from the program's
// start, so its every mark is; an attach session's first sample shows a mark
// that can be from long before (a program whose RSS fell since), which is
// not the session's peak: there only a mark that rose past the first one is
// (a peak between two samples), and 0 means none rose.
func hwm(ss []timed[record.Sample], source string) float64 {
	first, peak := 0.0, 0.0
	for _, x := range ss {
		switch h := float64(x.V.RSSPeakBytes); {
		case h == 0:
		case source != record.SourceAttach:
			peak = math.Max(peak, h)
		case first == 0:
			first = h
		case h > first:
			peak = math.Max(peak, h)
		}
	}
	return peak
}

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

func (s *Summary) cycles(ev events) {
	c := &s.Cycles
	if len(ev.gcs) > 0 {
		c.From = "gc events"
		for _, g := range ev.gcs {
			c.Total++
			switch {
			case g.V.Forced:
				c.Forced++
			case g.V.Periodic:
				c.Periodic++
				c.Automatic++
			default:
				c.Automatic++
			}
			if g.V.Bounded() {
				c.Bounded++
			}
		}
	} else if first, last, ok := sampleSpan(ev.samples, func(x record.Sample) bool { return x.GCCyclesTotal > 0 || s.Source == record.SourcePrometheus }); ok {
		// A Prometheus import always has the counter: 0 is no cycle yet.
		c.From = "samples"
		c.Total = int(last.V.GCCyclesTotal - first.V.GCCyclesTotal)
		c.Automatic = c.Total
	}
	if s.DurationSeconds > 0 {
		c.PerMinute = float64(c.Total) / (s.DurationSeconds / 60)
	}
}

// sampleSpan returns the first and last samples for which ok holds.
func sampleSpan(ss []timed[record.Sample], ok func(record.Sample) bool) (first, last timed[record.Sample], found bool) {
	n := 0
	for _, x := range ss {
		if ok(x.V) {
			if n == 0 {
				first = x
			}
			last = x
			n++
		}
	}
	return first, last, n >= 2
}

func (s *Summary) pauses(ev events) {
	p := &s.Pauses
	var h hist
	var agg struct {
		n        uint64
		sum, max float64
		note     string
	}
	for _, x := range ev.pauses {
		h.add(x.Buckets)
		agg.n += x.Count
		agg.sum += x.SumSeconds
		if x.MaxSeconds > agg.max {
			agg.max, agg.note = x.MaxSeconds, x.MaxNote
		}
	}
	var perCycle []float64
	var total, maxPause float64
	for _, g := range ev.gcs {
		if g.V.PauseSeconds > 0 {
			perCycle = append(perCycle, g.V.PauseSeconds)
			total += g.V.PauseSeconds
		}
		maxPause = math.Max(maxPause, g.V.PauseMaxSeconds)
	}
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
	case len(perCycle) > 0:
		p.Method, p.Count = PauseCycles, len(perCycle)
		p.P50, p.P99 = quantileOf(perCycle, 0.5), quantileOf(perCycle, 0.99)
		p.Max = perCycle[len(perCycle)-1] // sorted by quantileOf
	case samplePauses(ev.samples):
		p.Method = PauseSamples
	default:
		return
	}
	// A cumulative pause counter (Prometheus) is exact: it wins over
	// bucket midpoints. The longest pause is then the largest of the
	// source's recent maxima, each over the cycles before its scrape.
	if samplePauses(ev.samples) {
		var recent, top float64
		for _, x := range ev.samples {
			recent = math.Max(recent, x.V.PauseMaxRecentSeconds)
			top = math.Max(top, x.V.PauseSecondsTotal) // continuous across restarts
		}
		p.Total = top - ev.samples[0].V.PauseSecondsTotal
		if p.Method == PauseSamples {
			p.Max = recent
		}
		p.Longest = math.Max(recent, maxPause)
		if p.Longest == 0 {
			p.Longest = p.Max
		}
		p.LongestIs = LongestRecent
		return
	}
	// The histograms hold every pause; GC events may miss those after the
	// last cycle (the probe's) but sum them exactly when they come from
	// gctrace, which has no histograms.
	if total > 0 && h.n == 0 {
		p.Total = total
	}
	p.Longest, p.LongestIs = p.Max, LongestCycle
	if h.n > 0 {
		p.LongestIs = LongestHist
	}
	if maxPause > 0 {
		p.Longest, p.LongestIs = maxPause, LongestHist // the probe's bucket bound
		if gctraceEvents(ev.gcs) {
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

// gctraceEvents reports whether the GC events came from gctrace.
func gctraceEvents(gcs []timed[record.GC]) bool {
	for _, g := range gcs {
		if fromGCTrace(g.V) {
			return true
		}
	}
	return false
}

// samplePauses reports whether samples carry a cumulative pause total.
func samplePauses(ss []timed[record.Sample]) bool {
	for _, x := range ss {
		if x.V.PauseSecondsTotal > 0 {
			return true
		}
	}
	return false
}

func (s *Summary) heap(ev events) {
	var live, goal []float64
	traced := false
	for _, g := range ev.gcs {
		// gctrace prints whole MB rounded down: "-> 0 MB" is a live heap
		// under 1 MiB, a measurement like any other. Elsewhere 0 means
		// the source did not say.
		tr := fromGCTrace(g.V)
		traced = traced || tr
		if g.V.HeapLiveBytes > 0 || tr {
			live = append(live, float64(g.V.HeapLiveBytes))
		}
		if g.V.HeapGoalBytes > 0 {
			goal = append(goal, float64(g.V.HeapGoalBytes))
		}
	}
	s.HeapFrom = "gc events"
	if traced {
		s.HeapResolutionBytes = 1 << 20
	}
	if len(live) == 0 && len(goal) == 0 {
		s.HeapFrom, s.HeapResolutionBytes = "samples", 0
		for _, x := range ev.samples {
			if x.V.HeapLiveBytes > 0 {
				live = append(live, float64(x.V.HeapLiveBytes))
			}
			// While the GC is off the runtime reports a goal near the
			// largest int64: not a goal any heap reaches.
			if x.V.HeapGoalBytes > 0 && x.V.HeapGoalBytes < 1<<50 {
				goal = append(goal, float64(x.V.HeapGoalBytes))
			}
		}
	}
	if len(live) == 0 && len(goal) == 0 {
		s.HeapFrom = ""
	}
	s.HeapLive, s.HeapGoal = dist(live), dist(goal)
}

func (s *Summary) alloc(ev events) {
	first, last, ok := sampleSpan(ev.samples, func(x record.Sample) bool { return x.AllocBytesTotal > 0 })
	if dt := last.T - first.T; ok && dt > 0 {
		s.Alloc = Alloc{float64(last.V.AllocBytesTotal-first.V.AllocBytesTotal) / dt, AllocSamples}
		return
	}
	// gctrace: between the end of cycle i-1 and the end of cycle i the
	// program allocated about HeapEnd(i) - HeapLive(i-1).
	var bytes, secs float64
	for i := 1; i < len(ev.gcs); i++ {
		prev, cur := ev.gcs[i-1], ev.gcs[i]
		if prev.V.HeapLiveBytes == 0 || cur.V.HeapEndBytes == 0 {
			continue
		}
		bytes += math.Max(0, float64(cur.V.HeapEndBytes)-float64(prev.V.HeapLiveBytes))
		secs += endTime(cur) - endTime(prev)
	}
	if secs > 0 {
		s.Alloc = Alloc{bytes / secs, AllocGCTrace}
	}
}

// endTime is when a cycle ended, or when it was noticed.
func endTime(g timed[record.GC]) float64 { return g.V.When(g.T) }

func (s *Summary) rss(ev events) {
	var rss []float64
	for _, x := range ev.samples {
		if x.V.RSSBytes > 0 {
			rss = append(rss, float64(x.V.RSSBytes))
		}
	}
	s.RSSPeak = math.Max(s.RSSPeak, hwm(ev.samples, s.Source))
	if len(rss) == 1 && (s.Source == record.SourceRun || s.Source == record.SourceScenario) {
		// The one sample of a run shorter than the sampling interval
		// is taken at exec, before the program's runtime started: its
		// RSS says nothing about the program.
		s.RSS, s.RSSPeak = Dist{}, 0
		s.Warnings = append(s.Warnings, errors.New("only one RSS sample, taken when the program started (the run was shorter than the sampling --interval): no RSS figures"))
		return
	}
	s.RSS = dist(rss)
	s.RSSPeak = math.Max(s.RSSPeak, s.RSS.Max)
	if s.RSS.N > 0 && s.HeapLive.N > 0 && s.HeapLive.Median > 0 {
		s.RSSOverLive = s.RSS.Median / s.HeapLive.Median
	}
}

func (s *Summary) warn(ev events) {
	c := s.Cycles
	switch {
	case c.Total == 0 && c.From == "" && len(ev.samples) == 0:
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
