package loadgen

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// The histogram is log-linear, as HdrHistogram is: values below 2^subBits
// nanoseconds get a bucket each, and every power of two above is cut into
// 2^subBits equal buckets. A bucket's width is then at most 1/2^subBits of
// its lower bound, so a value read back from its bucket is off by less than
// 0.79% of itself, from 1 ns to 18 minutes.
//
// It is written here rather than taken from HdrHistogram's Go port because
// the port's RecordValue is not safe for concurrent use (every worker would
// need its own copy, merged under a lock each interval) and exports its
// buckets in its own layout. This one is 70 lines, records with atomic adds
// only (concurrent workers, no lock, no allocation, ~10-30 ns), and its
// buckets map one to one onto record.Bucket.
const (
	subBits    = 7
	subCount   = 1 << subBits
	maxBits    = 40 // values are clamped below 2^40 ns (about 18 minutes)
	numBuckets = (maxBits-subBits)*subCount + subCount
	// RelativeError bounds (hi-lo)/lo for every bucket [lo, hi).
	RelativeError = 1.0 / subCount
)

// bucketOf returns the index of the bucket holding v nanoseconds.
func bucketOf(v uint64) int {
	if v >= 1<<maxBits {
		v = 1<<maxBits - 1
	}
	if v < subCount {
		return int(v)
	}
	e := bits.Len64(v) - subBits - 1
	return e*subCount + int(v>>e)
}

// bucketBounds returns bucket i's range [lo, hi) in nanoseconds.
func bucketBounds(i int) (lo, hi uint64) {
	if i < 2*subCount {
		return uint64(i), uint64(i) + 1
	}
	e := i/subCount - 1
	m := uint64(i - e*subCount)
	return m << e, (m + 1) << e
}

// Histogram counts latencies with bounded relative error. Record may be
// called from any number of goroutines at once; Delta from one at a time.
type Histogram struct {
	counts [numBuckets]atomic.Uint64
	sumNs  atomic.Uint64
	maxNs  atomic.Uint64 // since the last Delta
	slow   slowest

	// Owned by the goroutine that calls Delta.
	last  [numBuckets]uint64
	total [numBuckets]uint64 // cumulative, as of the last Delta
	sum   uint64
}

// Record counts one request that was meant to start at start (on the
// record's clock) and took latency from then. It does not allocate.
func (h *Histogram) Record(start, latency time.Duration) {
	v := uint64(max(latency, 0))
	h.counts[bucketOf(v)].Add(1)
	h.sumNs.Add(v)
	for m := h.maxNs.Load(); v > m; m = h.maxNs.Load() {
		if h.maxNs.CompareAndSwap(m, v) {
			break
		}
	}
	if int64(v) >= h.slow.floor.Load() {
		h.slow.add(int64(start), int64(v))
	}
}

// Delta fills l with what was recorded since the previous call: sparse
// buckets, Count, SumSeconds, MaxSeconds and the slowest requests, slowest
// first. It reuses l's slices. Requests recorded while Delta runs land in
// this interval or the next, never in both or neither.
func (h *Histogram) Delta(l *record.Latency) {
	l.Buckets = l.Buckets[:0]
	l.Count = 0
	for i := range h.counts {
		c := h.counts[i].Load()
		d := c - h.last[i]
		if d == 0 {
			continue
		}
		h.last[i] = c
		h.total[i] += d
		l.Count += d
		lo, hi := bucketBounds(i)
		l.Buckets = append(l.Buckets, record.Bucket{Lo: float64(lo) / 1e9, Hi: float64(hi) / 1e9, Count: d})
	}
	s := h.sumNs.Load()
	l.SumSeconds = float64(s-h.sum) / 1e9
	h.sum = s
	l.MaxSeconds = float64(h.maxNs.Swap(0)) / 1e9
	l.Slowest = h.slow.take(l.Slowest[:0])
}

// Quantile returns the q-quantile (0..1) of everything counted up to the
// last Delta, as the upper bound of its bucket; 0 when nothing was counted.
func (h *Histogram) Quantile(q float64) time.Duration {
	return quantile(&h.total, q)
}

func quantile(total *[numBuckets]uint64, q float64) time.Duration {
	var n uint64
	for _, c := range total {
		n += c
	}
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n-1)) + 1
	var seen uint64
	for i, c := range total {
		seen += c
		if seen >= rank {
			_, hi := bucketBounds(i)
			return time.Duration(hi)
		}
	}
	return 0
}

// Counts is a copy of a histogram's cumulative counts, as of a Delta.
type Counts struct{ n [numBuckets]uint64 }

// Counts returns the counts up to the last Delta, owned by the caller; the
// caller must be the goroutine that calls Delta, or run after it stopped.
func (h *Histogram) Counts() *Counts {
	c := &Counts{n: h.total}
	return c
}

// Sub returns the counts added since old.
func (c *Counts) Sub(old *Counts) *Counts {
	d := new(Counts)
	for i := range c.n {
		d.n[i] = c.n[i] - old.n[i]
	}
	return d
}

// Quantile is Histogram.Quantile over these counts.
func (c *Counts) Quantile(q float64) time.Duration { return quantile(&c.n, q) }

// slowestN is how many of an interval's slowest requests are kept.
const slowestN = 32

// slowest keeps the slowestN longest requests since the last take. Its
// floor lets Record skip the lock for every request that would not
// make the list once it is full.
type slowest struct {
	floor atomic.Int64 // least latency that can enter: 0 while not full
	mu    sync.Mutex
	n     int
	start [slowestN]int64
	lat   [slowestN]int64
}

func (s *slowest) add(start, lat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n < slowestN {
		s.start[s.n], s.lat[s.n] = start, lat
		s.n++
		if s.n == slowestN {
			s.floor.Store(s.lat[s.minIndex()] + 1)
		}
		return
	}
	i := s.minIndex()
	if lat <= s.lat[i] {
		return
	}
	s.start[i], s.lat[i] = start, lat
	s.floor.Store(s.lat[s.minIndex()] + 1)
}

func (s *slowest) minIndex() int {
	m := 0
	for i := 1; i < s.n; i++ {
		if s.lat[i] < s.lat[m] {
			m = i
		}
	}
	return m
}

// take appends the kept requests to dst, slowest first, and empties the list.
func (s *slowest) take(dst []record.Request) []record.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < s.n; i++ {
		dst = append(dst, record.Request{StartSeconds: float64(s.start[i]) / 1e9, LatencySeconds: float64(s.lat[i]) / 1e9})
	}
	s.n = 0
	s.floor.Store(0)
	// Insertion sort: at most slowestN elements.
	for i := 1; i < len(dst); i++ {
		for j := i; j > 0 && dst[j].LatencySeconds > dst[j-1].LatencySeconds; j-- {
			dst[j], dst[j-1] = dst[j-1], dst[j]
		}
	}
	return dst
}
