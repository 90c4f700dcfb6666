package chart

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// DefaultBins is how many columns a time chart aggregates into when its
// data is too dense to draw one by one: about 2 pixels each across the
// data area of a default-size chart (768 px wide, ~700 of them data).
// What a chart draws then grows with its columns, not with the run.
const DefaultBins = 350

// A time chart draws every GC cycle and every value while they stay
// readable, and aggregates by column beyond: more cycles than columns
// (a cycle shaded every 2 px is a solid block), or more values than
// MaxPointsPerBin per column on average.
const MaxPointsPerBin = 2

// Grid is a partition of [Lo, Hi) into N columns of equal width.
type Grid struct {
	Lo, Hi float64
	N      int
}

// Width is a column's width.
func (g Grid) Width() float64 { return (g.Hi - g.Lo) / float64(g.N) }

// Index returns the column holding x, and false for x outside the grid.
func (g Grid) Index(x float64) (int, bool) {
	if !(x >= g.Lo && x <= g.Hi) || g.N <= 0 || !(g.Hi > g.Lo) {
		return 0, false
	}
	i := int((x - g.Lo) / g.Width())
	return min(i, g.N-1), true
}

// Mid is the middle of column i.
func (g Grid) Mid(i int) float64 { return g.Lo + (float64(i)+0.5)*g.Width() }

// Coverage returns, for each column, the share of its time inside the
// spans (0 to 1; overlapping spans count once per span, capped at 1).
func (g Grid) Coverage(spans []Span) []float64 {
	cov := make([]float64, g.N)
	w := g.Width()
	if !(w > 0) {
		return cov
	}
	for _, s := range spans {
		lo, hi := math.Max(s.Lo, g.Lo), math.Min(s.Hi, g.Hi)
		if !(hi > lo) {
			continue
		}
		first, _ := g.Index(lo)
		last, _ := g.Index(hi)
		for i := first; i <= last; i++ {
			c0, c1 := g.Lo+float64(i)*w, g.Lo+float64(i+1)*w
			cov[i] += math.Min(hi, c1) - math.Max(lo, c0)
		}
	}
	for i := range cov {
		cov[i] = math.Min(1, cov[i]/w)
	}
	return cov
}

// Counts returns how many of xs fall in each column.
func (g Grid) Counts(xs []float64) []float64 {
	n := make([]float64, g.N)
	for _, x := range xs {
		if i, ok := g.Index(x); ok {
			n[i]++
		}
	}
	return n
}

// Rate returns events per second in each column, for a series of
// "cycles/s" from the times cycles ended or were noticed.
func (g Grid) Rate(xs []float64) []float64 {
	n := g.Counts(xs)
	for i := range n {
		n[i] /= g.Width()
	}
	return n
}

// Ratio is, per column, the sum of num over the sum of den of the points
// at xs in it, as a series at the columns' middles (columns with no den
// are left out): the GC CPU share of each column from each cycle's GC CPU
// and available CPU, which is what a share over the whole run is made of,
// where a median of per-cycle shares is not.
func (g Grid) Ratio(name string, xs, num, den []float64) Series {
	n, d := make([]float64, g.N), make([]float64, g.N)
	for i, x := range xs {
		if c, ok := g.Index(x); ok {
			n[c] += num[i]
			d[c] += den[i]
		}
	}
	out := Series{Name: name}
	for c := range n {
		if d[c] > 0 {
			out.X, out.Y = append(out.X, g.Mid(c)), append(out.Y, n[c]/d[c])
		}
	}
	return out
}

// Band is a series reduced to columns: the minimum, median and maximum of
// the values in each column that has any, at the column's middle.
type Band struct {
	X, Min, Median, Max []float64
	// Estimated says some medians are estimates (a caller's band of a
	// series too long to hold; its caption says within what).
	Estimated bool
}

// Reduce aggregates the points (xs[i], ys[i]) into g's columns; keep
// filters values (nil keeps all), as a log axis drops those <= 0.
func (g Grid) Reduce(xs, ys []float64, keep func(float64) bool) Band {
	cols := make([][]float64, g.N)
	for i, x := range xs {
		y := ys[i]
		if math.IsNaN(y) || keep != nil && !keep(y) {
			continue
		}
		if c, ok := g.Index(x); ok {
			cols[c] = append(cols[c], y)
		}
	}
	var b Band
	for i, vs := range cols {
		if len(vs) == 0 {
			continue
		}
		slices.Sort(vs)
		med := vs[len(vs)/2]
		if len(vs)%2 == 0 {
			med = (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
		}
		b.X, b.Min, b.Median, b.Max = append(b.X, g.Mid(i)), append(b.Min, vs[0]), append(b.Median, med), append(b.Max, vs[len(vs)-1])
	}
	return b
}

// gcDensity shades each column across the plot's height as deep as the
// share of its time spent in GC cycles; for cycles known only by when they
// were noticed, as deep as its count against the busiest column's.
type gcDensity struct {
	grid Grid
	// share is 0..1 per column.
	share []float64
}

// shadeOf is gcShade with an opacity growing with share: a column with
// any GC stays visible, a column that is all GC is near opaque.
func shadeOf(share float64) color.Color {
	if share <= 0 {
		return nil
	}
	a := 0x18 + share*(0xd0-0x18)
	return color.NRGBA{gcShade.R, gcShade.G, gcShade.B, uint8(a)}
}

func (d gcDensity) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	w := d.grid.Width()
	for i, s := range d.share {
		col := shadeOf(s)
		if col == nil {
			continue
		}
		x0, x1 := trX(d.grid.Lo+float64(i)*w), trX(d.grid.Lo+float64(i+1)*w)
		pts := c.ClipPolygonX([]vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
		if len(pts) > 0 {
			c.FillPolygon(col, pts)
		}
	}
}

func (d gcDensity) Thumbnail(c *draw.Canvas) {
	// A gradient of three steps says "deeper is more".
	w := (c.Max.X - c.Min.X) / 3
	for i, s := range []float64{0.15, 0.5, 1} {
		x0 := c.Min.X + vg.Length(i)*w
		c.FillPolygon(shadeOf(s), []vg.Point{{X: x0, Y: c.Min.Y}, {X: x0 + w, Y: c.Min.Y}, {X: x0 + w, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
	}
}

// bandPlot draws a Band: the min-to-max range filled in a light tint of
// col, the median as a line.
func bandPlot(b Band, tr func(float64) float64, col color.Color) (fill *plotter.Polygon, median *plotter.Line, err error) {
	var outline, mid plotter.XYs
	for i := range b.X {
		outline = append(outline, plotter.XY{X: b.X[i], Y: tr(b.Max[i])})
		mid = append(mid, plotter.XY{X: b.X[i], Y: tr(b.Median[i])})
	}
	for i := len(b.X) - 1; i >= 0; i-- {
		outline = append(outline, plotter.XY{X: b.X[i], Y: tr(b.Min[i])})
	}
	fill, err = plotter.NewPolygon(outline)
	if err != nil {
		return nil, nil, err
	}
	r, g, bl, _ := col.RGBA()
	fill.Color = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 0x40}
	fill.LineStyle.Width = 0
	median, err = plotter.NewLine(mid)
	if err != nil {
		return nil, nil, err
	}
	return fill, median, nil
}
