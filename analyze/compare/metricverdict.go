package compare

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Verdict is what a comparison says in a few lines, whatever the number of
// configurations: for each metric, the best configuration and whether it
// is significantly better than its baseline, and how many configurations
// differ significantly from theirs, better or worse.
type Verdict struct {
	Metrics []MetricVerdict
}

// MetricVerdict is the verdict on one metric.
type MetricVerdict struct {
	Metric MetricInfo
	// Best is the configuration with the best median (nil when no
	// configuration measured the metric); BestStat its statistics.
	Best     *Group
	BestStat Stat
	// Better and Worse are the configurations significantly better or
	// worse than their baseline, best first for Better and worst first for
	// Worse; Compared counts the configurations tested against a baseline.
	Better, Worse []*Group
	Compared      int
}

// Verdict computes the comparison's verdict.
func (c *Comparison) Verdict() Verdict {
	var v Verdict
	for i, m := range c.Metrics {
		mv := MetricVerdict{Metric: m}
		type ranked struct {
			g     *Group
			delta float64
		}
		var better, worse []ranked
		for _, g := range c.Groups {
			st := g.Stats[i]
			if st.N == 0 || math.IsNaN(st.Center) {
				continue
			}
			if mv.Best == nil || improves(m, st.Center, mv.BestStat.Center) {
				mv.Best, mv.BestStat = g, st
			}
			if g.IsBaseline() || math.IsNaN(st.P) {
				continue
			}
			mv.Compared++
			switch {
			case st.Better(m):
				better = append(better, ranked{g, st.Delta})
			case st.Significant && st.Delta != 0:
				worse = append(worse, ranked{g, st.Delta})
			}
		}
		// Better: the largest improvement first; worse: the largest
		// regression first.
		order := func(rs []ranked, first func(a, b float64) bool) []*Group {
			slices.SortStableFunc(rs, func(a, b ranked) int {
				switch {
				case first(a.delta, b.delta):
					return -1
				case first(b.delta, a.delta):
					return 1
				}
				return 0
			})
			out := make([]*Group, len(rs))
			for i, r := range rs {
				out[i] = r.g
			}
			return out
		}
		mv.Better = order(better, func(a, b float64) bool { return improves(m, a, b) })
		mv.Worse = order(worse, func(a, b float64) bool { return improves(m, b, a) })
		v.Metrics = append(v.Metrics, mv)
	}
	return v
}

// improves reports whether a is better than b for the metric.
func improves(m MetricInfo, a, b float64) bool {
	if m.LowerIsBetter {
		return a < b
	}
	return a > b
}

// VerdictScope says what the verdict lists; every renderer (compare's text
// and Markdown, the report's Markdown and HTML) heads the verdict
// "Verdict (VerdictScope):".
const VerdictScope = "the best configuration per metric, and what differs significantly from its baseline"

// Lines says the verdict in words, one line per metric that some
// configuration measured (MetricVerdict.Sentence).
func (v Verdict) Lines() []string {
	var out []string
	for _, mv := range v.Metrics {
		if s := mv.Sentence(); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Sentence says the metric's verdict in one line, "" when no configuration
// measured it:
//
//	gc.cpu: best gogc=200 memlimit=off, 4.05% (-49.69% vs its baseline, p=0.002); 3 of 3 configurations differ significantly from their baseline: 1 better (gogc=200 memlimit=off), 2 worse (gogc=50 memlimit=off, gogc=100 memlimit=512MiB)
func (mv MetricVerdict) Sentence() string {
	if mv.Best == nil {
		return ""
	}
	st := mv.BestStat
	s := fmt.Sprintf("%s: best %s, %s", mv.Metric.Name, mv.Best.Label, FormatValue(mv.Metric.Unit, st.Center))
	switch {
	case mv.Best.IsBaseline():
		s += " (a " + mv.Best.BaselineWord() + ")"
	case st.Significant:
		s += fmt.Sprintf(" (%s vs its baseline, p=%.3f)", FormatDelta(st.Delta), st.P)
	case !math.IsNaN(st.P):
		s += fmt.Sprintf(" (not significantly different from its baseline, p=%.3f)", st.P)
	}
	n := len(mv.Better) + len(mv.Worse)
	switch {
	case mv.Compared == 0:
	case n == 0 && mv.Compared == 1:
		s += "; the 1 configuration compared does not differ significantly from its baseline"
	case n == 0:
		s += fmt.Sprintf("; none of %d configurations differs significantly from its baseline", mv.Compared)
	default:
		if mv.Compared == 1 {
			s += "; 1 of 1 configuration differs significantly from its baseline: "
		} else if n == 1 {
			s += fmt.Sprintf("; 1 of %d configurations differs significantly from its baseline: ", mv.Compared)
		} else {
			s += fmt.Sprintf("; %d of %d configurations differ significantly from their baseline: ", n, mv.Compared)
		}
		var parts []string
		if len(mv.Better) > 0 {
			parts = append(parts, fmt.Sprintf("%d better (%s)", len(mv.Better), labels(mv.Better, 2)))
		}
		if len(mv.Worse) > 0 {
			parts = append(parts, fmt.Sprintf("%d worse (%s)", len(mv.Worse), labels(mv.Worse, 2)))
		}
		s += strings.Join(parts, ", ")
	}
	return s
}

// Differs reports whether some configuration differs significantly from
// its baseline on the metric, better or worse: when none does, what a
// chart shows of the metric is noise and must not be stretched.
func (mv MetricVerdict) Differs() bool { return len(mv.Better)+len(mv.Worse) > 0 }

// labels lists the first n groups' labels, the largest change first, and
// "…" when there are more.
func labels(gs []*Group, n int) string {
	var ls []string
	for i, g := range gs {
		if i == n {
			ls = append(ls, "…")
			break
		}
		ls = append(ls, g.Label)
	}
	return strings.Join(ls, ", ")
}
