// Package chart draws gcprobe's charts with gonum.org/v1/plot: time series
// with GC cycles shaded, histograms, bars by configuration with their
// intervals, and Pareto charts. It knows units, not run records: values come
// in base units (bytes, seconds, fractions) and axes show MiB, ms and %.
//
// Each chart type builds a *plot.Plot; SVG and PNG render it at the size a
// ticket shows (Width x Height unless told otherwise).
package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Default size of a chart: 768x336 pixels in PNG (96 dpi).
const (
	Width  = 8 * vg.Inch
	Height = 3.5 * vg.Inch
	// DPI of PNG output.
	DPI = 96
)

// Unit says how values are scaled on an axis.
type Unit int

const (
	Count   Unit = iota // shown as is
	Bytes               // shown in MiB
	Seconds             // shown in ms
	Ratio               // a fraction shown in %
)

// scale converts a value in the base unit to the axis unit.
func (u Unit) scale(v float64) float64 {
	switch u {
	case Bytes:
		return v / (1 << 20)
	case Seconds:
		return v * 1e3
	case Ratio:
		return v * 100
	}
	return v
}

// Label is the axis unit's name.
func (u Unit) Label() string {
	switch u {
	case Bytes:
		return "MiB"
	case Seconds:
		return "ms"
	case Ratio:
		return "%"
	}
	return ""
}

// axisLabel is "name (unit)", or the name for counts.
func axisLabel(name string, u Unit) string {
	if u.Label() == "" {
		return name
	}
	return fmt.Sprintf("%s (%s)", name, u.Label())
}

// Chart is anything that builds a plot.
type Chart interface {
	Plot() (*plot.Plot, error)
}

// Palette colours series in order.
var Palette = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 0xff}, // blue
	color.RGBA{0x2c, 0xa0, 0x2c, 0xff}, // green
	color.RGBA{0xff, 0x7f, 0x0e, 0xff}, // orange
	color.RGBA{0x94, 0x67, 0xbd, 0xff}, // purple
	color.RGBA{0x8c, 0x56, 0x4b, 0xff}, // brown
	color.RGBA{0x17, 0xbe, 0xcf, 0xff}, // cyan
}

var (
	gcShade = color.NRGBA{0xd6, 0x27, 0x28, 0x38} // translucent red
	gcMark  = color.NRGBA{0xd6, 0x27, 0x28, 0xa0}
	accent  = color.RGBA{0xd6, 0x27, 0x28, 0xff}
	grid    = color.Gray{0xdd}
)

// newPlot returns a plot with gcprobe's fonts (sans serif) and title.
func newPlot(title string) *plot.Plot {
	p := plot.New()
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 13)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 9)
	}
	p.Legend.TextStyle.Font = font.From(sans, 10)
	p.Legend.Top = true
	p.X.Tick.Marker = plainTicks{}
	p.Y.Tick.Marker = plainTicks{}
	return p
}

// plainTicks label an axis every 1, 2 or 5 times a power of ten, about
// six times over its range, without trailing zeros ("25", not "25.00"):
// plot's default aims at three labels, which leaves a 20-second time axis
// with "0 9 18".
type plainTicks struct{}

func (plainTicks) Ticks(min, max float64) []plot.Tick {
	span := max - min
	if !(span > 0) || math.IsInf(span, 0) {
		ts := plot.DefaultTicks{}.Ticks(min, max)
		for i := range ts {
			if ts[i].Label != "" {
				ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', 6, 64)
			}
		}
		return ts
	}
	step := niceStep(span / 6)
	digits := math.Max(0, -math.Floor(math.Log10(step)))
	round := func(v float64) float64 { p := math.Pow(10, digits); return math.Round(v*p) / p }
	var ts []plot.Tick
	for k := math.Ceil(min / step); k*step <= max+step*1e-9; k++ {
		v := round(k * step)
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		if half := round(v + step/2); half <= max {
			ts = append(ts, plot.Tick{Value: half}) // a minor tick between labels
		}
	}
	if first := math.Ceil(min/step)*step - step/2; first >= min {
		ts = append(ts, plot.Tick{Value: round(first)})
	}
	return ts
}

// niceStep rounds a raw step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	switch r := raw / mag; {
	case r <= 1:
		return mag
	case r <= 2:
		return 2 * mag
	case r <= 5:
		return 5 * mag
	}
	return 10 * mag
}

// headroom raises the top of the Y axis so that the legend, drawn in a
// top corner, hides none of the data: by 30% of the range (a factor 4 on a
// log axis), or by as much as the legend's rows take of a chart h high. A
// fixed 30% left room for three rows; a fourth crossed a line that peaks at
// the end (the RSS of a growing process), and the eleven parts of the RSS
// covered their own bands.
func headroom(p *plot.Plot, log bool, h vg.Length) {
	share := legendShare(p, h)
	if log {
		if p.Y.Min > 0 && p.Y.Max > p.Y.Min {
			p.Y.Max = math.Max(p.Y.Max*4, p.Y.Min*math.Pow(p.Y.Max/p.Y.Min, 1/(1-share)))
		} else {
			p.Y.Max *= 4
		}
		return
	}
	p.Y.Max = p.Y.Min + (p.Y.Max-p.Y.Min)*math.Max(1.3, 1/(1-share))
}

// legendShare is the share of the data area's height, in a chart Width x h,
// that the legend takes with a margin below it; at most 0.8, so that the
// data keeps a fifth of the chart however long the legend.
func legendShare(p *plot.Plot, h vg.Length) float64 {
	lh := p.Legend.Rectangle(draw.Canvas{}).Size().Y
	if lh <= 0 {
		return 0
	}
	dh := p.DataCanvas(draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: Width, Y: h}}}).Size().Y
	if dh <= 0 {
		return 0.8
	}
	return math.Min(0.8, float64(lh+legendMargin)/float64(dh))
}

// legendMargin is the room kept between a legend and the data under it.
const legendMargin = 6 // points

// SVG renders p as an SVG document of size w x h (zero for the default).
func SVG(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	return render(p, w, h, "svg")
}

// PNG renders p as a PNG image of size w x h (zero for the default) at DPI.
func PNG(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	return render(p, w, h, "png")
}

func render(p *plot.Plot, w, h vg.Length, format string) ([]byte, error) {
	if w == 0 {
		w, h = Width, Height
	}
	wt, err := p.WriterTo(w, h, format)
	if err != nil {
		return nil, fmt.Errorf("chart %q: %w", p.Title.Text, err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("chart %q: %w", p.Title.Text, err)
	}
	return b.Bytes(), nil
}

// InlineSVG renders p as an <svg> element to put inside an HTML page: no
// XML prolog, and a width of 100% so it scales with the page.
func InlineSVG(p *plot.Plot, w, h vg.Length) (string, error) {
	b, err := SVG(p, w, h)
	if err != nil {
		return "", err
	}
	s := string(b)
	i := strings.Index(s, "<svg")
	if i < 0 {
		return "", fmt.Errorf("chart %q: the SVG renderer wrote no <svg> element", p.Title.Text)
	}
	s = s[i:]
	// Replace the fixed size with a responsive one; viewBox keeps the
	// aspect ratio.
	if j := strings.Index(s, "viewBox="); j > 0 {
		s = `<svg role="img" width="100%"` + " " + s[j:]
	}
	return s, nil
}
