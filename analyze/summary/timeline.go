package summary

import (
	"math"

	"github.com/gcprobe/gcprobe/record"
)

// Timeline is what a run's charts draw over time, computed by the summary
// from the events it sorted by kind, so that a renderer (the report) never
// walks the events itself. Times are seconds on the record's clock; a point
// is kept only where its value was measured (positive, not NaN).
type Timeline struct {
	// Cycles are the GC cycles whose start and end the source recorded,
	// sorted by start; Marks are when the other cycles were noticed.
	Cycles []Span
	Marks  []float64
	// End is the time the record covers (DurationSeconds).
	End float64

	// RSS, HeapLive and HeapGoal are per sample; HeapLive and HeapGoal
	// come from the GC cycles instead when no sample has them (gctrace
	// knows them per cycle only). A heap goal of a disabled GC is left out.
	RSS, HeapLive, HeapGoal Points
	// HeapLivePerCycle says HeapLive is per cycle.
	HeapLivePerCycle bool

	// PauseLongest and PauseTotal are each cycle's longest stop-the-world
	// pause and all of its stop-the-world time, at the cycle's end.
	PauseLongest, PauseTotal Points
	// PauseBuckets are the runtime's pause histogram, bucket by bucket as
	// recorded (the top bucket's bound +Inf); when the source has no
	// histogram, each cycle's pauses as single values (Lo = Hi).
	PauseBuckets []record.Bucket

	// GCShare is the GC's share of available CPU per cycle, over the
	// interval between the ends of two cycles, as GCCPU defines it (idle
	// marking left out; for gctrace, see cycleGC); when the source does not
	// give it, GCShareSinceStart says GCShare is the since-start share
	// gctrace prints instead.
	GCShare           Points
	GCShareSinceStart bool
	// GCCPU and AvailableCPU are, for each point of a per-cycle GCShare,
	// the cycle's GC CPU seconds (as GCShare counts them) and the CPU
	// seconds available over its
	// interval, so that a chart can add them up over a span of time (a
	// share of a span is a sum over a sum, not a median of shares).
	GCCPU, AvailableCPU []float64

	// LatencyP99 and LatencyMax are per latency interval of all requests;
	// a record with latency split by operation only has none, since one
	// operation's p99 would mislead.
	LatencyP99, LatencyMax Points
}

// Span is a closed interval on the record's clock.
type Span struct{ Lo, Hi float64 }

// Points are values over time.
type Points struct{ T, V []float64 }

// add appends (t, v) when v was measured.
func (p *Points) add(t, v float64) {
	if v > 0 && !math.IsNaN(v) {
		p.T = append(p.T, t)
		p.V = append(p.V, v)
	}
}

// gcOffGoal is a heap goal no real heap reaches: the runtime reports a
// goal near the largest int64 while the GC is off (GOGC=off, or
// debug.SetGCPercent(-1)), which would flatten every other line.
const gcOffGoal = 1 << 50

// Timeline returns the run's series over time. It is computed on demand:
// only the report draws them, and the per-interval quantiles cost more than
// the rest of the summary.
//
// The timeline needs the record's events: a summary from Compute or
// ReadRunCharts has them; one from Read has not, and its timeline is empty.
func (s Summary) Timeline() Timeline {
	return timeline(s.ev, s.DurationSeconds, s.alpha)
}

// timeline computes the charts' values; alpha places each gctrace cycle's
// GC CPU between its bounds (see pauseWeight).
func timeline(ev events, end, alpha float64) Timeline {
	tl := Timeline{End: end}
	for _, sp := range cycleSpans(ev.gcs) {
		tl.Cycles = append(tl.Cycles, Span{sp.lo, sp.hi})
	}
	for _, s := range ev.samples {
		tl.RSS.add(s.T, float64(s.V.RSSBytes))
		tl.HeapLive.add(s.T, float64(s.V.HeapLiveBytes))
		if s.V.HeapGoalBytes < gcOffGoal {
			tl.HeapGoal.add(s.T, float64(s.V.HeapGoalBytes))
		}
	}
	var live, goal, share, since Points
	var fromCycles []record.Bucket
	for _, g := range ev.gcs {
		if !g.V.Bounded() {
			tl.Marks = append(tl.Marks, g.T)
		}
		t := g.V.When(g.T)
		live.add(g.T, float64(g.V.HeapLiveBytes))
		goal.add(g.T, float64(g.V.HeapGoalBytes))
		tl.PauseLongest.add(t, g.V.PauseMaxSeconds)
		tl.PauseTotal.add(t, g.V.PauseSeconds)
		fromCycles = append(fromCycles, cyclePauses(g.V)...)
		if g.V.IntervalCPUSeconds > 0 {
			n := len(share.T)
			gc := cycleGC(g.V, alpha)
			share.add(t, gc/g.V.IntervalCPUSeconds)
			if len(share.T) > n {
				tl.GCCPU, tl.AvailableCPU = append(tl.GCCPU, gc), append(tl.AvailableCPU, g.V.IntervalCPUSeconds)
			}
		}
		since.add(t, g.V.CumulativeGCCPUFraction)
	}
	if len(tl.HeapLive.T) == 0 {
		tl.HeapLive, tl.HeapLivePerCycle = live, len(live.T) > 0
	}
	if len(tl.HeapGoal.T) == 0 {
		tl.HeapGoal = goal
	}
	tl.GCShare = share
	if len(share.T) == 0 {
		tl.GCShare, tl.GCShareSinceStart = since, true
		tl.GCCPU, tl.AvailableCPU = nil, nil
	}
	for _, p := range ev.pauses {
		for _, b := range p.Buckets {
			b.Hi = b.Upper()
			tl.PauseBuckets = append(tl.PauseBuckets, b)
		}
	}
	if len(tl.PauseBuckets) == 0 {
		tl.PauseBuckets = fromCycles
	}
	tl.latency(ev.latency)
	return tl
}

// cyclePauses are a cycle's pauses as single values: gctrace gives two, the
// longest and the rest; other sources the total only.
func cyclePauses(g record.GC) []record.Bucket {
	one := func(s float64) record.Bucket { return record.Bucket{Lo: s, Hi: s, Count: 1} }
	switch {
	case g.PauseMaxSeconds > 0:
		bs := []record.Bucket{one(g.PauseMaxSeconds)}
		if rest := g.PauseSeconds - g.PauseMaxSeconds; rest > 0 {
			bs = append(bs, one(rest))
		}
		return bs
	case g.PauseSeconds > 0:
		return []record.Bucket{one(g.PauseSeconds)}
	}
	return nil
}

func (tl *Timeline) latency(ls []timed[record.Latency]) {
	for _, l := range ls {
		if l.V.Op != "" {
			continue
		}
		tl.LatencyP99.add(l.T, Quantile(l.V.Buckets, 0.99))
		tl.LatencyMax.add(l.T, l.V.MaxSeconds)
	}
}

// pauseWeight is where, between its bounds, a gctrace cycle's GC CPU is
// drawn: the place at which the bounds of the summary's window, summed
// over its cycles, meet the window's estimate (0 at the lower bound, 1 at
// the upper). One weight for the run: how long the world took to stop
// depends on how busy the machine was, which a chart of one run cannot
// tell cycle by cycle.
func pauseWeight(g gctraceWindow, c GCCPU) float64 {
	if c.Method != CPUGCTraceBound {
		return 0.5
	}
	if g.hi <= g.lo {
		return 0.5
	}
	return math.Min(1, math.Max(0, (c.GCSeconds-g.lo)/(g.hi-g.lo)))
}

// cycleGC is a cycle's GC CPU time as GCCPU counts it: without idle
// marking, and from gctrace between the cycle's bounds at weight alpha.
func cycleGC(g record.GC, alpha float64) float64 {
	if !fromGCTrace(g) {
		return g.GCCPUSeconds - g.IdleCPUSeconds
	}
	lo, hi := cycleBounds(g)
	return lo + alpha*(hi-lo)
}
