package trace

// The MMU (minimum mutator utilization, Cheng & Blelloch 2001) of a window
// length w is the lowest share of the CPU left to the program over any
// interval of length w. Utilization is a step function u(t) in [0, 1]; with
// F(t) its integral, the utilization of [t, t+w] is (F(t+w) - F(t)) / w, a
// piecewise-linear function of t whose minimum lies where t or t+w meets a
// step. mmuBuilder evaluates exactly those windows while the steps stream
// in, for all window lengths at once, keeping only the steps of the last
// (longest window) of time.

// DefaultWindows are the MMU window lengths, in nanoseconds: 100 µs to 1 s
// in 1-2-5 steps.
var DefaultWindows = []int64{
	100e3, 200e3, 500e3,
	1e6, 2e6, 5e6,
	10e6, 20e6, 50e6,
	100e6, 200e6, 500e6,
	1e9,
}

type step struct {
	t int64   // when u starts to hold, ns
	u float64 // utilization from t to the next step
	f float64 // integral of u from the first step to t, ns
}

type mmuWindow struct {
	w     int64
	min   float64 // the smallest integral over a window, ns
	worst int64   // start of the worst window, ns
	seen  bool
	// Absolute indexes into the step stream (see mmuBuilder.base).
	start int // next step whose window [t, t+w] is still to be evaluated
	fwd   int // step holding t+w for the window starting at steps[start]
	back  int // step holding t-w for windows ending at the newest step
}

type mmuBuilder struct {
	steps  []step
	base   int   // absolute index of steps[0]
	origin int64 // time of the first step
	done   int   // absolute index of the last step evaluated
	win    []mmuWindow
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
	n := len(b.steps)
	if n == 0 {
		b.steps = append(b.steps, step{t: t, u: u})
		b.origin = t
		return
	}
	last := &b.steps[n-1]
	if t <= last.t {
		last.u = u // a zero-length step holds no time
		return
	}
	if u == last.u {
		return
	}
	b.steps = append(b.steps, step{t: t, u: u, f: last.f + last.u*float64(t-last.t)})
	if b.base+len(b.steps)-b.done > mmuBatch {
		b.evaluate()
		b.prune()
	}
}

// mmuBatch is how many new steps wait before the windows are moved over
// them, one window at a time (tighter loops than every window per step).
const mmuBatch = 512

// evaluate scores, for each new step, the windows that the step completes:
// the one that ends at it, and those that start at an older step and end
// before it.
func (b *mmuBuilder) evaluate() {
	steps, base := b.steps, b.base
	last := len(steps) - 1 // indexes below are into steps
	for i := range b.win {
		wd := &b.win[i]
		w := wd.w
		start, fwd, back := wd.start-base, wd.fwd-base, wd.back-base
		for k := b.done + 1 - base; k <= last; k++ {
			tk := steps[k].t
			// Windows [t_start, t_start+w] that end by t_k.
			for start < k && steps[start].t+w <= tk {
				s := &steps[start]
				y := s.t + w
				fwd = max(fwd, start)
				for fwd < k && steps[fwd+1].t <= y {
					fwd++
				}
				f := &steps[fwd]
				wd.score(f.f+f.u*float64(y-f.t)-s.f, s.t)
				start++
			}
			// The window [t_k-w, t_k].
			if x := tk - w; x >= b.origin {
				for back < k && steps[back+1].t <= x {
					back++
				}
				f := &steps[back]
				wd.score(steps[k].f-(f.f+f.u*float64(x-f.t)), x)
			}
		}
		wd.start, wd.fwd, wd.back = start+base, fwd+base, back+base
	}
	b.done = base + last
}

// score keeps the smallest integral of a window (its utilization times w).
func (wd *mmuWindow) score(f float64, start int64) {
	if !wd.seen || f < wd.min {
		wd.min, wd.worst, wd.seen = f, start, true
	}
}

// prune drops the steps that no window needs any more.
func (b *mmuBuilder) prune() {
	keep := b.base + len(b.steps) - 1
	for i := range b.win {
		keep = min(keep, b.win[i].start, b.win[i].fwd, b.win[i].back)
	}
	keep = min(keep, b.done)
	drop := keep - b.base
	if drop < 1024 || drop < len(b.steps)/2 {
		return
	}
	n := copy(b.steps, b.steps[drop:])
	b.steps = b.steps[:n]
	b.base = keep
}

// finish closes the curve at time end (the trace's last event) and returns
// the MMU of each window that fits in the trace, worst windows' starts as
// offsets from traceStart.
func (b *mmuBuilder) finish(end, traceStart int64) []MMUPoint {
	if len(b.steps) == 0 {
		return nil
	}
	b.add(end, -1) // a sentinel step: nothing after end is ever integrated
	b.evaluate()
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
