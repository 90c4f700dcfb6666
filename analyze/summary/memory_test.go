package summary

import (
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

func TestTheilSen(t *testing.T) {
	var xs, ys []float64
	for i := range 40 {
		x := float64(i)
		y := 3*x + 10 + float64(i%5) // a sawtooth on a slope of 3
		if i == 7 {
			y = 1e6 // one wild point moves no median
		}
		xs, ys = append(xs, x), append(ys, y)
	}
	slope, lo, hi, ok := theilSen(xs, ys)
	if !ok || math.Abs(slope-3) > 0.2 || lo > 3 || hi < 3 || lo >= hi {
		t.Errorf("slope %v [%v, %v] ok %v, want about 3 inside the interval", slope, lo, hi, ok)
	}
	flat := make([]float64, 40)
	for i := range flat {
		flat[i] = 100 + float64(i%3)
	}
	slope, lo, hi, _ = theilSen(xs, flat)
	if lo > 0 || hi < 0 || math.Abs(slope) > 0.1 {
		t.Errorf("flat: slope %v [%v, %v], want an interval around 0", slope, lo, hi)
	}
	if _, _, _, ok := theilSen([]float64{1, 1, 1}, []float64{1, 2, 3}); ok {
		t.Error("equal x gave a slope")
	}
}

func TestLiveTrendVerdict(t *testing.T) {
	mk := func(f func(i int) uint64) *window {
		w := newWindow(0, record.SourceRun)
		var chains [2]chain
		for i := range 30 {
			w.gc(float64(i), record.GC{N: uint64(i + 1), HeapLiveBytes: f(i)}, &chains)
		}
		return w
	}
	grow := liveTrend(mk(func(i int) uint64 { return 100<<20 + uint64(i)<<20 + uint64(i%3)<<18 }))
	if grow == nil || grow.Verdict != TrendGrows || !strings.HasPrefix(grow.Words(), "grows 60.0 MiB/min (95% CI") {
		t.Errorf("growing heap: %+v %q", grow, grow.Words())
	}
	steady := liveTrend(mk(func(i int) uint64 { return 100<<20 + uint64(i%4)<<20 }))
	if steady == nil || steady.Verdict != TrendSteady || !strings.HasPrefix(steady.Words(), "steady") {
		t.Errorf("steady heap: %+v", steady)
	}
	// A few noisy cycles (readstates for 5 s: 8 points, ±30% of the live
	// heap): the interval allows a large growth as well as a shrink, so
	// the trend is not called steady.
	noisy := liveTrend(mk(func(i int) uint64 {
		if i >= 8 {
			return 0 // no live heap: not a point
		}
		return uint64([]int{60, 80, 45, 75, 50, 82, 48, 70}[i]) << 20
	}))
	if noisy == nil || noisy.Verdict != TrendUnclear || !strings.HasPrefix(noisy.Words(), "unclear (95% CI") {
		t.Errorf("noisy heap: %+v %q", noisy, noisy.Words())
	}
	if liveTrend(newWindow(0, record.SourceRun)) != nil {
		t.Error("a trend from nothing")
	}
}

func sample(rss uint64, g *record.GoMemory, p *record.ProcMemory, live uint64) record.Sample {
	return record.Sample{RSSBytes: rss, HeapLiveBytes: live, GoMemory: g, ProcMemory: p}
}

func TestBreakdownAddsUp(t *testing.T) {
	const MiB = 1 << 20
	g := &record.GoMemory{From: record.FromRuntimeMetrics, HeapObjectsBytes: 60 * MiB, HeapUnusedBytes: 5 * MiB,
		HeapFreeBytes: 10 * MiB, HeapReleasedBytes: 20 * MiB, HeapStacksBytes: 1 * MiB, OSStacksBytes: 0,
		MetadataOtherBytes: 3 * MiB, MetadataMSpanInuseBytes: 1 * MiB, ProfilingBucketsBytes: 1 * MiB, OtherBytes: 2 * MiB}
	// Go resident: 83 MiB; lazy free 15 MiB of the 20 released; 200 MiB
	// of malloc outside Go; 4 MiB of the binary.
	p := &record.ProcMemory{RSSBytes: 302 * MiB, AnonymousBytes: 298 * MiB, LazyFreeBytes: 15 * MiB}
	b := breakdown(1, sample(302*MiB, g, p, 40*MiB), 0, 0)
	want := map[string]float64{PartLive: 40, PartHeadroom: 20, PartUnused: 5, PartFree: 10, PartLazyFree: 15,
		PartStacks: 1, PartMetadata: 4, PartProfiling: 1, PartOther: 2, PartFileBacked: 4, PartOutsideGo: 200}
	sum := b.ResidualBytes
	for _, part := range b.Parts {
		if !part.Exposed || part.Bytes != want[part.Name]*MiB {
			t.Errorf("%s: %v MiB exposed %v, want %v MiB", part.Name, part.Bytes/MiB, part.Exposed, want[part.Name])
		}
		sum += part.Bytes
	}
	if sum != b.RSSBytes || b.ResidualBytes != 0 {
		t.Errorf("parts and residual %v, RSS %v, residual %v", sum, b.RSSBytes, b.ResidualBytes)
	}
	if d, _ := lever(b); d != PartOutsideGo {
		t.Errorf("dominant %q", d)
	}

	// gctrace and smaps only (gcprobe run): the runtime's rows say so.
	// The last cycle before the sample left 30 MiB live and 1 MiB of stacks.
	run := breakdown(1, sample(100*MiB, nil, &record.ProcMemory{RSSBytes: 100 * MiB, AnonymousBytes: 96 * MiB}, 0), 30*MiB, MiB)
	if l := run.Part(PartLive); !l.Exposed || l.Bytes != 30*MiB || l.From != partFromGCTrace {
		t.Errorf("run live heap %+v", l)
	}
	for _, n := range []string{PartHeadroom, PartUnused, PartFree, PartMetadata, PartOutsideGo} {
		if p := run.Part(n); p.Exposed || !strings.HasPrefix(p.Note, "not exposed by this source") {
			t.Errorf("%s: %+v, want not exposed with a hint", n, p)
		}
	}
	if run.ResidualBytes != 100*MiB-30*MiB-MiB-4*MiB || run.Residual != residualNoGo {
		t.Errorf("run residual %v %q", run.ResidualBytes/MiB, run.Residual)
	}
}

// A source with no live heap apart (expvar, client_golang's default
// collector) gives all heap objects in the live heap row: the verdict must
// not call that what the program keeps reachable, and the note names the
// source it came from.
func TestBreakdownLiveWithGarbage(t *testing.T) {
	const MiB = 1 << 20
	for _, from := range []string{record.FromMemStats, record.FromPrometheus} {
		t.Run(from, func(t *testing.T) {
			g := &record.GoMemory{From: from, HeapObjectsBytes: 68 * MiB, HeapUnusedBytes: 3 * MiB, HeapFreeBytes: 3 * MiB}
			p := &record.ProcMemory{RSSBytes: 86 * MiB, AnonymousBytes: 77 * MiB}
			b := breakdown(1, sample(86*MiB, g, p, 0), 0, 0)
			live := b.Part(PartLive)
			if !live.WithGarbage || live.Bytes != 68*MiB {
				t.Fatalf("live heap part %+v, want 68 MiB with garbage", live)
			}
			if from == record.FromPrometheus && strings.Contains(live.Note+b.Part(PartHeadroom).Note, "MemStats") {
				t.Errorf("a Prometheus source's notes speak of MemStats: %q", live.Note)
			}
			m := Memory{AtPeak: b}
			m.Dominant, m.Lever = lever(b)
			v := m.verdict()
			if strings.Contains(v, "live heap —") || strings.Contains(v, "what the program keeps reachable") {
				t.Errorf("verdict calls heap objects with garbage the live heap: %q", v)
			}
			if !strings.Contains(v, "68.0 MiB heap objects (live and garbage)") {
				t.Errorf("verdict %q", v)
			}
			var out strings.Builder
			if err := WriteText(&out, []Summary{{Memory: &m}}); err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`dominant part +heap objects, live and garbage`).MatchString(out.String()) {
				t.Errorf("the text's dominant part is not the heap objects:\n%s", out.String())
			}
		})
	}
}
