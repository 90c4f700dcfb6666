package summary

import (
	"math"
	"sort"

	"github.com/gcprobe/gcprobe/record"
)

// hist is a histogram merged from record buckets, sorted by lower bound.
// An upper bound of +Inf is kept as math.Inf(1).
type hist struct {
	buckets []record.Bucket
	n       uint64
}

// add merges bs into h. A bucket written with Hi 0 and Lo > 0 is the
// open-ended top bucket (see record.Bucket).
func (h *hist) add(bs []record.Bucket) {
	for _, b := range bs {
		if b.Count == 0 {
			continue
		}
		b.Hi = b.Upper()
		i := sort.Search(len(h.buckets), func(i int) bool {
			c := h.buckets[i]
			return c.Lo > b.Lo || (c.Lo == b.Lo && c.Hi >= b.Hi)
		})
		if i < len(h.buckets) && h.buckets[i].Lo == b.Lo && h.buckets[i].Hi == b.Hi {
			h.buckets[i].Count += b.Count
		} else {
			h.buckets = append(h.buckets, record.Bucket{})
			copy(h.buckets[i+1:], h.buckets[i:])
			h.buckets[i] = b
		}
		h.n += b.Count
	}
}

// quantile estimates the q-quantile (0..1) by linear interpolation inside
// the bucket that holds it; in an open-ended bucket it returns the lower
// bound. NaN for an empty histogram.
func (h *hist) quantile(q float64) float64 {
	if h.n == 0 {
		return math.NaN()
	}
	rank := q * float64(h.n)
	var cum float64
	for _, b := range h.buckets {
		c := float64(b.Count)
		if cum+c >= rank {
			if math.IsInf(b.Hi, 1) {
				return b.Lo
			}
			f := (rank - cum) / c
			return b.Lo + f*(b.Hi-b.Lo)
		}
		cum += c
	}
	return h.max()
}

// max is the upper bound of the highest non-empty bucket (its lower bound if
// it is open-ended): an upper estimate of the largest observation.
func (h *hist) max() float64 {
	if h.n == 0 {
		return math.NaN()
	}
	b := h.buckets[len(h.buckets)-1]
	if math.IsInf(b.Hi, 1) {
		return b.Lo
	}
	return b.Hi
}

// sum estimates the sum of the observations from bucket midpoints.
func (h *hist) sum() float64 {
	var s float64
	for _, b := range h.buckets {
		mid := (b.Lo + b.Hi) / 2
		if math.IsInf(b.Hi, 1) {
			mid = b.Lo
		}
		s += mid * float64(b.Count)
	}
	return s
}

// above estimates how many observations exceed x.
func (h *hist) above(x float64) float64 {
	var n float64
	for _, b := range h.buckets {
		switch {
		case b.Lo >= x:
			n += float64(b.Count)
		case b.Hi > x && !math.IsInf(b.Hi, 1):
			n += float64(b.Count) * (b.Hi - x) / (b.Hi - b.Lo)
		}
	}
	return n
}

// quantileOf returns the q-quantile of xs (sorted in place) by linear
// interpolation between order statistics; NaN for none.
func quantileOf(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sort.Float64s(xs)
	pos := q * float64(len(xs)-1)
	i := int(pos)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (pos-float64(i))*(xs[i+1]-xs[i])
}

// Quantile estimates the q-quantile (0..1) of a histogram given as record
// buckets, interpolating inside the bucket that holds it; NaN when empty.
func Quantile(buckets []record.Bucket, q float64) float64 {
	var h hist
	h.add(buckets)
	return h.quantile(q)
}
