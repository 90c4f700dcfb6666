package chart

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func testCharts() map[string]Chart {
	var xs, rss, lat []float64
	for i := 0; i < 60; i++ {
		xs = append(xs, float64(i))
		rss = append(rss, float64(100+i)*(1<<20))
		lat = append(lat, 0.001+0.3*float64(i%10/9))
	}
	return map[string]Chart{
		"time": Time{Title: "Memory", Y: "memory", Unit: Bytes, Series: []Series{{Name: "RSS", X: xs, Y: rss}},
			Cycles: []Span{{10, 11.5}, {20, 20.004}}, Marks: []float64{30}},
		"log":  Time{Title: "Latency", Y: "latency", Unit: Seconds, LogY: true, Series: []Series{{Name: "p99", X: xs, Y: lat, Points: true}}},
		"hist": Histogram{Title: "Pauses", X: "pause", Bins: []Bin{{50e-6, 60e-6, 3}, {1e-3, 1.1e-3, 1}, {2e-3, math.Inf(1), 1}}},
		"bars": Bars{Title: "GC CPU", Y: "GC CPU", Unit: Ratio, Labels: []string{"gogc=50", "gogc=100"},
			Center: []float64{0.2, 0.1}, Lo: []float64{0.18, math.Inf(-1)}, Hi: []float64{0.22, math.Inf(1)}},
		"stacked": Stacked{Title: "Where the RSS goes", Y: "memory", Unit: Bytes, X: xs[:3], TotalName: "RSS", Total: []float64{100 << 20, 120 << 20, 90 << 20},
			Layers: []Layer{{"live heap", []float64{60 << 20, 70 << 20, 20 << 20}}, {"free", []float64{30 << 20, 40 << 20, 60 << 20}}, {"residual", []float64{10 << 20, -5 << 20, 10 << 20}}}},
		"pareto": Pareto{Title: "Memory against latency", X: "peak RSS", Y: "p99", XUnit: Bytes, YUnit: Seconds,
			Points: []Point{{"gogc=50", 100 << 20, 0.3, true, false}, {"gogc=100", 150 << 20, 0.1, true, true}, {"gogc=200", 300 << 20, 0.2, false, false}}},
	}
}

// TestPNG checks every chart renders to a PNG of the default size that is
// not blank: a good share of its pixels are not the background.
func TestPNG(t *testing.T) {
	for name, c := range testCharts() {
		t.Run(name, func(t *testing.T) {
			p, err := c.Plot()
			if err != nil {
				t.Fatal(err)
			}
			b, err := PNG(p, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Bounds().Size(); got != (image.Point{768, 336}) {
				t.Errorf("size %v, want 768x336", got)
			}
			if f := inked(img); f < 0.02 {
				t.Errorf("only %.3f of the pixels are drawn: blank chart", f)
			}
		})
	}
}

// inked is the share of pixels that are not white, over every third pixel
// of every third row.
func inked(img image.Image) float64 {
	b := img.Bounds()
	n, all := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				n++
			}
			all++
		}
	}
	return float64(n) / float64(all)
}

func TestInlineSVG(t *testing.T) {
	p, err := testCharts()["time"].Plot()
	if err != nil {
		t.Fatal(err)
	}
	s, err := InlineSVG(p, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, `<svg role="img" width="100%" viewBox=`) || strings.Contains(s, "<?xml") {
		t.Errorf("not an inline svg: %.200s", s)
	}
	for _, want := range []string{"Memory", "memory (MiB)", "time since start (s)", "GC cycle", "RSS"} {
		if !strings.Contains(s, ">"+want+"<") {
			t.Errorf("svg lacks text %q", want)
		}
	}
}

func TestHistogramRebins(t *testing.T) {
	p, err := Histogram{Title: "x", Bins: []Bin{{150e-6, 160e-6, 2}, {120e-6, 130e-6, 1}, {3e-3, math.Inf(1), 1}}}.Plot()
	if err != nil {
		t.Fatal(err)
	}
	s, _ := InlineSVG(p, 0, 0)
	for _, want := range []string{"100–200µs", "2–5ms"} {
		if !strings.Contains(s, want) {
			t.Errorf("histogram lacks bin %q", want)
		}
	}
}

// TestParetoLabelsDoNotOverlap places the labels of a real sweep's
// configurations, two pairs of them a few pixels apart, and checks that no
// label covers another or a point.
func TestParetoLabelsDoNotOverlap(t *testing.T) {
	pts := []vg.Point{{X: 100, Y: 100}, {X: 104, Y: 96}, {X: 300, Y: 150}, {X: 305, Y: 140}, {X: 310, Y: 60}, {X: 300, Y: 200}}
	checkLabels(t, pts, 6)
	// A crowd on one line near the bottom, as the compact layouts of a
	// 24-configuration sweep lie at p99 ~4 ms under the pointer layouts'
	// 250 ms: some labels find no room and are left out, none is written
	// over another.
	var crowd []vg.Point
	for i := 0; i < 8; i++ {
		crowd = append(crowd, vg.Point{X: vg.Length(90 + 12*i), Y: 12})
	}
	checkLabels(t, crowd, 2)
}

// checkLabels places a 110 x 11 pt label by each point and checks that at
// least min are placed, inside the chart, and that none overlaps another
// or covers a point.
func checkLabels(t *testing.T, pts []vg.Point, min int) {
	t.Helper()
	size := vg.Point{X: 110, Y: 11}
	sizes := make([]vg.Point, len(pts))
	for i := range sizes {
		sizes[i] = size
	}
	bounds := vg.Rectangle{Max: vg.Point{X: 576, Y: 252}}
	at, placed := placeLabels(pts, sizes, bounds)
	box := func(i int) vg.Rectangle {
		return vg.Rectangle{Min: at[i], Max: vg.Point{X: at[i].X + size.X, Y: at[i].Y + size.Y}}
	}
	n := 0
	for i := range at {
		if !placed[i] {
			continue
		}
		n++
		if !inside(box(i), bounds) {
			t.Errorf("label %d at %v is outside the chart", i, box(i))
		}
		for j := range at {
			if j != i && placed[j] && overlaps(box(i), box(j)) {
				t.Errorf("labels %d %v and %d %v overlap", i, box(i), j, box(j))
			}
			if p := pts[j]; p.X > box(i).Min.X && p.X < box(i).Max.X && p.Y > box(i).Min.Y && p.Y < box(i).Max.Y {
				t.Errorf("label %d %v covers point %d %v", i, box(i), j, p)
			}
		}
	}
	if n < min {
		t.Errorf("%d of %d labels placed, want at least %d", n, len(pts), min)
	}
}

// TestTicksEvery125 checks that linear axes get four to seven labels on 1-2-5
// steps, without trailing zeros.
func TestTicksEvery125(t *testing.T) {
	for _, tc := range []struct {
		min, max float64
		want     string
	}{
		{0, 19.7, "0 5 10 15"},
		{0, 8.1, "0 2 4 6 8"},
		{105, 148, "110 120 130 140"},
		{0, 0.45, "0 0.1 0.2 0.3 0.4"},
	} {
		var got []string
		for _, tk := range (plainTicks{}).Ticks(tc.min, tc.max) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("ticks over [%v, %v] = %q, want %q", tc.min, tc.max, s, tc.want)
		}
	}
}

// TestHistogramLabelsFit renders a histogram of pauses from 2 µs to 50 ms
// (13 bins, as a real overloaded run had) and checks that each bin's label is
// narrower than the distance between two bins, so that neighbours do not
// run into each other.
func TestHistogramLabelsFit(t *testing.T) {
	var bins []Bin
	for _, e := range edges125() {
		if e >= 2e-6 && e < 50e-3 {
			bins = append(bins, Bin{e, e * 1.1, 1})
		}
	}
	p, err := Histogram{Title: "GC pause histogram", X: "stop-the-world pause", Bins: bins}.Plot()
	if err != nil {
		t.Fatal(err)
	}
	c := draw.New(vgimg.New(Width, Height))
	dc := p.DataCanvas(c)
	trX, _ := p.Transforms(&dc)
	ticks := p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max)
	if len(ticks) != 13 {
		t.Fatalf("%d ticks, want 13", len(ticks))
	}
	gap := trX(1) - trX(0)
	for _, tk := range ticks {
		if w := p.X.Tick.Label.Width(tk.Label); w >= gap {
			t.Errorf("label %q is %.0f wide, more than the %.0f between bins", tk.Label, w, gap)
		}
	}
}

// TestBarLabelsFit draws the bars of a real 3 GOGC x 2 memory limit sweep
// at the half-page size the HTML report uses, and checks that the
// configuration labels fit between bars.
func TestBarLabelsFit(t *testing.T) {
	var labels []string
	var center []float64
	for _, m := range []string{"off", "256MiB"} {
		for _, g := range []string{"100", "50", "200"} {
			labels = append(labels, "gogc="+g+" memlimit="+m)
			center = append(center, 0.05)
		}
	}
	p, err := Bars{Title: "GC CPU by configuration", Y: "GC CPU", Unit: Ratio, Labels: labels, Center: center}.Plot()
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Label.Text != "gogc / memlimit" {
		t.Errorf("X axis label %q, want the dimensions' names", p.X.Label.Text)
	}
	c := draw.New(vgimg.New(4.6*vg.Inch, 3.4*vg.Inch))
	dc := p.DataCanvas(c)
	trX, _ := p.Transforms(&dc)
	gap := trX(1) - trX(0)
	for _, tk := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if w := p.X.Tick.Label.Width(tk.Label); tk.Label != "" && w >= gap {
			t.Errorf("label %q is %.0f wide, more than the %.0f between bars", tk.Label, w, gap)
		}
	}
	if names, _ := compactLabels([]string{"gogc=100 memlimit=off", "gogc=50 layout=compact"}); names[1] != "gogc=50\nlayout=compact" {
		t.Errorf("labels with other dimensions: %q", names)
	}
}

// TestStackedPilesLayers checks that the bands pile up: the top of the
// axis covers the largest sum of the layers (negative values count as 0),
// and every layer and the total are in the legend.
func TestStackedPilesLayers(t *testing.T) {
	c := testCharts()["stacked"].(Stacked)
	p, err := c.Plot()
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Max < 110 { // 70 + 40 MiB at the second point
		t.Errorf("Y axis ends at %v MiB, below the 110 MiB pile", p.Y.Max)
	}
	svg, err := SVG(p, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"live heap", "free", "residual", "RSS"} {
		if !bytes.Contains(svg, []byte(name)) {
			t.Errorf("legend lacks %q", name)
		}
	}
}
