package profiler

import (
	"fmt"
	"math"
	"runtime/metrics"

	"github.com/gcprobe/gcprobe/record"
)

// Indices into the probe's []metrics.Sample. The names are resolved once, in
// newMetrics; every tick reads into the same slice.
const (
	mHeapLive = iota
	mHeapGoal
	mHeapObjects
	mGoTotal
	mAllocs
	mCycles
	mCyclesAuto
	mCyclesForced
	mGoroutines
	mGCCPU
	mGCIdleCPU
	mTotalCPU
	mPauses
	// mClasses is the first of the 13 /memory/classes leaves, in the order
	// of record.GoMemoryClasses.
	mClasses
	numMetrics = mClasses + numClasses
)

// numClasses is the number of leaf /memory/classes metrics.
const numClasses = record.NumGoMemoryClasses

// metricDesc names one runtime metric the probe reads and the kind it needs.
type metricDesc struct {
	name string
	kind metrics.ValueKind
}

// metricDescs returns the metrics the probe reads, indexed by the m* constants.
func metricDescs() [numMetrics]metricDesc {
	d := [numMetrics]metricDesc{
		mHeapLive:     {"/gc/heap/live:bytes", metrics.KindUint64},
		mHeapGoal:     {"/gc/heap/goal:bytes", metrics.KindUint64},
		mHeapObjects:  {"/memory/classes/heap/objects:bytes", metrics.KindUint64},
		mGoTotal:      {"/memory/classes/total:bytes", metrics.KindUint64},
		mAllocs:       {"/gc/heap/allocs:bytes", metrics.KindUint64},
		mCycles:       {"/gc/cycles/total:gc-cycles", metrics.KindUint64},
		mCyclesAuto:   {"/gc/cycles/automatic:gc-cycles", metrics.KindUint64},
		mCyclesForced: {"/gc/cycles/forced:gc-cycles", metrics.KindUint64},
		mGoroutines:   {"/sched/goroutines:goroutines", metrics.KindUint64},
		mGCCPU:        {"/cpu/classes/gc/total:cpu-seconds", metrics.KindFloat64},
		mGCIdleCPU:    {"/cpu/classes/gc/mark/idle:cpu-seconds", metrics.KindFloat64},
		mTotalCPU:     {"/cpu/classes/total:cpu-seconds", metrics.KindFloat64},
		mPauses:       {"/sched/pauses/total/gc:seconds", metrics.KindFloat64Histogram},
	}
	for i, name := range record.GoMemoryClasses() {
		d[mClasses+i] = metricDesc{name, metrics.KindUint64}
	}
	return d
}

// newMetrics builds the sample slice and reads it once, failing if this
// runtime does not support one of the metrics (KindBad) or reports it with
// an unexpected kind.
func newMetrics() ([]metrics.Sample, error) {
	descs := metricDescs()
	s := make([]metrics.Sample, numMetrics)
	for i, d := range descs {
		s[i].Name = d.name
	}
	metrics.Read(s)
	for i, d := range descs {
		switch k := s[i].Value.Kind(); {
		case k == metrics.KindBad:
			return nil, fmt.Errorf("profiler: runtime metric %s is not supported by this Go runtime", d.name)
		case k != d.kind:
			return nil, fmt.Errorf("profiler: runtime metric %s has kind %d, want %d", d.name, k, d.kind)
		}
	}
	return s, nil
}

// reading is one read of the scalar metrics.
type reading struct {
	heapLive, heapGoal, heapObjects, goTotal, allocs uint64
	cycles, auto, forced, goroutines                 uint64
	gcCPU, gcIdleCPU, totalCPU                       float64
}

// scalars extracts the scalar metrics from a read sample slice.
func scalars(s []metrics.Sample) reading {
	return reading{
		heapLive:    s[mHeapLive].Value.Uint64(),
		heapGoal:    s[mHeapGoal].Value.Uint64(),
		heapObjects: s[mHeapObjects].Value.Uint64(),
		goTotal:     s[mGoTotal].Value.Uint64(),
		allocs:      s[mAllocs].Value.Uint64(),
		cycles:      s[mCycles].Value.Uint64(),
		auto:        s[mCyclesAuto].Value.Uint64(),
		forced:      s[mCyclesForced].Value.Uint64(),
		goroutines:  s[mGoroutines].Value.Uint64(),
		gcCPU:       s[mGCCPU].Value.Float64(),
		gcIdleCPU:   s[mGCIdleCPU].Value.Float64(),
		totalCPU:    s[mTotalCPU].Value.Float64(),
	}
}

// goMemory fills m with the memory classes of a read sample slice.
func goMemory(s []metrics.Sample, m *record.GoMemory) {
	m.From = record.FromRuntimeMetrics
	for i, f := range m.Fields() {
		*f = s[mClasses+i].Value.Uint64()
	}
}

// midpoint estimates the value of an observation in the bucket [lo, hi): its
// midpoint, or its finite edge when the other one is infinite.
func midpoint(lo, hi float64) float64 {
	switch {
	case math.IsInf(lo, -1) && math.IsInf(hi, 1):
		return 0
	case math.IsInf(lo, -1):
		return math.Max(hi, 0)
	case math.IsInf(hi, 1):
		return lo
	}
	return (lo + hi) / 2
}

// pauseDelta summarises the change of a pause histogram between two reads:
// the number of pauses, their total as a bucket-midpoint estimate, and the
// upper bound of the highest bucket that grew (the lower bound when that
// bucket is unbounded above).
func pauseDelta(bounds []float64, prev, cur []uint64) (count uint64, sum, max float64) {
	for i, c := range cur {
		d := c - prev[i]
		if d == 0 {
			continue
		}
		lo, hi := bounds[i], bounds[i+1]
		count += d
		sum += float64(d) * midpoint(lo, hi)
		if math.IsInf(hi, 1) {
			max = lo
		} else {
			max = hi
		}
	}
	return count, sum, max
}
