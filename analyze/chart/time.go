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

// Series is one line of a time chart: Y (base unit) at X (seconds).
type Series struct {
	Name string
	X, Y []float64
	// Points draws a marker at every value, for sparse series (one value
	// per GC cycle).
	Points bool
	// Dashed draws a dashed line (for a goal or limit).
	Dashed bool
	// Band, when set, is the series already reduced to the chart's
	// columns by the caller (X and Y are then empty): a series too long
	// to hold whole is drawn as its bands.
	Band *Band
}

// Span is a closed interval of time in seconds: a GC cycle.
type Span struct{ Lo, Hi float64 }

// Time is a chart of values over time with GC cycles shown: shaded where
// their start and end are known (Cycles), a thin line where only the time
// they were noticed is (Marks).
type Time struct {
	Title  string
	Y      string // what the Y axis shows ("memory")
	Unit   Unit
	Series []Series
	Cycles []Span
	Marks  []float64
	// LogY draws the Y axis in log scale (zero values are left out).
	LogY bool
	// Until extends the X axis to this time (the run's end), so that the
	// charts of one run line up.
	Until float64
	// Bins is the number of columns dense data is aggregated into
	// (DefaultBins when 0); see Density.
	Bins int
	// Since says what the X axis counts from ("the traced program's
	// start" for an imported log); "" is the record's start.
	Since string
	// Shade, when set, is the GC shading of each column already computed
	// by the caller (0 to 1, as deep as Grid.Coverage and the marks'
	// counts make it), for cycles too many to hold: Cycles and Marks are
	// then empty, and the columns are [0, Until) in Bins.
	Shade []float64
}

// Density says what a time chart aggregates by column rather than draws
// one by one, so that a caption can say so.
type Density struct {
	// Grid is the chart's columns, from 0 to the end of its X axis.
	Grid Grid
	// Cycles: GC cycles are shaded per column, as deep as the share of the
	// column's time in GC (or, for cycles without bounds, their count).
	Cycles bool
	// Series names the series drawn as min/median/max bands.
	Series []string
}

// Density reports how the chart aggregates its data.
func (t Time) Density() Density {
	bins := t.Bins
	if bins <= 0 {
		bins = DefaultBins
	}
	end := t.Until
	for _, s := range t.Series {
		for _, x := range s.X {
			end = math.Max(end, x)
		}
	}
	for _, c := range t.Cycles {
		end = math.Max(end, c.Hi)
	}
	for _, m := range t.Marks {
		end = math.Max(end, m)
	}
	d := Density{Grid: Grid{Lo: 0, Hi: end, N: bins}}
	if !(end > 0) {
		return d
	}
	d.Cycles = t.Shade != nil || len(t.Cycles)+len(t.Marks) > bins
	for _, s := range t.Series {
		if s.Band != nil || len(s.X) > MaxPointsPerBin*bins {
			d.Series = append(d.Series, s.Name)
		}
	}
	return d
}

// Dense reports whether anything is aggregated.
func (d Density) Dense() bool { return d.Cycles || len(d.Series) > 0 }

// Plot builds the chart.
func (t Time) Plot() (*plot.Plot, error) {
	p := newPlot(t.Title)
	p.X.Label.Text = "time since start (s)"
	if t.Since != "" {
		p.X.Label.Text = "time since " + t.Since + " (s)"
	}
	p.Y.Label.Text = axisLabel(t.Y, t.Unit)
	p.Add(plotter.NewGrid())
	dens := t.Density()
	switch {
	case dens.Cycles && t.Shade != nil:
		g := gcDensity{grid: dens.Grid, share: t.Shade}
		p.Add(g)
		p.Legend.Add("GC (deeper: more)", g)
	case dens.Cycles:
		g := gcDensity{grid: dens.Grid, share: dens.Grid.Coverage(t.Cycles)}
		if len(t.Marks) > 0 {
			counts := dens.Grid.Counts(t.Marks)
			top := slices.Max(counts)
			for i, n := range counts {
				g.share[i] = math.Max(g.share[i], n/top)
			}
		}
		p.Add(g)
		p.Legend.Add("GC (deeper: more)", g)
	case len(t.Cycles) > 0 || len(t.Marks) > 0:
		g := gcSpans{spans: t.Cycles, marks: t.Marks}
		p.Add(g)
		p.Legend.Add("GC cycle", g)
	}
	ymin := math.Inf(1)
	for i, s := range t.Series {
		if slices.Contains(dens.Series, s.Name) {
			lo, err := t.addBand(p, s, dens.Grid, Palette[i%len(Palette)])
			if err != nil {
				return nil, err
			}
			ymin = math.Min(ymin, lo)
			continue
		}
		xys := make(plotter.XYs, 0, len(s.X))
		for j := range s.X {
			y := t.Unit.scale(s.Y[j])
			if t.LogY && y <= 0 {
				continue
			}
			xys = append(xys, plotter.XY{X: s.X[j], Y: y})
			ymin = math.Min(ymin, y)
		}
		if len(xys) == 0 {
			continue
		}
		c := Palette[i%len(Palette)]
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = c, vg.Points(1.5)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(l)
		if s.Points {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, err
			}
			sc.Color, sc.Shape, sc.Radius = c, draw.CircleGlyph{}, vg.Points(2.5)
			p.Add(sc)
			p.Legend.Add(s.Name, l, sc)
		} else {
			p.Legend.Add(s.Name, l)
		}
	}
	if t.LogY {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		if !math.IsInf(ymin, 1) {
			p.Y.Min = ymin / 1.5
		}
	} else {
		p.Y.Min = 0
	}
	if p.X.Min > 0 {
		p.X.Min = 0
	}
	p.X.Max = math.Max(p.X.Max, t.Until)
	headroom(p, t.LogY, Height)
	return p, nil
}

// addBand draws a dense series as its min/median/max per column and
// returns its smallest value on the axis.
func (t Time) addBand(p *plot.Plot, s Series, g Grid, col color.Color) (float64, error) {
	var keep func(float64) bool
	if t.LogY {
		keep = func(y float64) bool { return y > 0 }
	}
	b := g.Reduce(s.X, s.Y, keep)
	if s.Band != nil {
		b = *s.Band
	}
	if len(b.X) == 0 {
		return math.Inf(1), nil
	}
	fill, med, err := bandPlot(b, t.Unit.scale, col)
	if err != nil {
		return 0, err
	}
	med.Color, med.Width = col, vg.Points(1.25)
	if s.Dashed {
		med.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	p.Add(fill, med)
	p.Legend.Add(s.Name+" (median, min–max)", fill, med)
	return t.Unit.scale(slices.Min(b.Min)), nil
}

// gcSpans shades GC cycles across the whole height of the plot.
type gcSpans struct {
	spans []Span
	marks []float64
}

func (g gcSpans) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, s := range g.spans {
		x0, x1 := trX(s.Lo), trX(s.Hi)
		if x1-x0 < 1 { // a 4 ms cycle on a minute's chart stays visible
			x1 = x0 + 1
		}
		pts := c.ClipPolygonX([]vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
		if len(pts) > 0 {
			c.FillPolygon(gcShade, pts)
		}
	}
	sty := draw.LineStyle{Color: gcMark, Width: vg.Points(0.75), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
	for _, m := range g.marks {
		x := trX(m)
		if x >= c.Min.X && x <= c.Max.X {
			c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
		}
	}
}

// Thumbnail draws the legend's swatch: a shaded box for cycles, or the
// dashed line the chart draws when it has only marks.
func (g gcSpans) Thumbnail(c *draw.Canvas) {
	if len(g.spans) == 0 {
		x := (c.Min.X + c.Max.X) / 2
		c.StrokeLine2(draw.LineStyle{Color: gcMark, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}, x, c.Min.Y, x, c.Max.Y)
		return
	}
	var col color.Color = gcShade
	c.FillPolygon(col, []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}})
}
