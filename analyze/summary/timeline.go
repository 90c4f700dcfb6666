package summary

import (
	"errors"
	"io"
	"math"
	"os"
	"slices"
	"sort"

	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// Timeline is what a run's charts draw over time, computed by the summary
// from the record's events, so that a renderer (the report) never walks the
// events itself. Times are seconds on the record's clock; a point is kept
// only where its value was measured (positive, not NaN).
//
// Asked for with a number of columns (Charts), the timeline aggregates
// what is too dense to draw one by one into those columns of [0, End), as
// it reads the events, so that its size does not grow with the record:
// GC cycles past one a column become each column's share of time in GC
// (Coverage, CycleEnds), a series past two values a column its minimum,
// median and maximum per column (Points.Band).
type Timeline struct {
	// Cycles are the GC cycles whose start and end the source recorded,
	// sorted by start; Marks are when the other cycles were noticed. Both
	// are nil when aggregated (Columns > 0 and more cycles than columns).
	Cycles []Span
	Marks  []float64
	// End is the time the record covers (DurationSeconds).
	End float64

	// Columns is the number of columns of [0, End) the dense parts are
	// aggregated into (0: nothing is).
	Columns int
	// NCycles and NMarks count the cycles with bounds and the others.
	NCycles, NMarks int
	// When the cycles are aggregated: Coverage is each column's share of
	// its time inside bounded cycles (0 to 1), MarkCounts the cycles
	// without bounds noticed in it, CycleEnds the cycles that ended (or
	// were noticed) in it.
	Coverage, MarkCounts, CycleEnds []float64

	// RSS, HeapLive and HeapGoal are per sample; HeapLive and HeapGoal
	// come from the GC cycles instead when no sample has them (gctrace
	// knows them per cycle only). A heap goal of a disabled GC is left out.
	RSS, HeapLive, HeapGoal Points
	// HeapLivePerCycle says HeapLive is per cycle.
	HeapLivePerCycle bool

	// PauseLongest and PauseTotal are each cycle's longest stop-the-world
	// pause and all of its stop-the-world time, at the cycle's end.
	PauseLongest, PauseTotal Points
	// PauseBuckets are the runtime's pause histogram, merged over the
	// record (the top bucket's bound +Inf); when the source has no
	// histogram, each cycle's pauses as single values (Lo = Hi), or, with
	// Columns, counted between 1-2-5 steps (units.Steps125).
	PauseBuckets []record.Bucket

	// GCShare is the GC's share of available CPU per cycle, over the
	// interval between the ends of two cycles, as GCCPU defines it (idle
	// marking left out; for gctrace, see cycleGC); when the source does not
	// give it, GCShareSinceStart says GCShare is the since-start share
	// gctrace prints instead.
	GCShare           Points
	GCShareSinceStart bool
	// GCShareAbove1 counts the per-cycle shares above 100% (see the
	// report's caption for why the runtime's account gives some), and
	// GCShareTop is the largest share.
	GCShareAbove1 int
	GCShareTop    float64
	// GCCPU and AvailableCPU are, for each point of a per-cycle GCShare,
	// the cycle's GC CPU seconds (as GCShare counts them) and the CPU
	// seconds available over its interval, so that a chart can add them up
	// over a span of time (a share of a span is a sum over a sum, not a
	// median of shares). With GCShare.Band they are instead the sums per
	// column.
	GCCPU, AvailableCPU []float64

	// LatencyP99 and LatencyMax are per latency interval of all requests;
	// a record with latency split by operation only has none, since one
	// operation's p99 would mislead.
	LatencyP99, LatencyMax Points
}

// Span is a closed interval on the record's clock.
type Span struct{ Lo, Hi float64 }

// Points are values over time: T and V one by one, or, when there are too
// many for the timeline's columns, Band instead.
type Points struct {
	T, V []float64
	// N is how many values there are.
	N    int
	Band *Band
}

// Band is a series by column: for each column that has values (Col, in
// order), their minimum, median and maximum. Sketched says some medians
// are estimates within bandRelErr: those of columns with more than
// bandExact values.
type Band struct {
	Col              []int
	Min, Median, Max []float64
	Sketched         bool
}

// BandSketchNote says, for a caption, which medians of a band are
// estimates (Band.Sketched).
var BandSketchNote = "Medians of columns with more than " + itoa(bandExact) + " values are estimated within " + units.Percent(bandRelErr) +
	" (the timeline keeps at most " + itoa(bandExact) + " values of a column, so that a record of any length is charted in the same memory)."

// bandRelErr bounds the relative error of a band's estimated median: half
// a percent, a pixel or two of a chart's height at most, and at most about
// 140 sketch buckets a column for values that span a factor of four.
const bandRelErr = 0.005

// bandExact is how many values of a column a band keeps for an exact
// median: 128 values × 8 bytes × 350 columns, 350 KiB a series.
const bandExact = 128

// gcOffGoal is a heap goal no real heap reaches: the runtime reports a
// goal near the largest int64 while the GC is off (GOGC=off, or
// debug.SetGCPercent(-1)), which would flatten every other line.
const gcOffGoal = 1 << 50

// Timeline returns the run's series over time, one value by one. It is
// computed on demand from the events a summary from Compute holds; one from
// Read holds none, and its timeline is empty: use Charts.
func (s Summary) Timeline() Timeline {
	tl, _ := s.fromEvents(0)
	return tl
}

// Charts returns the run's timeline aggregated into columns (0: none) and
// the RSS's parts over time (MemoryOver): from the events a summary from
// Compute holds, else, for one from ReadRunFile, by reading its file again
// as a stream (ReadCharts). A summary from Read of a reader has neither:
// call ReadCharts with the record.
func (s Summary) Charts(columns int) (Timeline, []Breakdown, error) {
	if s.held || s.path == "" {
		tl, over := s.fromEvents(columns)
		return tl, over, nil
	}
	f, err := os.Open(s.path)
	if err != nil {
		return Timeline{}, nil, err
	}
	defer f.Close()
	return ReadCharts(f, s.File, s, columns)
}

// ReadCharts is Charts of the record read from r, the one s summarises,
// event by event: its memory grows with the columns, not with the record
// (but for the RSS's parts, one a sample).
func ReadCharts(r io.Reader, file string, s Summary, columns int) (Timeline, []Breakdown, error) {
	rd, err := record.NewReader(r, file)
	if err != nil {
		return Timeline{}, nil, err
	}
	tb := newTimelineBuilder(s, columns, streamReorder)
	for {
		e, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Timeline{}, nil, err
		}
		tb.add(e)
		if tb.order.unordered {
			return Timeline{}, nil, errors.New(file + ": samples or cycles more than 10 s out of time order: read the record whole (summary.Compute) to chart it")
		}
	}
	tl, over := tb.timeline()
	return tl, over, nil
}

// fromEvents computes the timeline from the held events.
func (s Summary) fromEvents(columns int) (Timeline, []Breakdown) {
	tb := newTimelineBuilder(s, columns, math.Inf(1))
	ev := s.ev
	// Cycles and samples in time order, a cycle before a sample of its
	// time, as builder takes them.
	i := 0
	for _, x := range ev.samples {
		for ; i < len(ev.gcs) && ev.gcs[i].T <= x.T; i++ {
			tb.gc(ev.gcs[i].T, ev.gcs[i].V)
		}
		tb.sample(x.T, x.V)
	}
	for ; i < len(ev.gcs); i++ {
		tb.gc(ev.gcs[i].T, ev.gcs[i].V)
	}
	for _, p := range ev.pauses {
		tb.pauses(p)
	}
	for _, l := range ev.latency {
		tb.latency(l.T, l.V)
	}
	return tb.timeline()
}

// timelineBuilder computes a Timeline from events fed one by one, samples
// and cycles in time order (as builder takes them).
type timelineBuilder struct {
	grid  grid
	end   float64
	alpha float64
	order reorderBuffer

	cycles                     []Span
	marks                      []float64
	nSpans, nMarks             int
	coverage, markCounts, ends []float64

	rss, sLive, sGoal, cLive, cGoal series
	longest, total                  series
	share, since                    series
	shareAbove1                     int
	shareTop                        float64
	gcCPU, avail                    []float64 // per point, or per column
	p99, lmax                       series

	pauseHist   hist
	cyclePauses []record.Bucket // single values (no columns)
	steps       []float64       // 1-2-5 edges (columns)
	stepCounts  []uint64

	mem memOver
}

func newTimelineBuilder(s Summary, columns int, reorder float64) *timelineBuilder {
	tb := &timelineBuilder{end: s.DurationSeconds, alpha: s.alpha}
	tb.order = reorderBuffer{window: reorder, take: tb.take}
	tb.grid = grid{hi: s.DurationSeconds, n: columns}
	if tb.grid.ok() {
		tb.coverage, tb.markCounts, tb.ends = make([]float64, columns), make([]float64, columns), make([]float64, columns)
		tb.gcCPU, tb.avail = make([]float64, columns), make([]float64, columns)
		tb.steps = units.Steps125()
		tb.stepCounts = make([]uint64, len(tb.steps)+1)
	} else {
		tb.grid.n = 0
	}
	for _, sr := range []*series{&tb.rss, &tb.sLive, &tb.sGoal, &tb.cLive, &tb.cGoal, &tb.longest, &tb.total, &tb.share, &tb.since, &tb.p99, &tb.lmax} {
		sr.grid = tb.grid
	}
	tb.mem = memOver{from: s.MeasuredFrom, best: s.memBest}
	return tb
}

// add feeds one event of a record read as a stream.
func (tb *timelineBuilder) add(e record.Event) {
	switch {
	case e.Sample != nil || e.GC != nil:
		tb.order.add(e)
	case e.Pauses != nil:
		tb.pauses(*e.Pauses)
	case e.Latency != nil:
		tb.latency(e.T, *e.Latency)
	}
}

func (tb *timelineBuilder) take(e record.Event) {
	if e.Sample != nil {
		tb.sample(e.T, *e.Sample)
	} else {
		tb.gc(e.T, *e.GC)
	}
}

func (tb *timelineBuilder) sample(t float64, x record.Sample) {
	tb.rss.add(t, float64(x.RSSBytes))
	tb.sLive.add(t, float64(x.HeapLiveBytes))
	if x.HeapGoalBytes < gcOffGoal {
		tb.sGoal.add(t, float64(x.HeapGoalBytes))
	}
	tb.mem.sample(t, x)
}

func (tb *timelineBuilder) gc(t float64, g record.GC) {
	tb.mem.gc(t, g)
	when := g.When(t)
	dense := tb.grid.n > 0 && tb.nSpans+tb.nMarks >= tb.grid.n
	if g.Bounded() {
		tb.nSpans++
		if !dense {
			tb.cycles = append(tb.cycles, Span{g.StartSeconds, g.EndSeconds})
		}
		tb.grid.cover(tb.coverage, g.StartSeconds, g.EndSeconds)
		tb.grid.count(tb.ends, g.EndSeconds)
	} else {
		tb.nMarks++
		if !dense {
			tb.marks = append(tb.marks, t)
		}
		tb.grid.count(tb.markCounts, t)
		tb.grid.count(tb.ends, t)
	}
	if dense {
		tb.cycles, tb.marks = nil, nil
	}
	tb.cLive.add(t, float64(g.HeapLiveBytes))
	tb.cGoal.add(t, float64(g.HeapGoalBytes))
	tb.longest.add(when, g.PauseMaxSeconds)
	tb.total.add(when, g.PauseSeconds)
	for _, b := range cyclePauses(g) {
		tb.cyclePause(b)
	}
	if g.IntervalCPUSeconds > 0 {
		gc := cycleGC(g, tb.alpha)
		if v := gc / g.IntervalCPUSeconds; tb.share.add(when, v) {
			tb.shareTop = math.Max(tb.shareTop, v)
			if v > 1 {
				tb.shareAbove1++
			}
			if tb.grid.n > 0 {
				if c, ok := tb.grid.index(when); ok {
					tb.gcCPU[c] += gc
					tb.avail[c] += g.IntervalCPUSeconds
				}
			} else {
				tb.gcCPU, tb.avail = append(tb.gcCPU, gc), append(tb.avail, g.IntervalCPUSeconds)
			}
		}
	}
	tb.since.add(when, g.CumulativeGCCPUFraction)
}

// cyclePause counts one of a cycle's pauses: as it is, or between the 1-2-5
// steps the pause histogram is drawn with.
func (tb *timelineBuilder) cyclePause(b record.Bucket) {
	if tb.grid.n == 0 {
		tb.cyclePauses = append(tb.cyclePauses, b)
		return
	}
	i := 0
	for i < len(tb.steps) && b.Lo >= tb.steps[i] {
		i++
	}
	tb.stepCounts[i] += b.Count
}

func (tb *timelineBuilder) pauses(p record.Pauses) { tb.pauseHist.add(p.Buckets) }

func (tb *timelineBuilder) latency(t float64, l record.Latency) {
	if l.Op != "" {
		return
	}
	tb.p99.add(t, Quantile(l.Buckets, 0.99))
	tb.lmax.add(t, l.MaxSeconds)
}

// timeline returns what was gathered.
func (tb *timelineBuilder) timeline() (Timeline, []Breakdown) {
	tb.order.flush()
	tl := Timeline{End: tb.end, Columns: tb.grid.n, NCycles: tb.nSpans, NMarks: tb.nMarks}
	tl.Cycles, tl.Marks = tb.cycles, tb.marks
	sort.SliceStable(tl.Cycles, func(i, j int) bool { return tl.Cycles[i].Lo < tl.Cycles[j].Lo })
	if tb.grid.n > 0 && tb.nSpans+tb.nMarks > tb.grid.n {
		tl.Coverage, tl.MarkCounts, tl.CycleEnds = tb.grid.shares(tb.coverage), tb.markCounts, tb.ends
	}
	tl.RSS, tl.HeapLive, tl.HeapGoal = tb.rss.points(), tb.sLive.points(), tb.sGoal.points()
	if tl.HeapLive.N == 0 {
		tl.HeapLive = tb.cLive.points()
		tl.HeapLivePerCycle = tl.HeapLive.N > 0
	}
	if tl.HeapGoal.N == 0 {
		tl.HeapGoal = tb.cGoal.points()
	}
	tl.PauseLongest, tl.PauseTotal = tb.longest.points(), tb.total.points()
	tl.GCShare, tl.GCCPU, tl.AvailableCPU = tb.share.points(), tb.gcCPU, tb.avail
	tl.GCShareAbove1, tl.GCShareTop = tb.shareAbove1, tb.shareTop
	if tl.GCShare.N == 0 {
		tl.GCShare, tl.GCShareSinceStart = tb.since.points(), true
		tl.GCCPU, tl.AvailableCPU = nil, nil
		tl.GCShareAbove1, tl.GCShareTop = 0, 0
	}
	tl.PauseBuckets = tb.pauseHist.buckets
	if len(tl.PauseBuckets) == 0 {
		tl.PauseBuckets = tb.cyclePauses
		for i, n := range tb.stepCounts {
			if n == 0 {
				continue
			}
			b := record.Bucket{Lo: 0, Hi: tb.steps[0], Count: n}
			switch {
			case i == len(tb.steps):
				b.Lo, b.Hi = tb.steps[i-1], math.Inf(1)
			case i > 0:
				b.Lo, b.Hi = tb.steps[i-1], tb.steps[i]
			}
			tl.PauseBuckets = append(tl.PauseBuckets, b)
		}
	}
	tl.LatencyP99, tl.LatencyMax = tb.p99.points(), tb.lmax.points()
	return tl, tb.mem.over
}

// series gathers one series: its points while there are at most two a
// column (all of them without columns), and always, with columns, its
// values by column.
type series struct {
	grid grid
	pts  Points
	cols []values
}

// add adds (t, v) when v was measured, and reports whether it was.
func (s *series) add(t, v float64) bool {
	if !(v > 0) || math.IsNaN(v) {
		return false
	}
	s.pts.N++
	if s.grid.n == 0 || s.pts.N <= maxPointsPerColumn*s.grid.n {
		s.pts.T, s.pts.V = append(s.pts.T, t), append(s.pts.V, v)
	} else if s.pts.T != nil {
		s.pts.T, s.pts.V = nil, nil
	}
	if c, ok := s.grid.index(t); ok {
		if s.cols == nil {
			s.cols = make([]values, s.grid.n)
		}
		s.cols[c].limit, s.cols[c].relErr = bandExact, bandRelErr
		s.cols[c].add(v)
	}
	return true
}

// maxPointsPerColumn is how many values a column may have on average and
// still be drawn one by one (chart.MaxPointsPerBin).
const maxPointsPerColumn = 2

func (s *series) points() Points {
	if s.grid.n == 0 || s.pts.N <= maxPointsPerColumn*s.grid.n {
		return s.pts
	}
	b := &Band{}
	for c := range s.cols {
		v := &s.cols[c]
		if v.n == 0 {
			continue
		}
		med := v.quantile(0.5)
		if !v.sketched() {
			slices.Sort(v.xs)
			med = median(v.xs)
		}
		b.Col = append(b.Col, c)
		b.Min, b.Median, b.Max = append(b.Min, v.min), append(b.Median, med), append(b.Max, v.max)
		b.Sketched = b.Sketched || v.sketched()
	}
	return Points{N: s.pts.N, Band: b}
}

// grid is [0, hi) in n columns of equal width, as chart.Grid.
type grid struct {
	hi float64
	n  int
}

func (g grid) ok() bool       { return g.n > 0 && g.hi > 0 }
func (g grid) width() float64 { return g.hi / float64(g.n) }

// index returns the column holding x, and false outside the grid.
func (g grid) index(x float64) (int, bool) {
	if g.n <= 0 || !(x >= 0 && x <= g.hi) || !(g.hi > 0) {
		return 0, false
	}
	return min(int(x/g.width()), g.n-1), true
}

func (g grid) count(cs []float64, x float64) {
	if c, ok := g.index(x); ok {
		cs[c]++
	}
}

// cover adds the time [lo, hi] spends in each column.
func (g grid) cover(cov []float64, lo, hi float64) {
	w := g.width()
	if g.n == 0 || !(w > 0) {
		return
	}
	lo, hi = math.Max(lo, 0), math.Min(hi, g.hi)
	if !(hi > lo) {
		return
	}
	first, _ := g.index(lo)
	last, _ := g.index(hi)
	for i := first; i <= last; i++ {
		c0, c1 := float64(i)*w, float64(i+1)*w
		cov[i] += math.Min(hi, c1) - math.Max(lo, c0)
	}
}

// shares turns time per column into a share of the column (at most 1).
func (g grid) shares(cov []float64) []float64 {
	w := g.width()
	out := make([]float64, len(cov))
	for i := range cov {
		out[i] = math.Min(1, cov[i]/w)
	}
	return out
}

// memOver gathers the RSS's parts at every sample of the measured window
// that has as many sources as the best of them (best, from the summary).
type memOver struct {
	from         float64
	best         int
	live, stacks float64
	over         []Breakdown
}

func (m *memOver) gc(t float64, g record.GC) {
	start := t
	if g.Bounded() {
		start = g.StartSeconds
	}
	if start < m.from {
		return
	}
	if g.HeapLiveBytes > 0 {
		m.live = float64(g.HeapLiveBytes)
	}
	if g.StacksBytes > 0 {
		m.stacks = float64(g.StacksBytes)
	}
}

func (m *memOver) sample(t float64, x record.Sample) {
	if m.best == 0 || t < m.from || x.RSSBytes == 0 || memSources(x) < m.best {
		return
	}
	m.over = append(m.over, breakdown(t, x, m.live, m.stacks))
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
