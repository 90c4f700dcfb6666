package chart

import (
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Point is one configuration on a Pareto chart.
type Point struct {
	Label string
	X, Y  float64 // base units
	// Frontier marks a configuration no other beats on both axes;
	// Recommended the one to run.
	Frontier, Recommended bool
}

// Pareto plots memory (X) against latency (Y), lower is better on both:
// configurations on the frontier in green (joined by a line), the others in
// grey, the recommended one circled. Frontier membership is the caller's:
// it may weigh more axes than the two drawn.
type Pareto struct {
	Title        string
	X, Y         string
	XUnit, YUnit Unit
	Points       []Point
}

// Plot builds the chart.
func (pc Pareto) Plot() (*plot.Plot, error) {
	p := newPlot(pc.Title)
	p.X.Label.Text = axisLabel(pc.X, pc.XUnit) + " — lower is better"
	p.Y.Label.Text = axisLabel(pc.Y, pc.YUnit) + " — lower is better"
	p.Add(plotter.NewGrid())
	var all, front, others, rec plotter.XYs
	var labels []string
	for _, pt := range pc.Points {
		if math.IsNaN(pt.X) || math.IsNaN(pt.Y) {
			continue
		}
		xy := plotter.XY{X: pc.XUnit.scale(pt.X), Y: pc.YUnit.scale(pt.Y)}
		all = append(all, xy)
		labels = append(labels, pt.Label)
		if pt.Frontier {
			front = append(front, xy)
		} else {
			others = append(others, xy)
		}
		if pt.Recommended {
			rec = append(rec, xy)
		}
	}
	if len(all) == 0 {
		return p, nil
	}
	if len(front) > 1 {
		sort.Slice(front, func(i, j int) bool { return front[i].X < front[j].X })
		l, err := plotter.NewLine(front)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = Palette[1], vg.Points(1.5)
		p.Add(l)
	}
	for _, set := range []struct {
		xys  plotter.XYs
		col  color.Color
		name string
	}{{front, Palette[1], "on the Pareto frontier"}, {others, color.Gray{Y: 0x99}, "not on the frontier"}} {
		if len(set.xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(set.xys)
		if err != nil {
			return nil, err
		}
		sc.Shape, sc.Color, sc.Radius = draw.CircleGlyph{}, set.col, vg.Points(4)
		p.Add(sc)
		p.Legend.Add(set.name, sc)
	}
	if len(rec) > 0 {
		r, err := plotter.NewScatter(rec)
		if err != nil {
			return nil, err
		}
		r.Shape, r.Color, r.Radius = draw.RingGlyph{}, accent, vg.Points(9)
		p.Add(r)
		p.Legend.Add("recommended", r)
	}
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: all, Labels: labels})
	if err != nil {
		return nil, err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font = p.Legend.TextStyle.Font
		lb.TextStyle[i].Font.Size = vg.Points(9)
		lb.TextStyle[i].Color = color.Gray{0x33}
	}
	lb.Offset = vg.Point{X: vg.Points(6), Y: vg.Points(4)}
	p.Add(lb)
	p.X.Min, p.Y.Min = 0, 0
	// Room for the labels on the right.
	p.X.Max *= 1.25
	headroom(p, false)
	return p, nil
}
