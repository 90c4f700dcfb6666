package compare

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"
)

// BuildVerdict says which of two builds of the program (Go release and GC
// implementation) is better on which metric, at the same settings: the
// question "what does upgrading Go, or switching the GC, do to this
// workload?".
type BuildVerdict struct {
	// New and Base are the builds ("go1.27.3 greentea", "go1.26.8
	// classic"); Settings the rest of the configuration they share
	// ("gogc=100 memlimit=off").
	New, Base, Settings string
	// Better, Worse and Same sort the metrics both measured: significantly
	// better, significantly worse (U-test, p <= Alpha), and no significant
	// difference.
	Better, Worse, Same []Change
	// N and BaseN are the numbers of runs on each side.
	N, BaseN int
}

// Change is one metric of a BuildVerdict.
type Change struct {
	Metric string
	// Delta is the change of the median (0.1 for +10%); P the U-test's
	// p-value.
	Delta, P float64
}

// buildVerdicts pairs every group with the group of the baseline build
// that has the same settings. The baseline build is the one sel names, or
// the oldest release with the classic GC (see baselineBuild).
func buildVerdicts(c *Comparison, sel Selector) []BuildVerdict {
	var ref Selector
	for _, t := range sel {
		if slices.Contains(buildDims, t.Dim) {
			ref = append(ref, t)
		}
	}
	if len(ref) == 0 {
		ref = c.baselineBuild()
	}
	if len(ref) == 0 {
		return nil
	}
	th := &benchmath.Thresholds{CompareAlpha: c.Alpha}
	var out []BuildVerdict
	for _, g := range c.Groups {
		if ref.Match(g.Config) {
			continue
		}
		base := c.sameSettings(g, ref)
		if base == nil {
			continue
		}
		v := BuildVerdict{New: g.Config.Build(), Base: base.Config.Build(), Settings: settings(g.Config, c.Dims), N: len(g.Files), BaseN: len(base.Files)}
		for i, m := range c.Metrics {
			old, new := base.Stats[i], g.Stats[i]
			if old.N == 0 || new.N == 0 {
				continue
			}
			cmp := benchmath.AssumeNothing.Compare(benchmath.NewSample(slices.Clone(old.Values), th), benchmath.NewSample(slices.Clone(new.Values), th))
			ch := Change{Metric: m.Name, P: cmp.P, Delta: math.NaN()}
			if old.Center != 0 {
				ch.Delta = new.Center/old.Center - 1
			}
			switch {
			case cmp.P > cmp.Alpha || new.Center == old.Center:
				v.Same = append(v.Same, ch)
			case (new.Center < old.Center) == m.LowerIsBetter:
				v.Better = append(v.Better, ch)
			default:
				v.Worse = append(v.Worse, ch)
			}
		}
		out = append(out, v)
	}
	return out
}

// sameSettings is the group of the reference build whose configuration
// equals g's on every dimension but the build's.
func (c *Comparison) sameSettings(g *Group, ref Selector) *Group {
	for _, h := range c.Groups {
		if h != g && ref.Match(h.Config) && agrees(g.Config, h.Config, Selector{{DimGo, ""}, {DimGC, ""}}) {
			return h
		}
	}
	return nil
}

// settings labels a configuration without its build.
func settings(cfg Config, dims []string) string {
	var d []string
	for _, x := range dims {
		if !slices.Contains(buildDims, x) {
			d = append(d, x)
		}
	}
	return cfg.Label(d)
}

// Sentence says the verdict in words: "go1.27.3 greentea against go1.26.8
// classic at gogc=100 memlimit=off (6+6 runs): better on gc.cpu (-42%,
// p=0.002); worse on rss.peak (+8%, p=0.004); no significant difference
// on heap.goal, throughput".
func (v BuildVerdict) Sentence() string {
	var parts []string
	list := func(cs []Change) string {
		s := make([]string, len(cs))
		for i, ch := range cs {
			p := fmt.Sprintf("p=%.3f", ch.P)
			if ch.P < 0.001 {
				p = "p<0.001"
			}
			s[i] = fmt.Sprintf("%s (%s, %s)", ch.Metric, FormatDelta(ch.Delta), p)
		}
		return strings.Join(s, ", ")
	}
	if len(v.Better) > 0 {
		parts = append(parts, "better on "+list(v.Better))
	}
	if len(v.Worse) > 0 {
		parts = append(parts, "worse on "+list(v.Worse))
	}
	if len(v.Same) > 0 {
		names := make([]string, len(v.Same))
		for i, ch := range v.Same {
			names[i] = ch.Metric
		}
		what := "no significant difference on "
		if len(v.Better)+len(v.Worse) == 0 {
			what = "no significant difference on any metric: "
		}
		parts = append(parts, what+strings.Join(names, ", "))
	}
	return fmt.Sprintf("%s against %s at %s (%d+%d runs): %s", v.New, v.Base, v.Settings, v.BaseN, v.N, strings.Join(parts, "; "))
}
