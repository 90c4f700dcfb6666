package chart

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/gcprobe/gcprobe/units"
)

// Bin is one histogram bin: Count observations in [Lo, Hi) (base unit).
// Hi is +Inf for an open-ended bin.
type Bin struct {
	Lo, Hi float64
	Count  float64
}

// Histogram is a histogram of durations, rebinned on 1-2-5 steps so that
// bins are readable ("100–200 µs") whatever the source's buckets were.
type Histogram struct {
	Title string
	X     string // what is counted ("pause")
	Bins  []Bin
}

// edges125 are 1-2-5 bin edges from 1 µs to 500 s.
func edges125() []float64 { return units.Steps125() }

// Plot builds the chart.
func (h Histogram) Plot() (*plot.Plot, error) {
	edges := edges125()
	counts := make([]float64, len(edges)+1) // counts[i]: [edges[i-1], edges[i])
	for _, b := range h.Bins {
		x := b.Lo
		if !math.IsInf(b.Hi, 1) && b.Hi > b.Lo {
			x = math.Sqrt(math.Max(b.Lo, 1e-9) * b.Hi) // geometric middle
		}
		i := 0
		for i < len(edges) && x >= edges[i] {
			i++
		}
		counts[i] += b.Count
	}
	first, last := -1, -1
	for i, c := range counts {
		if c > 0 {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	p := newPlot(h.Title)
	p.Y.Label.Text = "count"
	p.X.Label.Text = h.X
	if first < 0 {
		return p, nil
	}
	var vals plotter.Values
	var names []string
	for i := first; i <= last; i++ {
		vals = append(vals, counts[i])
		switch {
		case i == 0:
			names = append(names, "<"+shortDur(edges[0]))
		case i == len(edges):
			names = append(names, "≥"+shortDur(edges[i-1]))
		default:
			names = append(names, binLabel(edges[i-1], edges[i], last-first+1 > 8))
		}
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(math.Max(4, 420/float64(len(vals)))))
	if err != nil {
		return nil, err
	}
	bars.Color = Palette[0]
	bars.LineStyle.Width = 0
	p.Add(plotter.NewGrid(), bars)
	p.NominalX(names...)
	p.Y.Min = 0
	return p, nil
}

// binLabel names the bin [lo, hi) as compactly as it reads: the unit once
// when both ends share it ("100–200µs", "500µs–1ms"), and on two lines when
// there are so many bins that one line would run into its neighbours.
func binLabel(lo, hi float64, twoLines bool) string {
	l, h := shortDur(lo), shortDur(hi)
	if n := strings.TrimRight(l, "µms"); unitOf(l) == unitOf(h) {
		l = n
	}
	if twoLines {
		return l + "–\n" + h
	}
	return l + "–" + h
}

// unitOf is the unit suffix of a shortDur string.
func unitOf(s string) string { return strings.TrimLeft(s, "0123456789.") }

// shortDur is a compact duration for a bin label: "2µs", "500µs", "1ms".
func shortDur(s float64) string {
	switch {
	case s < 1e-3:
		return fmt.Sprintf("%gµs", math.Round(s*1e6))
	case s < 1:
		return fmt.Sprintf("%gms", math.Round(s*1e3))
	}
	return fmt.Sprintf("%gs", math.Round(s))
}

// Bars shows one metric by configuration: a bar per configuration at its
// center (median), with its interval [Lo, Hi] as an error bar when finite.
type Bars struct {
	Title  string
	Y      string
	Unit   Unit
	Labels []string
	Center []float64
	Lo, Hi []float64 // may be nil
}

// MaxColumnBars is the number of configurations up to which Bars draws
// upright bars side by side; beyond, their labels would not fit under
// them, and the bars lie in rows, one per configuration, in a chart as
// tall as its rows need (see Size).
const MaxColumnBars = 8

// Sized is a chart that asks for a size of its own rather than the default.
type Sized interface {
	Size() (w, h vg.Length)
}

func (b Bars) rows() bool { return len(b.Center) > MaxColumnBars }

// Size is the default size for upright bars (zeros), and for rows the
// full width and a fifth of an inch per row.
func (b Bars) Size() (w, h vg.Length) {
	if !b.rows() {
		return 0, 0
	}
	n := len(b.Center)
	if b.intervals() {
		n++ // the legend's row
	}
	return Width, vg.Length(n)*vg.Inch/5 + 1.3*vg.Inch
}

// intervals reports whether some bar has a finite interval: an error bar,
// and the legend that names it.
func (b Bars) intervals() bool {
	if b.Lo == nil || b.Hi == nil {
		return false
	}
	for i := range b.Center {
		if i < len(b.Lo) && i < len(b.Hi) && finite(b.Lo[i]) && finite(b.Hi[i]) && finite(b.Center[i]) {
			return true
		}
	}
	return false
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Plot builds the chart.
func (b Bars) Plot() (*plot.Plot, error) {
	if b.rows() {
		return b.plotRows()
	}
	p := newPlot(b.Title)
	p.Y.Label.Text = axisLabel(b.Y, b.Unit)
	vals := make(plotter.Values, len(b.Center))
	for i, v := range b.Center {
		if !math.IsNaN(v) {
			vals[i] = b.Unit.scale(v)
		}
	}
	if len(vals) == 0 {
		return p, nil
	}
	w := vg.Points(math.Min(40, 240/float64(len(vals))))
	bars, err := plotter.NewBarChart(vals, w)
	if err != nil {
		return nil, err
	}
	bars.Color = Palette[0]
	bars.LineStyle.Width = 0
	p.Add(plotter.NewGrid(), bars)
	if b.Lo != nil && b.Hi != nil {
		var errs plotter.YErrors
		var xys plotter.XYs
		for i := range vals {
			lo, hi := b.Lo[i], b.Hi[i]
			if math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
				continue
			}
			xys = append(xys, plotter.XY{X: float64(i), Y: vals[i]})
			errs = append(errs, struct{ Low, High float64 }{vals[i] - b.Unit.scale(lo), b.Unit.scale(hi) - vals[i]})
		}
		if len(xys) > 0 {
			eb := &plotter.YErrorBars{XYs: xys, YErrors: errs, LineStyle: plotter.DefaultLineStyle, CapWidth: vg.Points(8)}
			p.Add(eb)
			p.Legend.Add("median, with its confidence interval", bars)
		}
	}
	names, axis := compactLabels(b.Labels)
	p.NominalX(names...)
	p.X.Label.Text = axis
	p.X.Min, p.X.Max = -0.6, float64(len(vals))-0.4 // room for the outer labels
	p.Y.Min = 0
	headroom(p, false, Height)
	return p, nil
}

// plotRows draws a bar per configuration lying in its row, the first
// configuration on top, with the interval as an error bar.
func (b Bars) plotRows() (*plot.Plot, error) {
	p := newPlot(b.Title)
	p.X.Label.Text = axisLabel(b.Y, b.Unit)
	n := len(b.Center)
	vals := make(plotter.Values, n)
	for i, v := range b.Center {
		if !math.IsNaN(v) {
			vals[n-1-i] = b.Unit.scale(v) // row 0 is at the bottom
		}
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(9))
	if err != nil {
		return nil, err
	}
	bars.Horizontal, bars.Color, bars.LineStyle.Width = true, Palette[0], 0
	p.Add(plotter.NewGrid(), bars)
	if b.Lo != nil && b.Hi != nil {
		var errs plotter.XErrors
		var xys plotter.XYs
		for i := range b.Center {
			lo, hi := b.Lo[i], b.Hi[i]
			if math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) || math.IsNaN(b.Center[i]) {
				continue
			}
			v := b.Unit.scale(b.Center[i])
			xys = append(xys, plotter.XY{X: v, Y: float64(n - 1 - i)})
			errs = append(errs, struct{ Low, High float64 }{v - b.Unit.scale(lo), b.Unit.scale(hi) - v})
		}
		if len(xys) > 0 {
			p.Add(&plotter.XErrorBars{XYs: xys, XErrors: errs, LineStyle: plotter.DefaultLineStyle, CapWidth: vg.Points(6)})
			p.Legend.Add("median, with its confidence interval", bars)
		}
	}
	names, axis := compactLabels(b.Labels)
	rows := make([]string, n)
	for i, name := range names {
		sep := " / "
		if axis == "" {
			sep = " "
		}
		rows[n-1-i] = strings.ReplaceAll(name, "\n", sep)
	}
	p.NominalY(rows...)
	p.Y.Label.Text = axis
	p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	if b.intervals() {
		// A row of its own for the legend, above the first bar: in the
		// rows' right half it covered the longest bars.
		p.Y.Max++
	}
	p.X.Min = 0
	p.X.Max *= 1.1 // room for the error bars' caps
	return p, nil
}

// compactLabels shortens configuration labels ("gogc=100 memlimit=off") for
// the X axis of a bar chart, where six of them share a half-page chart:
// when every label names the same dimensions in the same order, the ticks
// show only the values, one per line ("100" over "off"), and the axis
// label names the dimensions ("gogc / memlimit"). Otherwise each word goes
// on its own line.
func compactLabels(labels []string) (names []string, axis string) {
	var keys []string
	names = make([]string, len(labels))
	for i, l := range labels {
		var ks, vs []string
		for _, w := range strings.Fields(l) {
			k, v, ok := strings.Cut(w, "=")
			if !ok {
				return wordPerLine(labels), ""
			}
			ks, vs = append(ks, k), append(vs, v)
		}
		if i == 0 {
			keys = ks
		} else if strings.Join(ks, " ") != strings.Join(keys, " ") {
			return wordPerLine(labels), ""
		}
		names[i] = strings.Join(vs, "\n")
	}
	return names, strings.Join(keys, " / ")
}

func wordPerLine(labels []string) []string {
	names := make([]string, len(labels))
	for i, l := range labels {
		names[i] = strings.ReplaceAll(l, " ", "\n")
	}
	return names
}
