package chart

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"strings"
	"testing"
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
	for _, want := range []string{"100µs–200µs", "2ms–5ms"} {
		if !strings.Contains(s, want) {
			t.Errorf("histogram lacks bin %q", want)
		}
	}
}
