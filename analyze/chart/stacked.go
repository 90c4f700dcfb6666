package chart

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Layer is one band of a stacked area chart: its value (base unit) at each
// of the chart's X.
type Layer struct {
	Name string
	Y    []float64
}

// Stacked is a stacked area chart over time: the layers piled up in order
// from the X axis, with a Total drawn as a line over them, so that a gap or
// overshoot between the pile and the line is visible. Negative layer values
// are drawn as zero.
type Stacked struct {
	Title  string
	Y      string
	Unit   Unit
	X      []float64
	Layers []Layer
	// Total is drawn as a line (the RSS the layers should add up to).
	TotalName string
	Total     []float64
	Until     float64
}

// stackColors colour the layers: a qualitative palette long enough for the
// eleven parts of the RSS.
var stackColors = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 0xff}, color.RGBA{0xae, 0xc7, 0xe8, 0xff},
	color.RGBA{0xff, 0x7f, 0x0e, 0xff}, color.RGBA{0xff, 0xbb, 0x78, 0xff},
	color.RGBA{0x98, 0xdf, 0x8a, 0xff}, color.RGBA{0x2c, 0xa0, 0x2c, 0xff},
	color.RGBA{0x94, 0x67, 0xbd, 0xff}, color.RGBA{0xc5, 0xb0, 0xd5, 0xff},
	color.RGBA{0x8c, 0x56, 0x4b, 0xff}, color.RGBA{0xc7, 0xc7, 0xc7, 0xff},
	color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x7f, 0x7f, 0x7f, 0xff},
}

// Plot builds the chart.
func (s Stacked) Plot() (*plot.Plot, error) {
	p := newPlot(s.Title)
	p.X.Label.Text = "time since start (s)"
	p.Y.Label.Text = axisLabel(s.Y, s.Unit)
	p.Add(plotter.NewGrid())
	low := make([]float64, len(s.X))
	for i, l := range s.Layers {
		high := make([]float64, len(s.X))
		for j := range s.X {
			high[j] = low[j] + math.Max(0, s.Unit.scale(l.Y[j]))
		}
		if len(s.X) > 0 && !equal(low, high) {
			// The band: along the top left to right, back along the bottom.
			pts := make(plotter.XYs, 0, 2*len(s.X))
			for j := range s.X {
				pts = append(pts, plotter.XY{X: s.X[j], Y: high[j]})
			}
			for j := len(s.X) - 1; j >= 0; j-- {
				pts = append(pts, plotter.XY{X: s.X[j], Y: low[j]})
			}
			poly, err := plotter.NewPolygon(pts)
			if err != nil {
				return nil, err
			}
			poly.Color = stackColors[i%len(stackColors)]
			poly.LineStyle.Width = 0
			p.Add(poly)
			p.Legend.Add(l.Name, poly)
		}
		low = high
	}
	if len(s.Total) == len(s.X) && len(s.X) > 0 {
		xys := make(plotter.XYs, len(s.X))
		for j := range s.X {
			xys[j] = plotter.XY{X: s.X[j], Y: s.Unit.scale(s.Total[j])}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = color.Black, vg.Points(1.5)
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(l)
		p.Legend.Add(s.TotalName, l)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Min = 0
	if p.X.Min > 0 {
		p.X.Min = 0
	}
	p.X.Max = math.Max(p.X.Max, s.Until)
	headroom(p, false, s.height())
	return p, nil
}

// Size is the default width, and the default height with room for the
// legend's rows above the data (one per layer and one for the total).
func (s Stacked) Size() (w, h vg.Length) { return Width, s.height() }

func (s Stacked) height() vg.Length {
	return Height + vg.Length(len(s.Layers)+1)*stackedLegendRow
}

// stackedLegendRow is the height of a legend row in 10-point text.
const stackedLegendRow = 12 // points

func equal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
