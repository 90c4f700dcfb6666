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

func (s *Summary) gcCPU(ev, all events) {
	c, ok := runtimeCycles(ev.gcs)
	if !ok {
		c, ok = runtimeSamples(ev.samples)
	}
	if !ok {
		c, ok = gctraceBound(ev.gcs, all.gcs)
	}
	if !ok {
		c, ok = gctraceCumulative(ev.gcs)
	}
	if !ok {
		c, ok = noCycleEnded(ev.samples)
	}
	if !ok {
		return
	}
	// The process's CPU over the same samples as the window: a run's from
	// its exec, a measured load's from the load's first sample.
	fromStart := (s.Source == record.SourceRun || s.Source == record.SourceScenario) && s.MeasuredFrom == 0
	c.ProcessSeconds = processCPU(ev.samples, fromStart)
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
func runtimeCycles(gcs []timed[record.GC]) (GCCPU, bool) {
	var gc, idle, avail float64
	for _, g := range gcs {
		if !fromGCTrace(g.V) && g.V.IntervalCPUSeconds > 0 {
			gc += g.V.GCCPUSeconds - g.V.IdleCPUSeconds
			idle += g.V.IdleCPUSeconds
			avail += g.V.IntervalCPUSeconds
		}
	}
	if avail <= 0 {
		return GCCPU{}, false
	}
	return exact(CPURuntimeCycles, gc, idle, avail, true), true
}

// runtimeSamples takes the change of the runtime's CPU account between the
// first and the last sample. The account is a snapshot taken at each cycle
// end, so the window runs from the last cycle end before the first sample
// to the last one before the last sample.
func runtimeSamples(ss []timed[record.Sample]) (GCCPU, bool) {
	first, last, ok := sampleSpan(ss, func(x record.Sample) bool { return x.TotalCPUSecondsTotal > 0 })
	avail := last.V.TotalCPUSecondsTotal - first.V.TotalCPUSecondsTotal
	if !ok || avail <= 0 {
		return GCCPU{}, false
	}
	gc := last.V.GCCPUSecondsTotal - first.V.GCCPUSecondsTotal
	if last.V.GCCPUWithoutIdle {
		return exact(CPUFractionEnds, gc, 0, avail, false), true
	}
	idle := last.V.GCIdleCPUSecondsTotal - first.V.GCIdleCPUSecondsTotal
	return exact(CPURuntime, gc-idle, idle, avail, true), true
}

// noCycleEnded reports a window whose samples carry the runtime's CPU
// account but in which it never moved: no cycle ended, so there is no GC
// CPU figure for the window (not a lifetime one either).
func noCycleEnded(ss []timed[record.Sample]) (GCCPU, bool) {
	_, _, ok := sampleSpan(ss, func(x record.Sample) bool { return x.TotalCPUSecondsTotal > 0 })
	if !ok {
		return GCCPU{}, false
	}
	return GCCPU{Method: CPUNoCycle}, true
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
func gctraceBound(window, all []timed[record.GC]) (GCCPU, bool) {
	var idle, avail float64
	var in []record.GC
	for _, g := range window {
		if fromGCTrace(g.V) && g.V.IntervalCPUSeconds > 0 {
			in = append(in, g.V)
			idle += g.V.IdleCPUSeconds
			avail += g.V.IntervalCPUSeconds
		}
	}
	if avail <= 0 {
		return GCCPU{}, false
	}
	lo, hi := windowBounds(in, all, initGap)
	mid := (lo + hi) / 2
	// The bounds allow for a long start-up gap; the estimate takes the
	// usual one where that leaves a consistent, narrower interval inside.
	if tlo, thi := windowBounds(in, all, usualInitGap); tlo >= lo && thi <= hi && tlo <= thi {
		mid = (tlo + thi) / 2
	}
	return GCCPU{
		Share: mid / avail, Low: lo / avail, High: hi / avail, Method: CPUGCTraceBound,
		IdleShare: idle / avail, IdleKnown: true,
		GCSeconds: mid, IdleSeconds: idle, AvailableSeconds: avail,
	}, true
}

// windowBounds bounds the window's GC CPU time: the sum of its cycles'
// bounds, narrowed by the cumulative shares (allowing gap seconds between
// the two clocks' starts).
func windowBounds(in []record.GC, all []timed[record.GC], gap float64) (lo, hi float64) {
	for _, g := range in {
		l, h := cycleBounds(g)
		lo, hi = lo+l, hi+h
	}
	clo, chi, ok := cumulativeBounds(in, all, gap)
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
// by its neighbours'; the window's bounds are then X(last) less X(first-1).
func cumulativeBounds(in []record.GC, all []timed[record.GC], gap float64) (lo, hi float64, ok bool) {
	if len(in) == 0 {
		return 0, 0, false
	}
	for i := 1; i < len(in); i++ {
		if in[i].N != in[i-1].N+1 {
			return 0, 0, false
		}
	}
	// The chain of cycles from cycle 1, in order, without gaps.
	var chain []record.GC
	for _, g := range all {
		if fromGCTrace(g.V) && g.V.IntervalCPUSeconds > 0 && g.V.N == uint64(len(chain))+1 {
			chain = append(chain, g.V)
		}
	}
	first, last := in[0].N, in[len(in)-1].N
	if uint64(len(chain)) < last {
		return 0, 0, false
	}
	chain = chain[:last]
	const step = 0.01 // a whole percent
	n := len(chain)
	xlo, xhi := make([]float64, n+1), make([]float64, n+1) // X(0) = 0
	cyclo, cychi := make([]float64, n+1), make([]float64, n+1)
	avail := 0.0
	for k := 1; k <= n; k++ {
		g := chain[k-1]
		avail += g.IntervalCPUSeconds
		cyclo[k], cychi[k] = cycleBounds(g)
		u := g.CumulativeGCCPUFraction
		// The runtime's account starts a little before the program's
		// clock does (at its first procresize, before runtime.main):
		// by at most gap seconds of wall time, more available CPU.
		xlo[k] = math.Max(u*avail, xlo[k-1]+cyclo[k])
		xhi[k] = math.Min((u+step)*(avail+float64(g.Procs)*gap), xhi[k-1]+cychi[k])
	}
	for k := n - 1; k >= 1; k-- {
		xlo[k] = math.Max(xlo[k], xlo[k+1]-cychi[k+1])
		xhi[k] = math.Min(xhi[k], xhi[k+1]-cyclo[k+1])
	}
	for k := 1; k <= n; k++ {
		if xlo[k] > xhi[k] {
			return 0, 0, false // inconsistent: see gctraceBound
		}
	}
	a := first - 1
	return xlo[last] - xhi[a], xhi[last] - xlo[a], true
}

// gctraceCumulative is the last cycle's cumulative share, for gctrace
// cycles without intervals: a figure since the program started.
func gctraceCumulative(gcs []timed[record.GC]) (GCCPU, bool) {
	for i := len(gcs) - 1; i >= 0; i-- {
		if f := gcs[i].V.CumulativeGCCPUFraction; f > 0 {
			return GCCPU{Share: f + 0.005, Low: f, High: f + 0.01, Method: CPUGCTrace}, true
		}
	}
	return GCCPU{}, false
}

// processCPU is the process's CPU time between the first and the last
// sample that has one; from zero when the process started with the record
// (gcprobe run, scenarios), whose first sample is taken at exec.
func processCPU(ss []timed[record.Sample], fromStart bool) float64 {
	if fromStart {
		for i := len(ss) - 1; i >= 0; i-- {
			if c := ss[i].V.CPUSecondsTotal; c > 0 {
				return c
			}
		}
		return 0
	}
	first, last, ok := sampleSpan(ss, func(x record.Sample) bool { return x.CPUSecondsTotal > 0 })
	if !ok {
		return 0
	}
	return last.V.CPUSecondsTotal - first.V.CPUSecondsTotal
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
