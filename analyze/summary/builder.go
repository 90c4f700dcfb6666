package summary

import (
	"math"

	"github.com/gcprobe/gcprobe/record"
)

// builder summarises a record fed to it event by event, samples and GC
// cycles in time order, keeping what the figures are made of rather than
// the events: counts, sums, first and last samples, merged histograms, the
// values of the median figures (see values) and a bounded window of recent
// GC cycles for latency. Compute and Read both use it; the charts are
// computed apart (timelineBuilder).
//
// The figures over the measured load (Summary.MeasuredFrom) need to know
// where the load began before its first event: the caller says (from), and
// the builder keeps a second window from there, used when the load turns
// out to be worth setting apart.
type builder struct {
	source string
	// horizon is how long (record seconds) a GC cycle is kept after the
	// latest event for latency intervals that come late; +Inf keeps all.
	// A latency interval reaching before what was dropped sets lost.
	horizon float64
	lost    bool
	// order gives samples and cycles to take in time order.
	order reorderBuffer

	last float64 // the latest time of any event
	end  *record.End
	from float64 // earliest start of a latency interval (0: none)

	nSamples, nGCs int
	cyc            cycleCount
	cycSamples     sampleSpan // samples that carry the cycle counter
	pz             pauseAgg
	peak           hwmMark
	maxRSS         float64
	lat            latencyFeed
	notes          []record.Note
	profiles       []record.Profile
	traces         []record.Event
	// chains follow gctrace's cumulative shares, one per start-up gap
	// allowed (initGap, usualInitGap).
	chains [2]chain
	// loads[0] is the whole record; loads[1] the measured load from b.from
	// (nil when the record has no latency to set apart).
	loads []*window
}

// newBuilder returns a builder of a record from source whose latency
// intervals begin at from (0: none), keeping cycles horizon seconds for
// late latency intervals and waiting reorder seconds for late samples and
// cycles (+Inf for both: all, for a record held whole).
func newBuilder(source string, from, horizon, reorder float64) *builder {
	b := &builder{source: source, horizon: horizon, from: from}
	b.order = reorderBuffer{window: reorder, take: b.take}
	b.chains[0].gap, b.chains[1].gap = initGap, usualInitGap
	b.loads = []*window{newWindow(0, source)}
	if from > 0 {
		b.loads = append(b.loads, newWindow(from, source))
	}
	b.lat.horizon = horizon
	return b
}

// add feeds one event.
func (b *builder) add(e record.Event) {
	b.last = math.Max(b.last, e.T)
	if e.End != nil {
		b.end = e.End
	}
	if e.Sample != nil || e.GC != nil {
		b.order.add(e)
		return
	}
	switch {
	case e.Pauses != nil:
		b.pz.addHist(*e.Pauses)
	case e.Latency != nil:
		b.lat.add(e.T, *e.Latency)
	case e.Note != nil:
		b.notes = append(b.notes, *e.Note)
	case e.Profile != nil:
		b.profiles = append(b.profiles, *e.Profile)
	case e.Trace != nil:
		b.traces = append(b.traces, e)
	}
}

// take feeds a sample or a cycle, in time order.
func (b *builder) take(e record.Event) {
	b.lat.advance(e.T)
	if e.Sample != nil {
		b.sample(e.T, *e.Sample)
	} else {
		b.gc(e.T, *e.GC)
	}
}

// flush takes the samples and cycles still waiting, at the record's end.
func (b *builder) flush() {
	b.order.flush()
}

func (b *builder) sample(t float64, x record.Sample) {
	if b.nSamples == 0 {
		b.pz.firstTotal = x.PauseSecondsTotal
	}
	b.nSamples++
	if x.GCCyclesTotal > 0 || b.source == record.SourcePrometheus {
		// A Prometheus import always has the counter: 0 is no cycle yet.
		b.cycSamples.add(t, x)
	}
	b.pz.addSample(x)
	b.peak.add(x, b.source)
	b.maxRSS = math.Max(b.maxRSS, float64(x.RSSBytes))
	for _, w := range b.loads {
		if t >= w.from {
			w.sample(t, x)
		}
	}
}

func (b *builder) gc(t float64, g record.GC) {
	b.last = math.Max(b.last, g.EndSeconds)
	b.nGCs++
	b.cyc.add(g)
	b.pz.addGC(g)
	if g.Bounded() {
		b.lat.cycle(span{g.StartSeconds, g.EndSeconds})
	}
	start := t
	if g.Bounded() {
		start = g.StartSeconds
	}
	var in []*window
	for _, w := range b.loads {
		if start >= w.from {
			in = append(in, w)
			w.gc(t, g, &b.chains)
		}
	}
	for i := range b.chains {
		c := &b.chains[i]
		joined := c.add(g)
		if !joined {
			continue
		}
		for _, w := range b.loads {
			w.gt.obs[i].grow(c)
		}
		for _, w := range in {
			if fromGCTrace(g) && g.IntervalCPUSeconds > 0 {
				w.gt.obs[i].mark(c)
			}
		}
	}
}

// load returns the window the load figures are over, and sets
// MeasuredFrom: the measured load when it began late enough to set it apart
// (see measuredFrom) and has a cycle or two samples, else the whole record.
func (b *builder) load() (*window, float64) {
	if len(b.loads) < 2 || !(b.from > 0.02*b.last) {
		return b.loads[0], 0
	}
	if w := b.loads[1]; w.gcs > 0 || w.samples >= 2 {
		return w, b.from
	}
	return b.loads[0], 0
}

// cycleCount counts GC cycles by kind.
type cycleCount struct {
	total, automatic, periodic, forced, bounded int
}

func (c *cycleCount) add(g record.GC) {
	c.total++
	switch {
	case g.Forced:
		c.forced++
	case g.Periodic:
		c.periodic++
		c.automatic++
	default:
		c.automatic++
	}
	if g.Bounded() {
		c.bounded++
	}
}

// sampleSpan keeps the first and the last of the samples added, and how
// many there were.
type sampleSpan struct {
	first, last timed[record.Sample]
	n           int
}

func (s *sampleSpan) add(t float64, x record.Sample) {
	if s.n == 0 {
		s.first = timed[record.Sample]{t, x}
	}
	s.last = timed[record.Sample]{t, x}
	s.n++
}

// ok reports whether there are two samples to take a difference between.
func (s *sampleSpan) ok() bool { return s.n >= 2 }

// hwmMark is the highest RSS high-water mark (VmHWM) that is the record's
// own. gcprobe run and the scenarios sample from the program's start, so
// its every mark is; an attach session's first sample shows a mark that can
// be from long before (a program whose RSS fell since), which is not the
// session's peak: there only a mark that rose past the first one is (a peak
// between two samples), and 0 means none rose.
type hwmMark struct{ first, peak float64 }

func (m *hwmMark) add(x record.Sample, source string) {
	switch h := float64(x.RSSPeakBytes); {
	case h == 0:
	case source != record.SourceAttach:
		m.peak = math.Max(m.peak, h)
	case m.first == 0:
		m.first = h
	case h > m.first:
		m.peak = math.Max(m.peak, h)
	}
}

// pauseAgg gathers the pause figures of the whole record.
type pauseAgg struct {
	h   hist
	agg struct {
		n        uint64
		sum, max float64
		note     string
	}
	perCycle        values // PauseSeconds > 0 of each cycle
	total, maxPause float64
	gctrace         bool
	// samples' cumulative pause counter (Prometheus): any, the largest
	// recent maximum and total, the first sample's total.
	samplePauses bool
	recent, top  float64
	firstTotal   float64
}

func (p *pauseAgg) addHist(x record.Pauses) {
	p.h.add(x.Buckets)
	p.agg.n += x.Count
	p.agg.sum += x.SumSeconds
	if x.MaxSeconds > p.agg.max {
		p.agg.max, p.agg.note = x.MaxSeconds, x.MaxNote
	}
}

func (p *pauseAgg) addGC(g record.GC) {
	if g.PauseSeconds > 0 {
		p.perCycle.add(g.PauseSeconds)
		p.total += g.PauseSeconds
	}
	p.maxPause = math.Max(p.maxPause, g.PauseMaxSeconds)
	p.gctrace = p.gctrace || fromGCTrace(g)
}

func (p *pauseAgg) addSample(x record.Sample) {
	p.samplePauses = p.samplePauses || x.PauseSecondsTotal > 0
	p.recent = math.Max(p.recent, x.PauseMaxRecentSeconds)
	p.top = math.Max(p.top, x.PauseSecondsTotal) // continuous across restarts
}

// window gathers the figures over the events from a time on: the samples
// taken and the cycles started at or after it (a cycle without a known
// start counts by when it was noticed).
type window struct {
	from           float64
	source         string
	samples, gcs   int
	rt             struct{ gc, idle, avail float64 } // runtime's per-cycle account
	cpuTotal       sampleSpan                        // samples with TotalCPUSecondsTotal
	procCPU        sampleSpan                        // samples with CPUSecondsTotal
	allocs         sampleSpan                        // samples with AllocBytesTotal
	gt             gctraceWindow
	cumFrac        float64 // the last cycle's cumulative share, when > 0
	gcLive, gcGoal values
	smpLive        values
	smpGoal        values
	traced         bool
	// the cycle before, for gctrace's allocation: its live heap and end.
	hasPrev    bool
	prevLive   uint64
	prevEnd    float64
	allocBytes float64
	allocSecs  float64
	rss        values
	hwm        hwmMark
	mem        memFeed
	trendGC    decimator
	trendSmp   decimator
	smpCycles  uint64
}

func newWindow(from float64, source string) *window {
	w := &window{from: from, source: source}
	w.gt.consecutive = true
	w.mem.first = true
	return w
}

func (w *window) sample(t float64, x record.Sample) {
	w.samples++
	if x.TotalCPUSecondsTotal > 0 {
		w.cpuTotal.add(t, x)
	}
	if x.CPUSecondsTotal > 0 {
		w.procCPU.add(t, x)
	}
	if x.AllocBytesTotal > 0 {
		w.allocs.add(t, x)
	}
	if x.HeapLiveBytes > 0 {
		w.smpLive.add(float64(x.HeapLiveBytes))
	}
	// While the GC is off the runtime reports a goal near the largest
	// int64: not a goal any heap reaches.
	if x.HeapGoalBytes > 0 && x.HeapGoalBytes < 1<<50 {
		w.smpGoal.add(float64(x.HeapGoalBytes))
	}
	if x.RSSBytes > 0 {
		w.rss.add(float64(x.RSSBytes))
	}
	w.hwm.add(x, w.source)
	w.mem.sample(t, x)
	if x.HeapLiveBytes != 0 && (w.trendSmp.n == 0 || x.GCCyclesTotal != w.smpCycles) {
		w.smpCycles = x.GCCyclesTotal
		w.trendSmp.add(t, float64(x.HeapLiveBytes))
	}
}

func (w *window) gc(t float64, g record.GC, chains *[2]chain) {
	w.gcs++
	if !fromGCTrace(g) {
		// The GC CPU and the available CPU are each the change of a
		// runtime counter since the last cycle end read, so they add up
		// over the window even when a read saw a cycle end before the
		// available CPU moved (an interval of 0, carried by the next
		// cycle's): the GC CPU of such a cycle still counts.
		w.rt.gc += g.GCCPUSeconds - g.IdleCPUSeconds
		w.rt.idle += g.IdleCPUSeconds
		w.rt.avail += g.IntervalCPUSeconds
	}
	if fromGCTrace(g) && g.IntervalCPUSeconds > 0 {
		w.gt.add(g, chains)
	}
	if f := g.CumulativeGCCPUFraction; f > 0 {
		w.cumFrac = f
	}
	// gctrace prints whole MB rounded down: "-> 0 MB" is a live heap
	// under 1 MiB, a measurement like any other. Elsewhere 0 means the
	// source did not say.
	tr := fromGCTrace(g)
	w.traced = w.traced || tr
	if g.HeapLiveBytes > 0 || tr {
		w.gcLive.add(float64(g.HeapLiveBytes))
	}
	if g.HeapGoalBytes > 0 {
		w.gcGoal.add(float64(g.HeapGoalBytes))
	}
	// gctrace: between the end of cycle i-1 and the end of cycle i the
	// program allocated about HeapEnd(i) - HeapLive(i-1).
	if w.hasPrev && w.prevLive != 0 && g.HeapEndBytes != 0 {
		w.allocBytes += math.Max(0, float64(g.HeapEndBytes)-float64(w.prevLive))
		w.allocSecs += g.When(t) - w.prevEnd
	}
	w.hasPrev, w.prevLive, w.prevEnd = true, g.HeapLiveBytes, g.When(t)
	w.mem.gc(g)
	if g.HeapLiveBytes > 0 {
		w.trendGC.add(g.When(t), float64(g.HeapLiveBytes))
	}
}

// gctraceWindow sums the window's gctrace cycles that have an interval,
// and follows the chains of cumulative shares from the cycle before the
// window's first (see cumulativeBounds).
type gctraceWindow struct {
	n           int
	idle, avail float64
	lo, hi      float64 // sums of cycleBounds
	lastN       uint64
	consecutive bool
	obs         [2]chainObs
}

func (g *gctraceWindow) add(c record.GC, chains *[2]chain) {
	if g.n == 0 {
		for i := range g.obs {
			g.obs[i].start(&chains[i], c.N)
		}
	} else if c.N != g.lastN+1 {
		g.consecutive = false
	}
	g.n++
	g.lastN = c.N
	g.idle += c.IdleCPUSeconds
	g.avail += c.IntervalCPUSeconds
	l, h := cycleBounds(c)
	g.lo, g.hi = g.lo+l, g.hi+h
}

// chain follows gctrace's cycles from cycle 1, in order and without gaps,
// bounding X(k), the runtime's GC CPU time from the program's start to the
// end of cycle k (see cumulativeBounds for the bounds). A forward pass
// gives each X(k) from the cycles before it; the backward pass that
// narrows X(k) by the cycles after it needs no second walk: with the
// prefix sums PL(k) and PH(k) of the cycles' lower and upper bounds, the
// narrowed bounds are
//
//	lo'(k) = max over j >= k of lo(j) - (PH(j) - PH(k))
//	hi'(k) = min over j >= k of hi(j) - (PL(j) - PL(k))
//
// which running extremes from k on give (chainObs). Narrowing backward
// never empties an interval the forward pass left non-empty (lo(j) grows by
// at least PL and hi(j) by at most PH from k to j), so the chain is
// consistent when every forward interval is.
type chain struct {
	gap      float64
	n        uint64
	avail    float64
	pl, ph   float64 // PL(n), PH(n)
	xlo, xhi float64 // forward bounds of X(n)
	bad      bool    // some k <= n has no consistent X(k)
}

// add extends the chain with g when g is its next cycle.
func (c *chain) add(g record.GC) bool {
	if !fromGCTrace(g) || g.IntervalCPUSeconds <= 0 || g.N != c.n+1 {
		return false
	}
	const step = 0.01 // a whole percent
	c.n++
	c.avail += g.IntervalCPUSeconds
	lo, hi := cycleBounds(g)
	u := g.CumulativeGCCPUFraction
	// The runtime's account starts a little before the program's clock
	// does (at its first procresize, before runtime.main): by at most
	// gap seconds of wall time, more available CPU.
	xlo := math.Max(u*c.avail, c.xlo+lo)
	xhi := math.Min((u+step)*(c.avail+float64(g.Procs)*c.gap), c.xhi+hi)
	c.bad = c.bad || xlo > xhi
	c.xlo, c.xhi, c.pl, c.ph = xlo, xhi, c.pl+lo, c.ph+hi
	return true
}

// chainObs follows a chain for a window whose cycles begin at cycle a+1:
// X(a) as the forward pass left it, then the running extremes that narrow
// it, and the chain as it was at the window's latest cycle.
type chainObs struct {
	started, ok bool
	a           uint64
	xloA, xhiA  float64
	plA, phA    float64
	maxLo       float64 // max over j > a of lo(j) - PH(j)
	minHi       float64 // min over j > a of hi(j) - PL(j)
	at          struct {
		n            uint64
		xlo, xhi     float64
		bad          bool
		maxLo, minHi float64
	}
}

// start is called at the window's first cycle, first, before the chain
// takes it.
func (o *chainObs) start(c *chain, first uint64) {
	o.started = true
	o.a = first - 1
	o.ok = c.n == o.a
	o.xloA, o.xhiA, o.plA, o.phA = c.xlo, c.xhi, c.pl, c.ph
	o.maxLo, o.minHi = math.Inf(-1), math.Inf(1)
}

// grow is called when the chain took a cycle.
func (o *chainObs) grow(c *chain) {
	if !o.started {
		return
	}
	o.maxLo, o.minHi = math.Max(o.maxLo, c.xlo-c.ph), math.Min(o.minHi, c.xhi-c.pl)
}

// mark is called when the chain took one of the window's cycles.
func (o *chainObs) mark(c *chain) {
	o.at.n, o.at.xlo, o.at.xhi, o.at.bad = c.n, c.xlo, c.xhi, c.bad
	o.at.maxLo, o.at.minHi = o.maxLo, o.minHi
}

// bounds bounds the GC CPU time of the window's cycles, the last of which
// is cycle last.
func (o *chainObs) bounds(last uint64) (lo, hi float64, ok bool) {
	if !o.started || !o.ok || o.at.n != last || o.at.bad {
		return 0, 0, false
	}
	var xloA, xhiA float64 // X(0) = 0
	if o.a > 0 {
		xloA = math.Max(o.xloA, o.phA+o.at.maxLo)
		xhiA = math.Min(o.xhiA, o.plA+o.at.minHi)
	}
	return o.at.xlo - xhiA, o.at.xhi - xloA, true
}

// decimator keeps an evenly spaced subset of a series that may be of any
// length: every point while there are fewer than 8×maxTrendPoints, then
// every second, fourth, ... point (halving when full), and always the last.
type decimator struct {
	xs, ys       []float64
	n, stride    int
	lastX, lastY float64
}

func (d *decimator) add(x, y float64) {
	if d.stride == 0 {
		d.stride = 1
	}
	if d.n%d.stride == 0 {
		d.xs, d.ys = append(d.xs, x), append(d.ys, y)
		if len(d.xs) >= 8*maxTrendPoints {
			k := 0
			for i := 0; i < len(d.xs); i += 2 {
				d.xs[k], d.ys[k] = d.xs[i], d.ys[i]
				k++
			}
			d.xs, d.ys = d.xs[:k], d.ys[:k]
			d.stride *= 2
		}
	}
	d.n++
	d.lastX, d.lastY = x, y
}

// points returns the kept points, the last one included; thinned reports
// whether points were left out.
func (d *decimator) points() (xs, ys []float64, thinned bool) {
	xs, ys = d.xs, d.ys
	if d.n > 0 && (d.n-1)%d.stride != 0 {
		xs, ys = append(xs, d.lastX), append(ys, d.lastY)
	}
	return xs, ys, d.stride > 1
}
