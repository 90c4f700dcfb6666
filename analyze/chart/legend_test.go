package chart

import (
	"fmt"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendBottom is where the legend of p ends, drawn w x h, and the data
// area's transform of Y: a value drawn above the bottom is under the
// legend.
func legendBottom(p *plot.Plot, w, h vg.Length) (vg.Length, func(float64) vg.Length) {
	c := p.DataCanvas(draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: w, Y: h}}})
	_, trY := p.Transforms(&c)
	return c.Max.Y - p.Legend.Rectangle(draw.Canvas{}).Size().Y, trY
}

// TestLegendsClearData draws the charts whose legends covered their data in
// the reports: the parts of the RSS (eleven rows over the bands), a memory
// chart whose RSS peaks at the end (its fourth legend row crossed it), and
// bars in rows whose longest bar is the first (the legend lay on it).
func TestLegendsClearData(t *testing.T) {
	var x, rss, live, goal []float64
	for i := 0; i <= 60; i++ {
		x = append(x, float64(i))
		rss, live, goal = append(rss, 50+float64(i)), append(live, 20+float64(i)/4), append(goal, 40+float64(i)/2)
	}
	st := Stacked{Title: "Where the RSS goes", Y: "memory", X: x, TotalName: "RSS", Total: rss}
	top := 0.0
	for k := 0; k < 10; k++ {
		st.Layers = append(st.Layers, Layer{Name: fmt.Sprintf("part %d of the RSS, named at length", k), Y: live})
		top += live[len(live)-1]
	}
	mem := Time{Title: "Memory", Y: "memory", Series: []Series{{Name: "RSS", X: x, Y: rss}, {Name: "heap live", X: x, Y: live},
		{Name: "heap goal", X: x, Y: goal, Dashed: true}}, Cycles: []Span{{5, 6}, {20, 21}}}

	for _, c := range []struct {
		name  string
		chart Chart
		top   float64 // the data's largest value, on the Y axis
	}{
		{"stacked", st, top},
		{"memory", mem, rss[len(rss)-1]},
	} {
		p, err := c.chart.Plot()
		if err != nil {
			t.Fatal(err)
		}
		w, h := Width, Height
		if sz, ok := c.chart.(Sized); ok {
			w, h = sz.Size()
		}
		bottom, trY := legendBottom(p, w, h)
		if y := trY(c.top); y >= bottom {
			t.Errorf("%s: the data reaches %.0f pt, the legend starts at %.0f pt: it covers the data", c.name, y, bottom)
		}
		if sh := legendShare(p, h); sh > 0.5 {
			t.Errorf("%s: the legend takes %.0f%% of the data area: the data is squeezed", c.name, sh*100)
		}
	}

	var ctr, lo, hi []float64
	var labels []string
	for i := 0; i < 12; i++ {
		v := 0.5 - float64(i)*0.02
		ctr, lo, hi = append(ctr, v), append(lo, v*0.95), append(hi, v*1.05)
		labels = append(labels, fmt.Sprintf("gogc=%d memlimit=off", 25*(i+1)))
	}
	b := Bars{Title: "GC CPU by configuration", Y: "GC CPU", Unit: Ratio, Labels: labels, Center: ctr, Lo: lo, Hi: hi}
	p, err := b.Plot()
	if err != nil {
		t.Fatal(err)
	}
	w, h := b.Size()
	bottom, trY := legendBottom(p, w, h)
	// The first configuration's row is at the top, n-1; its bar is 9 pt
	// thick.
	if y := trY(float64(len(ctr)-1)) + vg.Points(4.5); y >= bottom {
		t.Errorf("bars in rows: the first bar reaches %.0f pt, the legend starts at %.0f pt", y, bottom)
	}
}
