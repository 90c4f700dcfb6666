package chart

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// denseTime is a chart of a run of secs seconds with rate GC cycles a
// second, each a fifth of the gap between them, and a value per cycle.
func denseTime(secs, rate float64) Time {
	var cycles []Span
	var xs, ys []float64
	for t := 1 / rate; t < secs; t += 1 / rate {
		cycles = append(cycles, Span{t, t + 0.2/rate})
		xs = append(xs, t)
		ys = append(ys, 0.05+0.01*math.Sin(t))
	}
	return Time{Title: "GC CPU", Y: "share", Unit: Ratio, Cycles: cycles, Until: secs,
		Series: []Series{{Name: "GC CPU share of the cycle", X: xs, Y: ys, Points: true}}}
}

// TestDenseChartSizeDoesNotGrowWithRun checks that past the readable
// density a chart's SVG is as large for an hour of cycles as for a minute:
// it grows with its columns, not with the run.
func TestDenseChartSizeDoesNotGrowWithRun(t *testing.T) {
	size := func(c Time) int {
		p, err := c.Plot()
		if err != nil {
			t.Fatal(err)
		}
		s, err := InlineSVG(p, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(s)
	}
	sparse := denseTime(60, 1) // 60 cycles: drawn one by one
	if d := sparse.Density(); d.Dense() {
		t.Fatalf("60 cycles over a minute are aggregated (%+v): they are readable one by one", d)
	}
	minute, hour := denseTime(60, 110), denseTime(3600, 110)
	for _, c := range []Time{minute, hour} {
		if d := c.Density(); !d.Cycles || len(d.Series) != 1 {
			t.Fatalf("%d cycles: density %+v, want cycles and the series aggregated", len(c.Cycles), d)
		}
	}
	sm, sh := size(minute), size(hour)
	t.Logf("SVG of 6,600 cycles: %d bytes; of 396,000: %d bytes", sm, sh)
	if float64(sh) > 1.2*float64(sm) || sh > 200<<10 {
		t.Errorf("an hour's chart is %d bytes against a minute's %d: it grows with the run", sh, sm)
	}
	// Without aggregation the hour would hold a shape per cycle.
	if perCycle := len(hour.Cycles); sh > perCycle*10 {
		t.Errorf("%d bytes for %d cycles is no smaller than a shape per cycle", sh, perCycle)
	}
}

func TestGridCoverage(t *testing.T) {
	g := Grid{Lo: 0, Hi: 10, N: 5} // columns of 2 s
	cov := g.Coverage([]Span{{0.5, 1.5}, {3, 7}, {9.9, 12}})
	want := []float64{0.5, 0.5, 1, 0.5, 0.05}
	for i := range want {
		if math.Abs(cov[i]-want[i]) > 1e-9 {
			t.Errorf("column %d: coverage %g, want %g (all %v)", i, cov[i], want[i], cov)
		}
	}
	if r := g.Rate([]float64{0.1, 0.2, 1.9, 5, 10}); r[0] != 1.5 || r[2] != 0.5 || r[4] != 0.5 {
		t.Errorf("rate %v, want 1.5/s in column 0 and 0.5/s in columns 2 and 4", r)
	}
}

func TestGridReduce(t *testing.T) {
	g := Grid{Lo: 0, Hi: 4, N: 2}
	b := g.Reduce([]float64{0, 1, 1.5, 2, 3, 3.5}, []float64{5, 1, 3, -1, 7, 2}, func(y float64) bool { return y > 0 })
	got := fmt.Sprint(b.X, b.Min, b.Median, b.Max)
	if want := "[1 3] [1 2] [3 4.5] [5 7]"; got != want {
		t.Errorf("Reduce = %s, want %s", got, want)
	}
}

// TestDenseLegendSaysAggregated checks the reader is told a band is not a
// line of values.
func TestDenseLegendSaysAggregated(t *testing.T) {
	p, err := denseTime(600, 110).Plot()
	if err != nil {
		t.Fatal(err)
	}
	s, err := InlineSVG(p, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"median, min–max", "GC (deeper: more)"} {
		if !strings.Contains(s, want) {
			t.Errorf("the dense chart's legend lacks %q", want)
		}
	}
}

// TestParetoNoiseAxis checks that an axis whose differences are not
// significant starts at zero and says so, where a significant one zooms on
// the data.
func TestParetoNoiseAxis(t *testing.T) {
	pts := []Point{{"a", 100 << 20, 300e-6, true, false}, {"b", 200 << 20, 321e-6, true, false}, {"c", 300 << 20, 310e-6, false, false}}
	zoomed, err := Pareto{Title: "t", X: "peak RSS", Y: "p99 pause", XUnit: Bytes, YUnit: Seconds, Points: pts}.Plot()
	if err != nil {
		t.Fatal(err)
	}
	flat, err := Pareto{Title: "t", X: "peak RSS", Y: "p99 pause", XUnit: Bytes, YUnit: Seconds, Points: pts, YNoise: true}.Plot()
	if err != nil {
		t.Fatal(err)
	}
	if zoomed.Y.Min <= 0 {
		t.Errorf("a significant 7%% spread is not zoomed on: Y from %g", zoomed.Y.Min)
	}
	if flat.Y.Min != 0 || !strings.Contains(flat.Y.Label.Text, "no significant difference") {
		t.Errorf("a noise axis runs from %g with label %q; want 0 and a label that says so", flat.Y.Min, flat.Y.Label.Text)
	}
	if flat.X.Min != zoomed.X.Min || strings.Contains(flat.X.Label.Text, "significant") {
		t.Errorf("the X axis changed with Y's noise: %g %q", flat.X.Min, flat.X.Label.Text)
	}
}

func TestGridRatio(t *testing.T) {
	g := Grid{Lo: 0, Hi: 4, N: 2}
	s := g.Ratio("share", []float64{0.5, 1, 3}, []float64{1, 3, 0}, []float64{10, 10, 0})
	if got := fmt.Sprint(s.X, s.Y); got != "[1] [0.2]" {
		t.Errorf("Ratio = %s, want [1] [0.2] (column 2 has no CPU and is left out)", got)
	}
}

// TestBarsInRows checks that more configurations than fit side by side are
// drawn in rows, in a chart tall enough for them, every label readable.
func TestBarsInRows(t *testing.T) {
	var b Bars
	b.Title, b.Y, b.Unit = "GC CPU", "GC CPU", Ratio
	for i := 0; i < 24; i++ {
		b.Labels = append(b.Labels, fmt.Sprintf("gogc=%d memlimit=off layout=pointers", 25*(i+1)))
		b.Center, b.Lo, b.Hi = append(b.Center, 0.01*float64(i+1)), append(b.Lo, 0.009*float64(i+1)), append(b.Hi, 0.011*float64(i+1))
	}
	w, h := b.Size()
	if w != Width || h < 24*vg.Inch/5 {
		t.Fatalf("size %v x %v for 24 rows", w, h)
	}
	p, err := b.Plot()
	if err != nil {
		t.Fatal(err)
	}
	svg, err := InlineSVG(p, w, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"25 / off / pointers", "600 / off / pointers", "gogc / memlimit / layout"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the rows chart lacks the label %q", want)
		}
	}
	if w, h := (Bars{Center: []float64{1, 2}}).Size(); w != 0 || h != 0 {
		t.Errorf("two bars ask for a size of their own: %v x %v", w, h)
	}
}
