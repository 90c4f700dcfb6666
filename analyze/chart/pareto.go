package chart

import (
	"image/color"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
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

// MaxLabelledPoints is the number of points up to which a Pareto chart
// labels every one; beyond, only the frontier and the recommended one.
const MaxLabelledPoints = 10

// Pareto plots memory (X) against latency (Y), lower is better on both:
// configurations on the frontier in green (joined by a line when they
// form a frontier over these two axes alone), the others in
// grey, the recommended one circled. Frontier membership is the caller's:
// it may weigh more axes than the two drawn.
type Pareto struct {
	Title        string
	X, Y         string
	XUnit, YUnit Unit
	Points       []Point
	// XNoise and YNoise mark an axis on which no configuration differs
	// significantly from its baseline: it starts at zero, so that a
	// difference within noise is not stretched across the plot, and its
	// label says so.
	XNoise, YNoise bool
}

// Plot builds the chart.
func (pc Pareto) Plot() (*plot.Plot, error) {
	p := newPlot(pc.Title)
	p.X.Label.Text = paretoLabel(pc.X, pc.XUnit, pc.XNoise)
	p.Y.Label.Text = paretoLabel(pc.Y, pc.YUnit, pc.YNoise)
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
	sort.Slice(front, func(i, j int) bool { return front[i].X < front[j].X })
	if len(front) > 1 && staircase(front) {
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
		r.Shape, r.Color, r.Radius = draw.RingGlyph{}, accent, vg.Points(8)
		p.Add(r)
		p.Legend.Add("recommended", r)
		p.Legend.Padding = vg.Points(5) // the ring is taller than a line
	}
	sty := p.Legend.TextStyle
	sty.Font.Size = vg.Points(9)
	sty.Color = color.Gray{0x33}
	if len(all) > MaxLabelledPoints {
		// Two dozen labels cannot all find room: name the points
		// that matter, the frontier and the recommended one.
		all, labels = nil, nil
		for _, pt := range pc.Points {
			if (pt.Frontier || pt.Recommended) && !math.IsNaN(pt.X) && !math.IsNaN(pt.Y) {
				all = append(all, plotter.XY{X: pc.XUnit.scale(pt.X), Y: pc.YUnit.scale(pt.Y)})
				labels = append(labels, pt.Label)
			}
		}
	}
	p.Add(pointLabels{xys: all, labels: labels, style: sty})
	p.X.Min, p.X.Max = around(p.X.Min, p.X.Max, pc.XNoise)
	p.Y.Min, p.Y.Max = around(p.Y.Min, p.Y.Max, pc.YNoise)
	// Room for the labels on the right.
	p.X.Max += (p.X.Max - p.X.Min) * 0.2
	headroom(p, false, Height)
	return p, nil
}

// staircase reports whether points sorted by X go down in Y: a frontier over
// the two axes drawn. A frontier over a third axis (GC CPU) need not be one,
// and a line through it would zigzag as if it were a trade-off curve.
func staircase(xys plotter.XYs) bool {
	for i := 1; i < len(xys); i++ {
		if xys[i].Y > xys[i-1].Y {
			return false
		}
	}
	return true
}

// paretoLabel names an axis: the metric, its unit, and that lower is
// better, or that its differences are within noise.
func paretoLabel(name string, u Unit, noise bool) string {
	if noise {
		return axisLabel(name, u) + " — no significant difference"
	}
	return axisLabel(name, u) + " — lower is better"
}

// around widens a data range [lo, hi] for a scatter chart: from zero when
// the data spread over more than two thirds of [0, hi] or the differences
// are noise, else zoomed on the data with a margin, so that configurations
// a few percent apart do not sit on top of each other in a corner.
func around(lo, hi float64, noise bool) (float64, float64) {
	if noise && hi > 0 {
		return 0, hi * 1.15
	}
	span := hi - lo
	if span <= 0 {
		span = math.Max(math.Abs(hi)*0.1, 1)
	}
	lo, hi = lo-span*0.15, hi+span*0.15
	if lo < hi/3 {
		lo = 0
	}
	return math.Max(lo, 0), hi
}

// pointLabels writes each point's label beside it, at the first of a few
// places where it overlaps no label written before it, no point and no
// edge: plotter.Labels puts every label at one offset, and configurations
// close together (gogc=50 with and without a memory limit) wrote over each
// other.
type pointLabels struct {
	xys    plotter.XYs
	labels []string
	style  text.Style
}

func (l pointLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pts := make([]vg.Point, len(l.xys))
	sizes := make([]vg.Point, len(l.labels))
	for i, xy := range l.xys {
		pts[i] = vg.Point{X: trX(xy.X), Y: trY(xy.Y)}
		sizes[i] = vg.Point{X: l.style.Width(l.labels[i]), Y: l.style.Height(l.labels[i])}
	}
	at, placed := placeLabels(pts, sizes, c.Rectangle)
	for i := range at {
		if placed[i] {
			c.FillText(l.style, at[i], l.labels[i])
		}
	}
}

// placeLabels returns the lower left corner of each point's label (sizes[i]
// wide and high): beside the point, right or left, level with it or stacked
// a line or more up or down, at the first place that is inside bounds and
// overlaps no point and no label placed before. A label with no such place
// is not placed: in a crowd of configurations a few percent apart, labels
// written over each other named none of them (the frontier table does).
func placeLabels(pts, sizes []vg.Point, bounds vg.Rectangle) (at []vg.Point, placed []bool) {
	const dot, pad = 5, 6 // points
	var taken []vg.Rectangle
	for _, pt := range pts {
		taken = append(taken, vg.Rectangle{Min: vg.Point{X: pt.X - dot, Y: pt.Y - dot}, Max: vg.Point{X: pt.X + dot, Y: pt.Y + dot}})
	}
	out := make([]vg.Point, len(pts))
	placed = make([]bool, len(pts))
	for i, pt := range pts {
		w, h := sizes[i].X, sizes[i].Y
		var cands []vg.Point
		for _, dy := range []vg.Length{0, 1, -1, 2, -2, 3, -3} {
			y := pt.Y + pad/2 + dy*h
			if dy < 0 {
				y = pt.Y - h - pad/2 + (dy+1)*h
			}
			cands = append(cands, vg.Point{X: pt.X + pad, Y: y}, vg.Point{X: pt.X - pad - w, Y: y})
		}
		for _, cand := range cands {
			r := vg.Rectangle{Min: cand, Max: vg.Point{X: cand.X + w, Y: cand.Y + h}}
			if inside(r, bounds) && !slices.ContainsFunc(taken, func(t vg.Rectangle) bool { return overlaps(r, t) }) {
				out[i], placed[i] = cand, true
				taken = append(taken, r)
				break
			}
		}
	}
	return out, placed
}

func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

func inside(a, b vg.Rectangle) bool {
	return a.Min.X >= b.Min.X && a.Max.X <= b.Max.X && a.Min.Y >= b.Min.Y && a.Max.Y <= b.Max.Y
}
