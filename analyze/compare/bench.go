package compare

import (
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/perf/benchfmt"
)

// WriteBench writes every run in the Go benchmark format, with benchfmt's
// Writer, so that benchstat (and anything else that reads `go test -bench`
// output) can analyse them:
//
//	Unit gc-cpu-% better=lower
//	pkg: gcprobe
//
//	BenchmarkGC/gogc=100/memlimit=off 1 7.91 gc-cpu-% 0.000312 pause-p99-sec 8.5e+08 rss-peak-B
//
// One line per run; the configuration is in sub-benchmark keys, so
// `benchstat -col /gogc FILE` puts GOGC settings side by side. Units carry the
// metric's name and a unit benchstat scales: B (binary), sec, and % for
// fractions.
func WriteBench(w io.Writer, c *Comparison) error {
	bw := benchfmt.NewWriter(w)
	for _, m := range c.Metrics {
		better := "lower"
		if !m.LowerIsBetter {
			better = "higher"
		}
		u := BenchUnit(m)
		if err := bw.Write(&benchfmt.UnitMetadata{UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: u, Key: "better"}, OrigUnit: u, Value: better}); err != nil {
			return err
		}
	}
	for _, g := range c.Groups {
		name := "GC"
		for _, d := range c.Dims {
			name += "/" + d + "=" + benchValue(Display(d, g.Config.Get(d)))
		}
		for _, r := range g.runs {
			res := &benchfmt.Result{
				Config: []benchfmt.Config{{Key: "pkg", Value: []byte("gcprobe"), File: true}},
				Name:   benchfmt.Name(name),
				Iters:  1,
			}
			for _, m := range r.Metrics {
				if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
					continue
				}
				i := c.Metric(m.Name)
				if i < 0 {
					continue // not among the compared metrics
				}
				v := m.Value
				if c.Metrics[i].Unit == UnitFraction {
					v *= 100
				}
				res.Values = append(res.Values, benchfmt.Value{Value: tenDigits(v), Unit: BenchUnit(c.Metrics[i])})
			}
			if err := bw.Write(res); err != nil {
				return err
			}
		}
	}
	return nil
}

// tenDigits rounds v to ten significant digits, so that a fraction scaled
// to percent prints as 8.2, not 8.200000000000001 (the writer prints the
// shortest form that reads back as the same float).
func tenDigits(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 10, 64), 64)
	return r
}

// BenchUnit is the benchmark-format unit of a metric: its name with dots as
// dashes, and a unit suffix ("pause-p99-sec", "rss-peak-B", "gc-cpu-%",
// "gc-cycles/min", "throughput/s").
func BenchUnit(m MetricInfo) string {
	name := benchToken(strings.ReplaceAll(m.Name, ".", "-"))
	switch m.Unit {
	case UnitBytes:
		return name + "-B"
	case UnitSeconds:
		return name + "-sec"
	case UnitFraction:
		return name + "-%"
	case "", "count":
		return name
	case "bytes/s":
		return name + "-B/s"
	}
	if per, ok := strings.CutPrefix(m.Unit, "1/"); ok {
		// gc.cycles_per_min in 1/min is gc-cycles/min.
		return strings.TrimSuffix(name, "_per_"+per) + "/" + benchToken(per)
	}
	return name + "-" + benchToken(m.Unit)
}

// benchValue is a configuration value as a benchmark name holds it: a
// benchToken that does not end in -N, which benchfmt would read as a
// GOMAXPROCS suffix ("layout=v-2" is "layout=v_2").
func benchValue(s string) string {
	s = benchToken(s)
	if i := strings.LastIndexByte(s, '-'); i >= 0 && i < len(s)-1 && strings.Trim(s[i+1:], "0123456789") == "" {
		s = s[:i] + "_" + s[i+1:]
	}
	return s
}

// benchToken removes what the benchmark format cannot hold in a name or
// unit: white space (any, as benchfmt splits fields on Unicode spaces)
// and slashes (which start a new sub-benchmark key) become underscores.
func benchToken(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '/' {
			return '_'
		}
		return r
	}, s)
}
