package loadgen

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

func TestBucketsRelativeError(t *testing.T) {
	check := func(v uint64) {
		t.Helper()
		i := bucketOf(v)
		lo, hi := bucketBounds(i)
		if v < lo || v >= hi {
			t.Fatalf("value %d in bucket %d = [%d, %d)", v, i, lo, hi)
		}
		if rel := float64(hi-lo) / float64(max(lo, 1)); lo >= subCount && rel > RelativeError {
			t.Fatalf("bucket [%d, %d) has relative width %g > %g", lo, hi, rel, RelativeError)
		}
	}
	for v := uint64(0); v < 1<<14; v++ {
		check(v)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		check(r.Uint64N(1 << maxBits))
	}
	// Buckets tile the range with no gap or overlap.
	for i := 1; i < numBuckets; i++ {
		_, prevHi := bucketBounds(i - 1)
		lo, _ := bucketBounds(i)
		if lo != prevHi {
			t.Fatalf("bucket %d starts at %d, previous ends at %d", i, lo, prevHi)
		}
	}
	if i := bucketOf(math.MaxUint64); i != numBuckets-1 {
		t.Fatalf("huge value in bucket %d, want the last (%d)", i, numBuckets-1)
	}
}

func TestQuantileWithinBound(t *testing.T) {
	var h Histogram
	r := rand.New(rand.NewPCG(3, 4))
	vals := make([]time.Duration, 10000)
	for i := range vals {
		// Log-uniform from 1 µs to 1 s.
		vals[i] = time.Duration(math.Exp(math.Log(1e3) + r.Float64()*math.Log(1e6)))
		h.Record(0, vals[i])
	}
	var l record.Latency
	h.Delta(&l)
	if l.Count != uint64(len(vals)) {
		t.Fatalf("Count = %d, want %d", l.Count, len(vals))
	}
	sortDurations(vals)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		want := vals[int(q*float64(len(vals)-1))]
		got := h.Quantile(q)
		if rel := math.Abs(float64(got-want)) / float64(want); rel > RelativeError {
			t.Errorf("q%g = %v, exact %v: relative error %.4f > %.4f", q, got, want, rel, RelativeError)
		}
	}
}

func sortDurations(v []time.Duration) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

func TestDeltaIsPerInterval(t *testing.T) {
	var h Histogram
	var l record.Latency
	h.Record(time.Second, 5*time.Millisecond)
	h.Record(2*time.Second, 7*time.Millisecond)
	h.Delta(&l)
	if l.Count != 2 || l.MaxSeconds != 0.007 || math.Abs(l.SumSeconds-0.012) > 1e-12 {
		t.Fatalf("first interval: count %d max %g sum %g", l.Count, l.MaxSeconds, l.SumSeconds)
	}
	if len(l.Slowest) != 2 || l.Slowest[0].LatencySeconds != 0.007 || l.Slowest[0].StartSeconds != 2 {
		t.Fatalf("slowest = %+v", l.Slowest)
	}
	h.Record(3*time.Second, time.Millisecond)
	h.Delta(&l)
	if l.Count != 1 || l.MaxSeconds != 0.001 || len(l.Buckets) != 1 || len(l.Slowest) != 1 {
		t.Fatalf("second interval: %+v", l)
	}
	if b := l.Buckets[0]; b.Lo > 0.001 || b.Hi <= 0.001 || b.Count != 1 {
		t.Fatalf("bucket %+v does not hold 1 ms", b)
	}
}

func TestSlowestKeepsTheSlowest(t *testing.T) {
	var h Histogram
	for i := range 1000 {
		h.Record(time.Duration(i), time.Duration((i*7919)%1000+1)*time.Microsecond)
	}
	var l record.Latency
	h.Delta(&l)
	if len(l.Slowest) != slowestN {
		t.Fatalf("kept %d, want %d", len(l.Slowest), slowestN)
	}
	for i, r := range l.Slowest {
		want := float64(1000-i) * 1e-6
		if math.Abs(r.LatencySeconds-want) > 1e-12 {
			t.Fatalf("slowest[%d] = %g, want %g", i, r.LatencySeconds, want)
		}
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	var h Histogram
	i := 0
	allocs := testing.AllocsPerRun(10000, func() {
		i++
		h.Record(time.Duration(i), time.Duration(i*1000))
	})
	if allocs != 0 {
		t.Fatalf("Record allocates %v times per call", allocs)
	}
}

func BenchmarkRecord(b *testing.B) {
	var h Histogram
	for range slowestN + 1 { // a full slowest list, as after an interval's first requests
		h.Record(0, time.Hour)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			h.Record(time.Duration(i), time.Duration(i%100000)*time.Microsecond/10)
		}
	})
}

func BenchmarkRecordSerial(b *testing.B) {
	var h Histogram
	var l record.Latency
	h.Record(0, time.Hour) // fill the slowest list so the common path is measured
	for range slowestN {
		h.Record(0, time.Hour)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Record(time.Duration(i), time.Duration(i%100000)*time.Microsecond/10)
	}
	h.Delta(&l)
}

// BenchmarkBaselineAtomicAdd is the baseline Record's cost is read
// against in the same run: one uncontended atomic add (Record does three,
// plus a load and the bucket's arithmetic).
func BenchmarkBaselineAtomicAdd(b *testing.B) {
	var n atomic.Uint64
	for i := 0; b.Loop(); i++ {
		n.Add(uint64(i))
	}
}
