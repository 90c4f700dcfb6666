package summary

import (
	"math"
	"sort"
)

// exactValues is how many values of one figure (a live heap a cycle, an
// RSS a sample) a summary keeps to give their median and percentiles
// exactly: 8 bytes each, 4 MiB a figure, about 80 minutes of a service
// running 110 GC cycles a second. Past it the values are folded into a
// sketch whose quantiles are within sketchRelErr of the exact ones, and the
// summary says so (Dist.Sketched, a warning): the memory a summary needs
// then stays the same however long the record is.
const exactValues = 1 << 19

// sketchRelErr bounds the relative error of a sketched quantile: each
// bucket of the sketch spans values within a factor (1+e)/(1-e) of each
// other, and a value is represented by the bucket's middle in that sense.
const sketchRelErr = 1e-4

// values are the values of one figure: min, max and count exactly, and
// quantiles exactly while there are at most exactValues of them.
type values struct {
	xs       []float64
	n        int
	min, max float64
	// sketch counts values by logarithmic bucket once xs overflowed;
	// zeros counts values <= 0 (the sketch is of positive values; the
	// figures are bytes and seconds).
	sketch map[int32]uint64
	zeros  uint64
	limit  int     // exactValues unless set
	relErr float64 // sketchRelErr unless set
	gamma  float64 // log of a bucket's width, from relErr
}

func (v *values) add(x float64) {
	if v.n == 0 || x < v.min {
		v.min = x
	}
	if v.n == 0 || x > v.max {
		v.max = x
	}
	v.n++
	if v.sketch == nil {
		v.xs = append(v.xs, x)
		limit := v.limit
		if limit == 0 {
			limit = exactValues
		}
		if len(v.xs) <= limit {
			return
		}
		v.sketch = map[int32]uint64{}
		e := v.relErr
		if e == 0 {
			e = sketchRelErr
		}
		v.gamma = math.Log((1 + e) / (1 - e))
		for _, y := range v.xs {
			v.fold(y)
		}
		v.xs = nil
		return
	}
	v.fold(x)
}

func (v *values) fold(x float64) {
	if x <= 0 {
		v.zeros++
		return
	}
	v.sketch[int32(math.Ceil(math.Log(x)/v.gamma))]++
}

// Sketched reports whether the quantiles are estimates (more than
// exactValues values).
func (v *values) sketched() bool { return v.sketch != nil }

// quantile is the q-quantile by linear interpolation between order
// statistics, as quantileOf; NaN for none. Sketched, each order statistic
// is its bucket's representative value, clamped to [min, max].
func (v *values) quantile(q float64) float64 {
	if v.n == 0 {
		return math.NaN()
	}
	if v.sketch == nil {
		return quantileOf(v.xs, q)
	}
	pos := q * float64(v.n-1)
	i := int(pos)
	lo := v.rank(i)
	if i+1 >= v.n {
		return lo
	}
	return lo + (pos-float64(i))*(v.rank(i+1)-lo)
}

// rank returns the sketch's estimate of the order statistic i (from 0).
func (v *values) rank(i int) float64 {
	if uint64(i) < v.zeros {
		return math.Max(v.min, 0)
	}
	keys := make([]int32, 0, len(v.sketch))
	for k := range v.sketch {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a] < keys[b] })
	cum := v.zeros
	for _, k := range keys {
		cum += v.sketch[k]
		if uint64(i) < cum {
			// The bucket holds (γ^(k-1), γ^k]: its representative is
			// within sketchRelErr of every value in it.
			rep := 2 * math.Exp(float64(k)*v.gamma) / (1 + math.Exp(v.gamma))
			return math.Min(v.max, math.Max(v.min, rep))
		}
	}
	return v.max
}

// dist summarises the values as min, median and max.
func (v *values) dist() Dist {
	if v.n == 0 {
		return Dist{}
	}
	return Dist{N: v.n, Min: v.min, Median: v.quantile(0.5), Max: v.max, Sketched: v.sketched()}
}
