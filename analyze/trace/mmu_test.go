package trace

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// bruteMMU is the MMU by definition: the integral over every window that
// starts or ends at a step (where the minimum must lie), computed afresh.
func bruteMMU(ts []int64, us []float64, end, w int64) (float64, bool) {
	integral := func(x int64) float64 {
		var f float64
		for i := range ts {
			next := end
			if i+1 < len(ts) {
				next = ts[i+1]
			}
			if x <= ts[i] {
				break
			}
			f += us[i] * float64(min(x, next)-ts[i])
		}
		return f
	}
	best, ok := math.Inf(1), false
	for _, t := range ts {
		for _, start := range []int64{t, t - w} {
			if start < ts[0] || start+w > end {
				continue
			}
			best, ok = min(best, (integral(start+w)-integral(start))/float64(w)), true
		}
	}
	if end-w >= ts[0] {
		best, ok = min(best, (integral(end)-integral(end-w))/float64(w)), true
	}
	return best, ok
}

func TestMMUMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	windows := []int64{1, 7, 50, 333, 2000, 10000}
	for trial := range 300 {
		n := 1 + rng.IntN(60)
		ts := make([]int64, n)
		us := make([]float64, n)
		now := int64(rng.IntN(100))
		for i := range ts {
			ts[i] = now
			us[i] = float64(rng.IntN(5)) / 4
			if i > 0 && us[i] == us[i-1] {
				us[i] = 1 - us[i-1]
			}
			now += 1 + int64(rng.IntN(400))
		}
		end := now
		b := newMMUBuilder(windows)
		for i := range ts {
			b.add(ts[i], us[i])
		}
		got := map[int64]MMUPoint{}
		for _, p := range b.finish(end, ts[0]) {
			got[p.WindowNs] = p
		}
		for _, w := range windows {
			want, ok := bruteMMU(ts, us, end, w)
			p, have := got[w]
			if ok != have {
				t.Fatalf("trial %d window %d: have a value %v, want one %v", trial, w, have, ok)
			}
			if ok && math.Abs(p.Util-want) > 1e-9 {
				t.Fatalf("trial %d window %d: MMU %v, by definition %v", trial, w, p.Util, want)
			}
			if ok && (p.WorstAtNs < 0 || p.WorstAtNs+w > end-ts[0]) {
				t.Fatalf("trial %d window %d: worst window at %d is outside the trace", trial, w, p.WorstAtNs)
			}
		}
	}
}

// TestMMUMemoryIsBounded feeds a million steps and checks that the
// builder keeps only about a longest window's worth.
func TestMMUMemoryIsBounded(t *testing.T) {
	b := newMMUBuilder([]int64{100, 1000})
	for i := range int64(1_000_000) {
		b.add(i*10, float64(i%2))
	}
	if n := cap(b.steps.t); n > 10_000 {
		t.Errorf("builder holds room for %d steps; the longest window spans 100", n)
	}
	pts := b.finish(10_000_000, 0)
	if len(pts) != 2 || math.Abs(pts[0].Util-0.5) > 1e-9 {
		t.Errorf("MMU of a square wave: %+v, want 0.5", pts)
	}
}

// prefixMMU is the MMU by definition over long step functions: every
// window that starts or ends at a step, integrated with prefix sums and a
// binary search (bruteMMU is too slow for thousands of steps). Steps may
// share a time; the last of them holds it.
func prefixMMU(ts []int64, us []float64, end, w int64) (float64, bool) {
	pre := make([]float64, len(ts)+1) // integral from ts[0] to ts[i]
	for i := 1; i < len(ts); i++ {
		pre[i] = pre[i-1] + us[i-1]*float64(ts[i]-ts[i-1])
	}
	integral := func(x int64) float64 {
		j := sort.Search(len(ts), func(i int) bool { return ts[i] > x }) - 1
		return pre[j] + us[j]*float64(x-ts[j])
	}
	best, ok := math.Inf(1), false
	try := func(x int64) {
		if x >= ts[0] && x+w <= end {
			best, ok = min(best, (integral(x+w)-integral(x))/float64(w)), true
		}
	}
	for _, t := range ts {
		try(t)
		try(t - w)
	}
	try(end - w)
	return best, ok
}

// TestMMUMatchesDefinitionLong checks the builder on step functions long
// enough that it evaluates in many batches and drops old steps, with
// repeated times and repeated utilizations, against prefixMMU.
func TestMMUMatchesDefinitionLong(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	windows := []int64{1, 30, 999, 20_000, 300_000, 2_000_000}
	for trial := range 12 {
		n := 2000 + rng.IntN(30_000)
		ts := make([]int64, n)
		us := make([]float64, n)
		now := int64(rng.IntN(1000))
		for i := range ts {
			ts[i] = now
			us[i] = float64(rng.IntN(9)) / 8
			if rng.IntN(10) > 0 {
				now += 1 + int64(rng.IntN(300))
			}
		}
		end := now + int64(rng.IntN(2))
		b := newMMUBuilder(windows)
		for i := range ts {
			b.add(ts[i], us[i])
		}
		got := map[int64]MMUPoint{}
		for _, p := range b.finish(end, ts[0]) {
			got[p.WindowNs] = p
		}
		for _, w := range windows {
			want, ok := prefixMMU(ts, us, end, w)
			p, have := got[w]
			if ok != have {
				t.Fatalf("trial %d (%d steps) window %d: have a value %v, want one %v", trial, n, w, have, ok)
			}
			if ok && math.Abs(p.Util-want) > 1e-9 {
				t.Fatalf("trial %d (%d steps) window %d: MMU %v, by definition %v", trial, n, w, p.Util, want)
			}
		}
	}
}

// TestMMULowerUntil checks the correction for GC work found running at the
// trace's start: the builder, told at time tc that one P of four was busy
// since the first step, gives the MMU of the step function with 1/4 less
// utilization (not below 0) before tc, by definition.
func TestMMULowerUntil(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	windows := []int64{10, 100, 1000, 5000}
	for trial := range 200 {
		n := 2 + rng.IntN(300)
		ts := make([]int64, n)
		us := make([]float64, n)
		now := int64(rng.IntN(100))
		for i := range ts {
			ts[i] = now
			us[i] = float64(rng.IntN(5)) / 4
			now += 1 + int64(rng.IntN(60))
		}
		end := now
		cut := 1 + rng.IntN(n-1) // steps before it come before tc
		tc := ts[cut-1] + int64(rng.IntN(int(ts[cut]-ts[cut-1])+1))
		b := newMMUBuilder(windows)
		b.hold = true
		for i := range cut {
			b.add(ts[i], us[i])
		}
		b.lowerUntil(tc, 0.25)
		for i := cut; i < n; i++ {
			b.add(ts[i], us[i])
			if i == cut+n/2 {
				b.hold = false
			}
		}
		// The same function by hand: a step at tc keeps what held there,
		// and everything before it is a quarter lower.
		var rts []int64
		var rus []float64
		for i := range cut {
			rts, rus = append(rts, ts[i]), append(rus, max(us[i]-0.25, 0))
		}
		rts, rus = append(rts, tc), append(rus, us[cut-1])
		for i := cut; i < n; i++ {
			rts, rus = append(rts, ts[i]), append(rus, us[i])
		}
		got := map[int64]MMUPoint{}
		for _, p := range b.finish(end, ts[0]) {
			got[p.WindowNs] = p
		}
		for _, w := range windows {
			want, ok := prefixMMU(rts, rus, end, w)
			p, have := got[w]
			if ok != have {
				t.Fatalf("trial %d window %d: have a value %v, want one %v", trial, w, have, ok)
			}
			if ok && math.Abs(p.Util-want) > 1e-9 {
				t.Fatalf("trial %d window %d (tc %d): MMU %v, by definition %v", trial, w, tc, p.Util, want)
			}
		}
	}
}
