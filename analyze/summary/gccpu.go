package summary

import (
	"errors"
	"fmt"
	"math"

	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// GCCPU is the GC's share of the available CPU over the summary's window,
// as the Go runtime itself defines it: GC CPU time over GOMAXPROCS × wall
// time, between two GC cycle ends. Share leaves out idle-priority mark work,
// as the runtime's own GCCPUFraction and gctrace's "N%" do: idle mark
// workers run only on Ps that have nothing else to do, so they take no CPU
// from the program the way assists, dedicated workers and pauses do.
// IdleShare is that idle work, over the same available CPU.
//
// Both are overestimates of CPU cycles in one way the runtime documents: it
// times GC work by the wall clock, so time a GC thread spent waiting for the
// operating system to run it counts too. On a contended machine the GC CPU
// time can then exceed the process's own CPU time (ProcessSeconds, from
// /proc), and the summary warns.
type GCCPU struct {
	Share  float64 `json:"share"`
	Method string  `json:"method,omitempty"`
	// Low and High bound Share where it is estimated (from gctrace, whose
	// stop-the-world CPU includes the wait for the world to stop); they
	// equal Share where the runtime's own account was read.
	Low  float64 `json:"low,omitempty"`
	High float64 `json:"high,omitempty"`
	// IdleShare is idle-priority mark work over the same available CPU;
	// IdleKnown is false where the source does not tell it apart.
	IdleShare float64 `json:"idle_share,omitempty"`
	IdleKnown bool    `json:"idle_known,omitempty"`
	// GCSeconds is the GC CPU time of Share (without idle mark work),
	// IdleSeconds the idle mark work, AvailableSeconds the denominator
	// (GOMAXPROCS × wall time of the window).
	GCSeconds        float64 `json:"gc_seconds,omitempty"`
	IdleSeconds      float64 `json:"idle_seconds,omitempty"`
	AvailableSeconds float64 `json:"available_seconds,omitempty"`
	// ProcessSeconds is the process's own user+system CPU time over the
	// window's samples (0 when they have none): a ceiling that GCSeconds
	// should not exceed.
	ProcessSeconds float64 `json:"process_seconds,omitempty"`
}

// Methods of GCCPU.
const (
	CPURuntimeCycles = "the runtime's /cpu/classes, per GC cycle (between cycle ends)"
	CPURuntime       = "the runtime's /cpu/classes, between the first and the last cycle end of the samples"
	CPUFractionEnds  = "the runtime's GCCPUFraction at two cycle ends, times the uptime at each (idle mark work not included and not measured)"
	CPUGCTraceBound  = "gctrace: mark CPU as printed, stop-the-world CPU bounded (between none and GOMAXPROCS × its wall time), narrowed by gctrace's cumulative share"
	CPUGCTrace       = "gctrace's cumulative share at the last cycle (since the program started; printed in whole percent, rounded down)"
	CPUNoCycle       = "no GC cycle ended within the window: the runtime's CPU account did not move"
)

// CPUDefinition is the footnote that defines GC CPU share, once for every
// output.
const CPUDefinition = "GC CPU share: the Go runtime's own definition, GC CPU time (assists, dedicated and fractional mark workers, stop-the-world pauses) " +
	"over the available CPU time (GOMAXPROCS × wall time) between two GC cycle ends; idle-priority mark work, which runs only on otherwise idle Ps, is shown apart. " +
	"The runtime times GC work by the wall clock, so on a contended machine it may exceed the CPU time the process really got"

func fromGCTrace(g record.GC) bool { return g.Procs > 0 }

func (s *Summary) gcCPU(w *window, b *builder) {
	c, ok := runtimeCycles(w)
	if !ok {
		c, ok = runtimeSamples(w)
	}
	if !ok {
		c, ok = gctraceBound(w)
	}
	if !ok {
		c, ok = gctraceCumulative(w)
	}
	if !ok {
		c, ok = GCCPU{Method: CPUNoCycle}, w.cpuTotal.ok()
	}
	if !ok {
		return
	}
	// The process's CPU over the same samples as the window: a run's from
	// its exec, a measured load's from the load's first sample.
	fromStart := (s.Source == record.SourceRun || s.Source == record.SourceScenario) && s.MeasuredFrom == 0
	c.ProcessSeconds = processCPU(w, fromStart)
	s.GCCPU = c
}

// exact fills a GCCPU from the runtime's own account.
func exact(method string, gc, idle, avail float64, idleKnown bool) GCCPU {
	share := gc / avail
	c := GCCPU{Share: share, Low: share, High: share, Method: method, GCSeconds: gc, AvailableSeconds: avail, IdleKnown: idleKnown}
	if idleKnown {
		c.IdleSeconds, c.IdleShare = idle, idle/avail
	}
	return c
}

// runtimeCycles sums the GC events that carry the runtime's /cpu/classes
// changes (the probe's, the agent's): each covers the time from the end of
// the cycle before it to its own end.
func runtimeCycles(w *window) (GCCPU, bool) {
	if w.rt.avail <= 0 {
		return GCCPU{}, false
	}
	return exact(CPURuntimeCycles, w.rt.gc, w.rt.idle, w.rt.avail, true), true
}

// runtimeSamples takes the change of the runtime's CPU account between the
// first and the last sample. The account is a snapshot taken at each cycle
// end, so the window runs from the last cycle end before the first sample
// to the last one before the last sample. A window whose samples carry the
// account but in which it never moved had no cycle end: there is no GC CPU
// figure for it (not a lifetime one either).
func runtimeSamples(w *window) (GCCPU, bool) {
	first, last := w.cpuTotal.first, w.cpuTotal.last
	avail := last.V.TotalCPUSecondsTotal - first.V.TotalCPUSecondsTotal
	if !w.cpuTotal.ok() || avail <= 0 {
		return GCCPU{}, false
	}
	gc := last.V.GCCPUSecondsTotal - first.V.GCCPUSecondsTotal
	if last.V.GCCPUWithoutIdle {
		return exact(CPUFractionEnds, gc, 0, avail, false), true
	}
	idle := last.V.GCIdleCPUSecondsTotal - first.V.GCIdleCPUSecondsTotal
	return exact(CPURuntime, gc-idle, idle, avail, true), true
}

// printedSlack is how much larger than printed a gctrace CPU value may be:
// the runtime prints two significant digits, rounded down.
const printedSlack = 0.1

// initGap bounds the wall time between the start of the runtime's CPU
// account (schedinit) and the start of gctrace's clock (runtime.main): tens
// of microseconds on an idle machine, a few milliseconds on a busy one, and
// measured up to about 200 ms on a starved one, where a new process can
// wait that long to run its main goroutine. It only loosens the upper
// bounds, by at most (share+1%) × GOMAXPROCS × initGap of GC CPU time:
// much for a run of a second, nothing for one of minutes.
const initGap = 0.25

// usualInitGap is that gap on a busy but not starved machine (17-25 ms
// measured here): the estimate assumes it where it is consistent.
const usualInitGap = 0.03

// gctraceBound estimates the runtime's GC CPU time from gctrace cycles.
//
// gctrace prints the mark phase's assist, dedicated+fractional and idle
// times from the same counters as the runtime's account, but its two
// stop-the-world figures are the phases' wall time × min(GOMAXPROCS, CPUs),
// including the wait for the world to stop. The runtime counts that wait
// once per P that had stopped (stoppingCPUTime) and only the time after it
// at × GOMAXPROCS, and leaves out the restart; on a busy machine the wait is
// most of the phase. So a cycle's GC CPU (idle left out) lies between its
// printed mark CPU and that plus GOMAXPROCS × its pauses' wall time.
//
// gctrace's cumulative "N%" is the runtime's own share (idle left out) since
// the program started, rounded down to a whole percent: at every cycle of a
// stream read from cycle 1 it bounds the GC CPU since the start to one
// percentage point of the available CPU. The two kinds of bounds narrow
// each other (see cumulativeBounds); the estimate is the middle of what is
// left for the window.
func gctraceBound(w *window) (GCCPU, bool) {
	g := &w.gt
	if g.avail <= 0 {
		return GCCPU{}, false
	}
	lo, hi := windowBounds(g, 0)
	mid := (lo + hi) / 2
	// The bounds allow for a long start-up gap; the estimate takes the
	// usual one where that leaves a consistent, narrower interval inside.
	if tlo, thi := windowBounds(g, 1); tlo >= lo && thi <= hi && tlo <= thi {
		mid = (tlo + thi) / 2
	}
	return GCCPU{
		Share: mid / g.avail, Low: lo / g.avail, High: hi / g.avail, Method: CPUGCTraceBound,
		IdleShare: g.idle / g.avail, IdleKnown: true,
		GCSeconds: mid, IdleSeconds: g.idle, AvailableSeconds: g.avail,
	}, true
}

// windowBounds bounds the window's GC CPU time: the sum of its cycles'
// bounds, narrowed by the cumulative shares (allowing the start-up gap of
// chain i between the two clocks' starts).
func windowBounds(g *gctraceWindow, i int) (lo, hi float64) {
	lo, hi = g.lo, g.hi
	clo, chi, ok := cumulativeBounds(g, i)
	switch {
	case !ok:
	case math.Max(lo, clo) <= math.Min(hi, chi):
		lo, hi = math.Max(lo, clo), math.Min(hi, chi)
	default:
		// The two disagree: GOMAXPROCS changed, a mark termination
		// restarted (its aborted stop is in no printed phase), or the
		// runtime's account started long before gctrace's clock.
		// Neither is sure: the span of both.
		lo, hi = math.Max(math.Min(lo, clo), 0), math.Max(hi, chi)
	}
	return lo, hi
}

// cycleBounds bounds one gctrace cycle's GC CPU time as the runtime counts
// it, idle mark work left out.
func cycleBounds(g record.GC) (lo, hi float64) {
	mark := g.AssistCPUSeconds + g.BackgroundCPUSeconds
	// Each of the two mark values may be up to 1 µs more than printed
	// where it is printed with three decimals.
	return mark, mark*(1+printedSlack) + 2e-6 + float64(g.Procs)*g.PauseSeconds
}

// cumulativeBounds bounds the GC CPU time (idle left out) of the window's
// cycles, which must be consecutive, with gctrace's cumulative shares.
//
// Let X(k) be the runtime's GC CPU time from the program's start to the
// end of cycle k, and A(k) the available CPU time by then: the sum of the
// intervals of cycles 1 to k (the gctrace parser measures cycle 1's from the
// program's start). Cycle k printed u(k) = X(k)/A(k) rounded down to a
// percent, so X(k) is in [u(k)A(k), (u(k)+1%)A(k)); and X(k)-X(k-1) is in
// cycle k's own bounds. A pass forward and one backward narrow every X(k)
// by its neighbours' (chain); the window's bounds are then X(last) less
// X(first-1).
func cumulativeBounds(g *gctraceWindow, i int) (lo, hi float64, ok bool) {
	if g.n == 0 || !g.consecutive {
		return 0, 0, false
	}
	return g.obs[i].bounds(g.lastN)
}

// gctraceCumulative is the last cycle's cumulative share, for gctrace
// cycles without intervals: a figure since the program started.
func gctraceCumulative(w *window) (GCCPU, bool) {
	if f := w.cumFrac; f > 0 {
		return GCCPU{Share: f + 0.005, Low: f, High: f + 0.01, Method: CPUGCTrace}, true
	}
	return GCCPU{}, false
}

// processCPU is the process's CPU time between the first and the last
// sample that has one; from zero when the process started with the record
// (gcprobe run, scenarios), whose first sample is taken at exec.
func processCPU(w *window, fromStart bool) float64 {
	sp := w.procCPU
	if fromStart {
		if sp.n == 0 {
			return 0
		}
		return sp.last.V.CPUSecondsTotal
	}
	if !sp.ok() {
		return 0
	}
	return sp.last.V.CPUSecondsTotal - sp.first.V.CPUSecondsTotal
}

// cpuWarnings explains the GC CPU figure where a reader would doubt it.
func (s *Summary) cpuWarnings() {
	c := s.GCCPU
	switch {
	case c.Method == "" && s.Source == record.SourceAttach && s.Cycles.Total > 0:
		s.Warnings = append(s.Warnings, errors.New("GC CPU share: not measurable from this source (it exports neither the runtime's /cpu/classes nor a GCCPUFraction at cycle ends with the process's start time)"))
	case c.ProcessSeconds > 0 && c.GCSeconds > c.ProcessSeconds:
		s.Warnings = append(s.Warnings, fmt.Errorf(
			"the GC CPU time claimed (%s, the runtime's wall-clock account) exceeds the process's own CPU time over the same samples (%s, from /proc): "+
				"the machine was contended and GC threads waited for a CPU; read the share as GOMAXPROCS time the GC held, not CPU cycles it used",
			units.Seconds(c.GCSeconds), units.Seconds(c.ProcessSeconds)))
	}
}
