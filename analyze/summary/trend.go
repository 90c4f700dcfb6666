package summary

import (
	"fmt"
	"math"
	"sort"

	"github.com/gcprobe/gcprobe/units"
)

// Trend is the live heap's slope over the measured window: the Theil–Sen
// estimator (the median of the slopes between every pair of points), robust
// to the sawtooth of single cycles, with Sen's distribution-free 95%
// confidence interval from the ranks of those slopes (Kendall's S, normal
// approximation). Consecutive points of a live heap are not independent, so
// the interval is a little narrow; a growth is therefore claimed only when
// the interval excludes zero and the growth over the window is also at least
// MinGrowth of the median live heap.
type Trend struct {
	// Points is the number of live-heap figures, From where they came from
	// ("gc events": one a cycle; "samples": one a change of the cycle
	// count), over [FromSeconds, ToSeconds].
	Points      int     `json:"points"`
	From        string  `json:"from"`
	FromSeconds float64 `json:"from_seconds"`
	ToSeconds   float64 `json:"to_seconds"`
	// BytesPerSecond is the slope, Lo and Hi its 95% interval.
	BytesPerSecond float64 `json:"bytes_per_second"`
	Lo             float64 `json:"lo_bytes_per_second"`
	Hi             float64 `json:"hi_bytes_per_second"`
	MedianBytes    float64 `json:"median_bytes"`
	// Verdict is TrendGrows, TrendShrinks, TrendSteady or TrendUnclear.
	Verdict string `json:"verdict"`
}

// Trend verdicts.
const (
	TrendGrows   = "grows"
	TrendShrinks = "shrinks"
	TrendSteady  = "steady"
	// TrendUnclear is a trend whose interval holds zero but also a change
	// over the window of MinGrowth or more: too few or too noisy cycles to
	// tell a growth from steady use.
	TrendUnclear = "unclear"
	// MinGrowth is the change over the window, as a share of the median
	// live heap, below which a trend is steady whatever its interval.
	MinGrowth = 0.05
	// minTrendPoints is the fewest points a slope is estimated from.
	minTrendPoints = 5
	// maxTrendPoints bounds the pairs (n²/2) by thinning evenly.
	maxTrendPoints = 800
)

// Words says the trend for a person: "grows 61.0 MiB/min (95% CI 55.0 MiB
// to 66.0 MiB/min)" or "steady (95% CI -1.00 MiB to 2.00 MiB/min)".
func (t Trend) Words() string {
	perMin := func(v float64) string {
		sign := ""
		if v < 0 {
			sign, v = "-", -v
		}
		return sign + units.Bytes(v*60)
	}
	ci := fmt.Sprintf("95%% CI %s to %s/min", perMin(t.Lo), perMin(t.Hi))
	switch t.Verdict {
	case TrendGrows:
		return fmt.Sprintf("grows %s/min (%s)", perMin(t.BytesPerSecond), ci)
	case TrendShrinks:
		return fmt.Sprintf("shrinks %s/min (%s)", perMin(-t.BytesPerSecond), ci)
	case TrendUnclear:
		return "unclear (" + ci + ": too few or too noisy cycles to tell a growth from steady use)"
	}
	if t.Lo > 0 || t.Hi < 0 {
		return fmt.Sprintf("steady (%s/min, under %s of the median live heap over the window)", perMin(t.BytesPerSecond), units.Percent(MinGrowth))
	}
	return "steady (" + ci + ")"
}

// liveTrend estimates the live heap's trend, nil with fewer than
// minTrendPoints figures.
//
// Past 8×maxTrendPoints figures the window keeps an evenly spaced subset
// (every second, fourth, ... figure, and the last; see decimator), which is
// then thinned as a short series is: the slope is over at most
// maxTrendPoints figures either way.
func liveTrend(w *window) *Trend {
	xs, ys, _ := w.trendGC.points()
	from := "gc events"
	if len(xs) < minTrendPoints {
		xs, ys, _ = w.trendSmp.points()
		from = "samples"
	}
	if len(xs) < minTrendPoints {
		return nil
	}
	xs, ys = thin(xs, maxTrendPoints), thin(ys, maxTrendPoints)
	slope, lo, hi, ok := theilSen(xs, ys)
	if !ok {
		return nil
	}
	t := &Trend{Points: len(xs), From: from, FromSeconds: xs[0], ToSeconds: xs[len(xs)-1],
		BytesPerSecond: slope, Lo: lo, Hi: hi, MedianBytes: quantileOf(append([]float64(nil), ys...), 0.5), Verdict: TrendSteady}
	window := t.ToSeconds - t.FromSeconds
	big := math.Abs(slope)*window >= MinGrowth*t.MedianBytes
	switch {
	case lo > 0 && big:
		t.Verdict = TrendGrows
	case hi < 0 && big:
		t.Verdict = TrendShrinks
	case math.Max(math.Abs(lo), math.Abs(hi))*window >= MinGrowth*t.MedianBytes:
		t.Verdict = TrendUnclear
	}
	return t
}

// thin keeps at most n evenly spaced values of v, the first and last among
// them.
func thin(v []float64, n int) []float64 {
	if len(v) <= n {
		return v
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = v[i*(len(v)-1)/(n-1)]
	}
	return out
}

// theilSen returns the median of the pairwise slopes of (xs, ys) and Sen's
// 95% interval for it. Pairs with equal x carry no slope. ok is false when
// fewer than two pairs have one.
func theilSen(xs, ys []float64) (slope, lo, hi float64, ok bool) {
	var slopes []float64
	for i := range xs {
		for j := i + 1; j < len(xs); j++ {
			if dx := xs[j] - xs[i]; dx != 0 {
				slopes = append(slopes, (ys[j]-ys[i])/dx)
			}
		}
	}
	if len(slopes) < 2 {
		return 0, 0, 0, false
	}
	sort.Float64s(slopes)
	n, N := float64(len(xs)), float64(len(slopes))
	slope = median(slopes)
	// Sen (1968): with C = z·sqrt(Var S), Var S = n(n-1)(2n+5)/18, the
	// interval runs from the slope of rank (N-C)/2 to that of rank
	// (N+C)/2 + 1 (ranks from 1).
	c := 1.959964 * math.Sqrt(n*(n-1)*(2*n+5)/18)
	r1 := int(math.Floor((N - c) / 2))
	r2 := int(math.Ceil((N+c)/2)) + 1
	at := func(rank int) float64 { return slopes[min(max(rank, 1), len(slopes))-1] }
	return slope, at(r1), at(r2), true
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
