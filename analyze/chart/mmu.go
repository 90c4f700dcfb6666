package chart

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MMU is a minimum mutator utilization curve: window length (seconds, on a
// log axis) against the lowest share of CPU the program kept in any window
// that long (0 to 1), one series per trace.
type MMU struct {
	Title  string
	Series []Series // X: window in seconds, Y: utilization
}

// Plot builds the chart.
func (m MMU) Plot() (*plot.Plot, error) {
	p := newPlot(m.Title)
	p.X.Label.Text = "window (ms)"
	p.Y.Label.Text = "minimum mutator utilization (%)"
	p.Add(plotter.NewGrid())
	for i, s := range m.Series {
		xys := make(plotter.XYs, 0, len(s.X))
		for j := range s.X {
			if s.X[j] > 0 {
				xys = append(xys, plotter.XY{X: s.X[j] * 1e3, Y: s.Y[j] * 100})
			}
		}
		if len(xys) == 0 {
			continue
		}
		var c color.Color = Palette[i%len(Palette)]
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = c, vg.Points(1.5)
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		sc.Color, sc.Shape, sc.Radius = c, draw.CircleGlyph{}, vg.Points(2.5)
		p.Add(l, sc)
		p.Legend.Add(s.Name, l, sc)
	}
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = 0, 100
	p.Legend.Top, p.Legend.Left = true, true
	return p, nil
}
