package report

import (
	"bytes"
	"math"
	"testing"

	"github.com/gcprobe/gcprobe/analyze/chart"
	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/internal/synth"
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// TestAggregatedChartsMatchWhole checks that the timeline aggregated by
// column as it is read (summary.Charts) draws what the charts computed from
// every value (chart.Grid over summary.Timeline) draw: the same shading, the
// same cycle counts, the same bands and GC CPU shares per column, and the
// same pause histogram.
func TestAggregatedChartsMatchWhole(t *testing.T) {
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Seconds: 40, CyclesPerSecond: 110, Latency: true, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	run, err := record.Read(&buf, "dense")
	if err != nil {
		t.Fatal(err)
	}
	s := summary.Compute(run)
	raw := s.Timeline()
	tl, _, err := s.Charts(chart.DefaultBins)
	if err != nil {
		t.Fatal(err)
	}
	g := chart.Grid{Lo: 0, Hi: raw.End, N: chart.DefaultBins}
	if tl.Cycles != nil || tl.Coverage == nil || tl.NCycles != len(raw.Cycles) {
		t.Fatalf("cycles not aggregated: %d kept, %d counted of %d", len(tl.Cycles), tl.NCycles, len(raw.Cycles))
	}
	var spans []chart.Span
	var ends []float64
	for _, sp := range raw.Cycles {
		spans = append(spans, chart.Span{Lo: sp.Lo, Hi: sp.Hi})
		ends = append(ends, sp.Hi)
	}
	equal(t, "coverage", tl.Coverage, g.Coverage(spans), 0)
	equal(t, "cycle ends", tl.CycleEnds, g.Counts(ends), 0)

	for _, sr := range []struct {
		name     string
		raw, agg summary.Points
	}{{"RSS", raw.RSS, tl.RSS}, {"heap live", raw.HeapLive, tl.HeapLive}, {"longest pause", raw.PauseLongest, tl.PauseLongest},
		{"pause total", raw.PauseTotal, tl.PauseTotal}, {"GC share", raw.GCShare, tl.GCShare}, {"p99", raw.LatencyP99, tl.LatencyP99}} {
		dense := len(sr.raw.T) > chart.MaxPointsPerBin*chart.DefaultBins
		if (sr.agg.Band != nil) != dense || sr.agg.N != len(sr.raw.T) {
			t.Errorf("%s: band %v for %d values (N %d)", sr.name, sr.agg.Band != nil, len(sr.raw.T), sr.agg.N)
			continue
		}
		if !dense {
			equal(t, sr.name+" points", sr.agg.V, sr.raw.V, 0)
			continue
		}
		want := g.Reduce(sr.raw.T, sr.raw.V, nil)
		got := (cycles{grid: g}).series(sr.name, sr.agg).Band
		equal(t, sr.name+" columns", got.X, want.X, 0)
		equal(t, sr.name+" min", got.Min, want.Min, 0)
		equal(t, sr.name+" median", got.Median, want.Median, 0)
		equal(t, sr.name+" max", got.Max, want.Max, 0)
		if got.Estimated {
			t.Errorf("%s: medians estimated at %v values a column", sr.name, float64(sr.agg.N)/chart.DefaultBins)
		}
	}
	if tl.GCShare.Band == nil {
		t.Fatal("the GC share is not aggregated: the test checks nothing of its columns")
	}
	want := g.Ratio("", raw.GCShare.T, raw.GCCPU, raw.AvailableCPU)
	cpu := gcCPUChart(cyclesOf(tl), tl)
	if len(cpu.Series) != 2 {
		t.Fatalf("GC CPU chart has %d series, want the cycles' band and the columns' share", len(cpu.Series))
	}
	equal(t, "column share X", cpu.Series[1].X, want.X, 0)
	equal(t, "column share", cpu.Series[1].Y, want.Y, 1e-12)

	// The pause histogram: the cycles' single pauses counted between the
	// 1-2-5 steps, as chart.Histogram counts them.
	steps := units.Steps125()
	count := func(bs []record.Bucket) []float64 {
		n := make([]float64, len(steps)+1)
		for _, b := range bs {
			x := b.Lo
			if !math.IsInf(b.Hi, 1) && b.Hi > b.Lo {
				x = math.Sqrt(math.Max(b.Lo, 1e-9) * b.Hi)
			}
			i := 0
			for i < len(steps) && x >= steps[i] {
				i++
			}
			n[i] += float64(b.Count)
		}
		return n
	}
	if len(tl.PauseBuckets) >= len(raw.PauseBuckets) {
		t.Errorf("%d pause buckets aggregated from %d", len(tl.PauseBuckets), len(raw.PauseBuckets))
	}
	equal(t, "pause histogram", count(tl.PauseBuckets), count(raw.PauseBuckets), 0)
}

func equal(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*math.Abs(want[i]) {
			t.Errorf("%s[%d]: %v, want %v", what, i, got[i], want[i])
			return
		}
	}
}
