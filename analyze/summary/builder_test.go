package summary

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/internal/synth"
	"github.com/gcprobe/gcprobe/record"
)

// chainBounds is the two-pass form of cumulativeBounds that the chain
// replaces, over cycles held in arrays: forward, then backward over every
// X(k), then a check of every k. The streamed chain must agree with it.
func chainBounds(in []record.GC, all []record.GC, gap float64) (lo, hi float64, ok bool) {
	if len(in) == 0 {
		return 0, 0, false
	}
	for i := 1; i < len(in); i++ {
		if in[i].N != in[i-1].N+1 {
			return 0, 0, false
		}
	}
	var chain []record.GC
	for _, g := range all {
		if fromGCTrace(g) && g.IntervalCPUSeconds > 0 && g.N == uint64(len(chain))+1 {
			chain = append(chain, g)
		}
	}
	first, last := in[0].N, in[len(in)-1].N
	if uint64(len(chain)) < last {
		return 0, 0, false
	}
	chain = chain[:last]
	n := len(chain)
	xlo, xhi := make([]float64, n+1), make([]float64, n+1)
	cyclo, cychi := make([]float64, n+1), make([]float64, n+1)
	avail := 0.0
	for k := 1; k <= n; k++ {
		g := chain[k-1]
		avail += g.IntervalCPUSeconds
		cyclo[k], cychi[k] = cycleBounds(g)
		u := g.CumulativeGCCPUFraction
		xlo[k] = math.Max(u*avail, xlo[k-1]+cyclo[k])
		xhi[k] = math.Min((u+0.01)*(avail+float64(g.Procs)*gap), xhi[k-1]+cychi[k])
	}
	for k := n - 1; k >= 1; k-- {
		xlo[k] = math.Max(xlo[k], xlo[k+1]-cychi[k+1])
		xhi[k] = math.Min(xhi[k], xhi[k+1]-cyclo[k+1])
	}
	for k := 1; k <= n; k++ {
		if xlo[k] > xhi[k] {
			return 0, 0, false
		}
	}
	a := first - 1
	return xlo[last] - xhi[a], xhi[last] - xlo[a], true
}

// TestChainMatchesTwoPass feeds random gctrace chains, consistent and not,
// with windows starting at cycle 1 and later, to the builder and checks its
// bounds against the two-pass computation.
func TestChainMatchesTwoPass(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	agree, consistent := 0, 0
	for trial := range 400 {
		n := 2 + rng.IntN(60)
		var gcs []record.GC
		x, avail := 0.0, 0.0
		for k := 1; k <= n; k++ {
			g := record.GC{N: uint64(k), Procs: 2, PauseSeconds: 1e-4 * rng.Float64(),
				AssistCPUSeconds: 1e-3 * rng.Float64(), BackgroundCPUSeconds: 2e-3 * rng.Float64(),
				IntervalCPUSeconds: 0.01 + 0.05*rng.Float64()}
			avail += g.IntervalCPUSeconds
			l, h := cycleBounds(g)
			x += l + (h-l)*rng.Float64()
			// A true share rounded down, or now and then a wrong one.
			u := math.Floor(100*x/avail) / 100
			if rng.IntN(8) == 0 {
				u = math.Floor(100*rng.Float64()*0.3) / 100
			}
			g.CumulativeGCCPUFraction = u
			gcs = append(gcs, g)
		}
		first := 1 + rng.IntN(n)
		if trial%3 == 0 {
			first = 1
		}
		var chains [2]chain
		chains[0].gap, chains[1].gap = initGap, usualInitGap
		w := newWindow(0, record.SourceRun)
		for _, g := range gcs {
			if g.N >= uint64(first) {
				w.gt.add(g, &chains)
			}
			for i := range chains {
				if chains[i].add(g) {
					w.gt.obs[i].grow(&chains[i])
					if g.N >= uint64(first) {
						w.gt.obs[i].mark(&chains[i])
					}
				}
			}
		}
		for i, gap := range []float64{initGap, usualInitGap} {
			lo, hi, ok := cumulativeBounds(&w.gt, i)
			wlo, whi, wok := chainBounds(gcs[first-1:], gcs, gap)
			if ok != wok || ok && (!closeTo(lo, wlo) || !closeTo(hi, whi)) {
				t.Fatalf("trial %d (n %d, first %d, gap %v): streamed %v %v %v, two-pass %v %v %v", trial, n, first, gap, lo, hi, ok, wlo, whi, wok)
			}
			agree++
			if ok {
				consistent++
			}
		}
	}
	// Both outcomes must have been tried.
	if consistent == 0 || consistent == agree {
		t.Errorf("%d of %d chains consistent: the test does not try both", consistent, agree)
	}
}

func closeTo(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestValuesSketch checks the exact quantiles below the limit and the
// sketch's bound above it.
func TestValuesSketch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var exact, sk values
	sk.limit = 1000
	var all []float64
	for range 20000 {
		x := math.Exp(15 + 3*rng.Float64()) // 3 MB to 65 MB
		if rng.IntN(50) == 0 {
			x = 0
		}
		exact.add(x)
		sk.add(x)
		all = append(all, x)
	}
	if exact.sketched() || !sk.sketched() || sk.xs != nil {
		t.Fatalf("sketched: exact %v, limited %v (%d values kept)", exact.sketched(), sk.sketched(), len(sk.xs))
	}
	for _, q := range []float64{0, 0.01, 0.5, 0.9, 0.99, 1} {
		want := quantileOf(append([]float64(nil), all...), q)
		if got := exact.quantile(q); got != want {
			t.Errorf("exact q%v: %v, want %v", q, got, want)
		}
		if got := sk.quantile(q); math.Abs(got-want) > sketchRelErr*want+1e-9 {
			t.Errorf("sketch q%v: %v, want %v within %v", q, got, want, sketchRelErr)
		}
	}
	d := sk.dist()
	if d.N != 20000 || d.Min != 0 || d.Max != exact.max || !d.Sketched {
		t.Errorf("sketched dist %+v", d)
	}
}

// TestSketchedSummarySays checks that a summary whose medians come from the
// sketch says so, and that its figures stay within the bound.
func TestSketchedSummarySays(t *testing.T) {
	run := synthRun(t, synth.Options{Seconds: 30, CyclesPerSecond: 50})
	want := Compute(run)
	b := newBuilder(run.Header.Source, 0, math.Inf(1), math.Inf(1))
	b.loads[0].gcLive.limit, b.pz.perCycle.limit = 100, 100
	for _, e := range run.Events {
		b.add(e)
	}
	got := b.summary(run.File, run.Header, false)
	if !got.HeapLive.Sketched || want.HeapLive.Sketched {
		t.Fatalf("sketched: %v, whole %v", got.HeapLive.Sketched, want.HeapLive.Sketched)
	}
	if math.Abs(got.HeapLive.Median-want.HeapLive.Median) > sketchRelErr*want.HeapLive.Median || got.HeapLive.N != want.HeapLive.N {
		t.Errorf("median live heap %v, exact %v", got.HeapLive, want.HeapLive)
	}
	found := false
	for _, w := range got.Warnings {
		found = found || strings.Contains(w.Error(), "the median live heap") && strings.Contains(w.Error(), "pause p50 and p99")
	}
	if !found {
		t.Errorf("no warning names the sketched figures: %v", got.Warnings)
	}
	for _, w := range want.Warnings {
		if strings.Contains(w.Error(), "sketch") {
			t.Errorf("exact summary warns: %v", w)
		}
	}
}

// TestReadLateEvents checks the order a stream is taken in: a cycle written
// a little late is waited for; one written far too late makes Read hold the
// record whole, with the same summary as Compute.
func TestReadLateEvents(t *testing.T) {
	for _, late := range []float64{2, 40} {
		run := synthRun(t, synth.Options{Seconds: 120, CyclesPerSecond: 5, Latency: true})
		// Move the cycle closest to 60 s behind the events of the next
		// `late` seconds.
		var i int
		for i = range run.Events {
			if run.Events[i].GC != nil && run.Events[i].T > 60 {
				break
			}
		}
		g := run.Events[i]
		rest := append([]record.Event{}, run.Events[i+1:]...)
		j := 0
		for j < len(rest) && rest[j].T < g.T+late {
			j++
		}
		events := append(append(append(run.Events[:i:i], rest[:j]...), g), rest[j:]...)
		var buf bytes.Buffer
		w, _ := record.NewWriter(&buf, run.Header)
		for _, e := range events {
			w.Write(e)
		}
		whole, _ := json.Marshal(Compute(&record.Run{File: "late", Header: run.Header, Events: events}))
		s, err := Read(bytes.NewReader(buf.Bytes()), "late")
		if err != nil {
			t.Fatal(err)
		}
		streamed, _ := json.Marshal(s)
		if !bytes.Equal(whole, streamed) {
			t.Errorf("%v s late: Read and Compute differ:\n%s\n%s", late, streamed, whole)
		}
		if held := len(s.ev.gcs) > 0; held != (late > streamReorder) {
			t.Errorf("%v s late: events held %v", late, held)
		}
	}
}

func synthRun(t *testing.T, o synth.Options) *record.Run {
	t.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, o); err != nil {
		t.Fatal(err)
	}
	run, err := record.Read(&buf, "synth")
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// TestBandSketch checks a band's medians: exact up to bandExact values a
// column, within bandRelErr past it, min and max always exact.
func TestBandSketch(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{10 * bandExact, 50 * bandExact} {
		s := series{grid: grid{hi: 10, n: 10}}
		cols := make([][]float64, 10)
		for i := range n {
			x := 10 * float64(i) / float64(n)
			v := 50e-6 * (1 + 3*rng.Float64()*rng.Float64())
			s.add(x, v)
			c, _ := s.grid.index(x)
			cols[c] = append(cols[c], v)
		}
		p := s.points()
		if p.Band == nil || p.N != n || len(p.Band.Col) != 10 || p.Band.Sketched != (n/10 > bandExact) {
			t.Fatalf("%d values: %+v", n, p)
		}
		for i, c := range p.Band.Col {
			vs := cols[c]
			slices.Sort(vs)
			if p.Band.Min[i] != vs[0] || p.Band.Max[i] != vs[len(vs)-1] {
				t.Errorf("column %d: min/max %v %v, want %v %v", c, p.Band.Min[i], p.Band.Max[i], vs[0], vs[len(vs)-1])
			}
			if m := median(vs); math.Abs(p.Band.Median[i]-m) > bandRelErr*m {
				t.Errorf("column %d: median %v, want %v within %v", c, p.Band.Median[i], m, bandRelErr)
			}
		}
	}
}

// TestPendingOrder checks the reorder heap: events come out by time, a
// cycle before a sample of its time, else in the order they went in.
func TestPendingOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var p pendingEvents
	var in []pendingEvent
	for i := range 500 {
		e := record.Event{T: float64(rng.IntN(50))}
		if rng.IntN(2) == 0 {
			e.GC = &record.GC{N: uint64(i)}
		} else {
			e.Sample = &record.Sample{GCCyclesTotal: uint64(i)}
		}
		x := pendingEvent{e, i}
		in = append(in, x)
		p.push(x)
	}
	want := pendingEvents(slices.Clone(in))
	slices.SortStableFunc(want, func(a, b pendingEvent) int {
		w := pendingEvents{a, b}
		switch {
		case w.less(0, 1):
			return -1
		case w.less(1, 0):
			return 1
		}
		return 0
	})
	for i := range want {
		got := p.pop()
		if got.GC != want[i].e.GC || got.Sample != want[i].e.Sample {
			t.Fatalf("event %d: %+v, want %+v", i, got, want[i].e)
		}
	}
	if len(p) != 0 {
		t.Errorf("%d left", len(p))
	}
}
