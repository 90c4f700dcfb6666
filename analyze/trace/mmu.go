package trace

// The MMU (minimum mutator utilization, Cheng & Blelloch 2001) of a window
// length w is the lowest share of the CPU left to the program over any
// interval of length w. Utilization is a step function u(t) in [0, 1]; with
// F(t) its integral, the utilization of [t, t+w] is (F(t+w) - F(t)) / w, a
// piecewise-linear function of t whose minimum lies where t or t+w meets a
// step. mmuBuilder evaluates those windows while the steps stream in, for
// all window lengths at once, keeping only the steps of the last (longest
// window) of time, and passes over the ones that cannot hold the minimum
// (see evaluate).

// DefaultWindows are the MMU window lengths, in nanoseconds: 100 µs to 1 s
// in 1-2-5 steps.
var DefaultWindows = []int64{
	100e3, 200e3, 500e3,
	1e6, 2e6, 5e6,
	10e6, 20e6, 50e6,
	100e6, 200e6, 500e6,
	1e9,
}

// steps holds the step function as columns: the searches in evaluate read
// only the times, so they walk a third of the memory a slice of structs
// would take.
type steps struct {
	t []int64   // when u starts to hold, ns
	u []float64 // utilization from t to the next step
	f []float64 // integral of u from the first step to t, ns
}

func (st *steps) len() int { return len(st.t) }

func (st *steps) push(t int64, u, f float64) {
	st.t = append(st.t, t)
	st.u = append(st.u, u)
	st.f = append(st.f, f)
}

// drop removes the first n steps, keeping the capacity.
func (st *steps) drop(n int) {
	k := copy(st.t, st.t[n:])
	copy(st.u, st.u[n:])
	copy(st.f, st.f[n:])
	st.t, st.u, st.f = st.t[:k], st.u[:k], st.f[:k]
}

// grow makes room for at least c steps.
func (st *steps) grow(c int) {
	st.t = append(make([]int64, 0, c), st.t...)
	st.u = append(make([]float64, 0, c), st.u...)
	st.f = append(make([]float64, 0, c), st.f...)
}

type mmuWindow struct {
	w     int64
	min   float64 // the smallest integral over a window, ns
	worst int64   // start of the worst window, ns
	seen  bool
	// Absolute indexes into the step stream (see mmuBuilder.base).
	start int // next step whose window [t, t+w] is still to be scored
	fwd   int // step holding t+w for the window starting at steps[start]
	end   int // next step whose window [t-w, t] is still to be scored
	back  int // step holding t-w for the window ending at steps[end]
}

type mmuBuilder struct {
	steps  steps
	base   int   // absolute index of steps.t[0]
	origin int64 // time of the first step
	done   int   // absolute index of the last step evaluated
	win    []mmuWindow
	// hold defers all scoring (and so the dropping of steps) while a
	// trace's first generation is read: GC work found there to have been
	// running since the trace began changes the steps back to the first
	// (see lowerUntil).
	hold bool
}

func newMMUBuilder(windows []int64) *mmuBuilder {
	b := &mmuBuilder{}
	for _, w := range windows {
		b.win = append(b.win, mmuWindow{w: w})
	}
	return b
}

// add records that utilization is u from time t on. Times must not go
// backwards.
func (b *mmuBuilder) add(t int64, u float64) {
	st := &b.steps
	n := st.len()
	if n == 0 {
		b.push(t, u, 0)
		b.origin = t
		return
	}
	lt, lu := st.t[n-1], st.u[n-1]
	if t <= lt {
		st.u[n-1] = u // a zero-length step holds no time
		return
	}
	if u == lu {
		return
	}
	b.push(t, u, st.f[n-1]+lu*float64(t-lt))
	if !b.hold && b.base+st.len()-b.done > mmuBatch {
		b.evaluate(false)
	}
}

// lowerUntil lowers the utilization by `by` (not below 0) from the first
// step up to time t, for a P that has been doing GC work since before the
// trace began but that the trace names only at t: go tool trace's MMU
// makes the same correction. It works only while held, before any window
// is scored; t must not be before the newest step.
func (b *mmuBuilder) lowerUntil(t int64, by float64) {
	st := &b.steps
	n := st.len()
	if !b.hold || n == 0 || b.base != 0 || t < st.t[n-1] {
		return
	}
	if st.t[n-1] < t { // from t on, the utilization stays as it is
		lt, lu := st.t[n-1], st.u[n-1]
		b.push(t, lu, st.f[n-1]+lu*float64(t-lt))
		n++
	}
	for i := 0; i < n && st.t[i] < t; i++ {
		st.u[i] = max(st.u[i]-by, 0)
	}
	for i := 1; i < n; i++ {
		st.f[i] = st.f[i-1] + st.u[i-1]*float64(st.t[i]-st.t[i-1])
	}
}

// push appends a step. When the columns are full it first drops the steps
// no window needs, and grows them (doubling) only if that frees too
// little: they stay within about twice the steps of the longest window,
// and allocate little more than that over a whole trace (append's gentler
// growth of large slices would allocate about five times it).
func (b *mmuBuilder) push(t int64, u, f float64) {
	st := &b.steps
	if c := cap(st.t); st.len() == c {
		b.prune()
		if st.len() > c*3/4 {
			st.grow(max(2*c, 1024))
		}
	}
	st.push(t, u, f)
}

// mmuBatch is how many new steps wait before the windows are moved over
// them, one window at a time (tighter loops than every window per step).
const mmuBatch = 512

// evaluate scores the windows that start or end at a step, for the steps
// that came since the last call, skipping those that cannot hold a
// window's minimum. Two rules skip them, neither changes the minimum:
//
// Turns: as a function of its start x, a window's integral F(x+w) - F(x)
// has the slope u(x+w) - u(x), which changes only where x or x+w meets a
// step; its minimum over [origin, end-w] lies at one of those two ends or
// where the slope turns from falling to rising. A window that starts at a
// step where u rises has a larger slope after x than before, unless x+w
// also meets a step, so it is no such turn; nor is a window that ends at a
// step where u falls. When both ends meet steps, one that rises at its
// start and falls at its end is no turn either (the slope would have to
// rise while both of its terms move the other way). So only windows
// starting where u falls (or at the first step) and windows ending where u
// rises (or at the closing sentinel) are scored.
//
// Bounds: F never falls, so the windows starting at the steps s..e of a
// block hold at least F(t_s+w) - F(t_e), and those ending at them at least
// F(t_s) - F(t_e-w). A block whose bound is no lower than the window's
// minimum so far is skipped whole. Blocks span at most w/4, so the bound
// covers at least three quarters of a window: most of a trace is far from
// its worst windows, and is passed over a block at a time.
//
// The newest step is left for the next call (its u may still be replaced
// by a step at the same time, see add) unless final is set.
func (b *mmuBuilder) evaluate(final bool) {
	ts, us, fs, base := b.steps.t, b.steps.u, b.steps.f, b.base
	last := len(ts) - 1 // indexes below are into the columns
	if !final {
		last--
	}
	if last < 0 || last <= b.done-base {
		return
	}
	tl := ts[last]
	for i := range b.win {
		wd := &b.win[i]
		w := wd.w
		span := max(w/4, 1)
		// Windows [t_s, t_s+w] that end by t_last.
		s, fwd := wd.start-base, wd.fwd-base
		if s <= last && ts[s]+w <= tl {
			lim := seek(ts, s, last, tl-w) // the last step whose window ends by t_last
			for s <= lim {
				e := seek(ts, s, min(lim, s+mmuMaxBlock-1), ts[s]+span-1) // the block's last step
				fwd = seek(ts, max(fwd, s), last, ts[s]+w)
				if !wd.seen || integralAt(ts, us, fs, fwd, ts[s]+w)-fs[e] < wd.min {
					f := fwd
					for j := s; j <= e; j++ {
						if j+base == 0 || us[j] <= us[j-1] {
							y := ts[j] + w
							f = seek(ts, f, last, y)
							wd.score(integralAt(ts, us, fs, f, y)-fs[j], ts[j])
						}
					}
				}
				s = e + 1
			}
		}
		wd.start, wd.fwd = s+base, fwd+base
		// Windows [t_k-w, t_k] for the steps k up to last.
		k, back := wd.end-base, wd.back-base
		for k <= last && ts[k]-w < b.origin {
			k++
		}
		for k <= last {
			e := seek(ts, k, min(last, k+mmuMaxBlock-1), ts[k]+span-1)
			back = seek(ts, back, last, ts[k]-w)
			be := seek(ts, back, last, ts[e]-w)
			if !wd.seen || fs[k]-integralAt(ts, us, fs, be, ts[e]-w) < wd.min {
				f := back
				for j := k; j <= e; j++ {
					if us[j] >= us[j-1] || us[j] < 0 {
						x := ts[j] - w
						f = seek(ts, f, last, x)
						wd.score(fs[j]-integralAt(ts, us, fs, f, x), x)
					}
				}
			}
			back = be
			k = e + 1
		}
		wd.end, wd.back = k+base, back+base
	}
	b.done = base + last
}

// mmuMaxBlock bounds the steps in one block of evaluate.
const mmuMaxBlock = 256

// seek returns the last step at or before time y, searching from p (which
// must not be after y) up to limit: a doubling search, as the answer is
// usually near p.
func seek(ts []int64, p, limit int, y int64) int {
	d := 1
	for p+d <= limit && ts[p+d] <= y {
		p += d
		d *= 2
	}
	hi := min(p+d, limit+1) // ts[hi] is after y, or past limit
	for hi-p > 1 {
		m := int(uint(p+hi) >> 1)
		if ts[m] <= y {
			p = m
		} else {
			hi = m
		}
	}
	return p
}

// integralAt is F(y), the integral up to time y, with step i the one
// holding y.
func integralAt(ts []int64, us, fs []float64, i int, y int64) float64 {
	return fs[i] + us[i]*float64(y-ts[i])
}

// score keeps the smallest integral of a window (its utilization times w).
func (wd *mmuWindow) score(f float64, start int64) {
	if !wd.seen || f < wd.min {
		wd.min, wd.worst, wd.seen = f, start, true
	}
}

// prune drops the steps that no window needs any more.
func (b *mmuBuilder) prune() {
	keep := b.base + b.steps.len() - 1
	for i := range b.win {
		wd := &b.win[i]
		// start-1 and end-1: evaluate's turn rule looks one step back.
		keep = min(keep, wd.start-1, wd.fwd, wd.end-1, wd.back)
	}
	keep = min(keep, b.done)
	drop := keep - b.base
	if drop <= 0 {
		return
	}
	b.steps.drop(drop)
	b.base = keep
}

// finish closes the curve at time end (the trace's last event) and returns
// the MMU of each window that fits in the trace, worst windows' starts as
// offsets from traceStart.
func (b *mmuBuilder) finish(end, traceStart int64) []MMUPoint {
	if b.steps.len() == 0 {
		return nil
	}
	b.add(end, -1) // a sentinel step: nothing after end is ever integrated
	b.evaluate(true)
	var out []MMUPoint
	for _, wd := range b.win {
		if !wd.seen {
			continue
		}
		u := max(wd.min/float64(wd.w), 0) // below 0 only by rounding
		out = append(out, MMUPoint{WindowNs: wd.w, Util: u, WorstAtNs: wd.worst - traceStart})
	}
	return out
}
